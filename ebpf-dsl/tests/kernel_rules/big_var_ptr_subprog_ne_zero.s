# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# target: 6.18
# A map value pointer plus rx_queue_index (0..=0xffffffff, exactly the kernel's bounds: the
# exactness walk accepts the addition) passed to a static function that compares it with 0:
# not known non-NULL there either (jmp_ptr_big_var_ne_zero.s), the callee's `== 0` side, a
# load through a number, is walked and refused.
r7 = *(u32 *)(r1 + 16)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = r0
r1 += r7
call f
out:
r0 = 0
exit
f:
r0 = 0
if r1 != 0 goto f_out
r0 = *(u8 *)(r0 + 0)
f_out:
exit
