# kernel: accept
# target: 6.18
# big_var_ptr_twice_limit.s with the second offset 0x0fffff00..=0x0fffffff: the kernel's
# minimum of the second sum is 0x1fffff00, below 2^29, and it accepts. This verifier's
# maximum of the pointer's offset plus the scalar's minimum reaches 2^29, so the path was
# doubted; the second walk knows the kernel's minimum of an offset built from exact
# non-negative additions is at most its own (`transfer/ptr_exact.rs`).
r7 = *(u32 *)(r1 + 16)
r7 &= 0x0fffffff
r7 |= 0x10000000
r8 = *(u32 *)(r1 + 12)
r8 &= 0xff
r8 += 0x0fffff00
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r4 = r0
r4 += r7
r4 += r8
out:
r0 = 0
exit
