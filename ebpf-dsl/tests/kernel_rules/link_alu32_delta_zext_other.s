# kernel: accept
# As link_alu32_delta_zext with the compared register the plain copy: r7 (`w7 += 1`) gets
# r6 + 1 zero-extended, 0 when r6 is 0xffffffff.
call bpf_get_prandom_u32
w6 = w0
r7 = r6
w7 += 1
r8 = 4294967295 ll
if r6 < r8 goto out
r7 >>= 32
if r7 == 0 goto out
r0 = *(u8 *)(r3 + 0)
out:
r0 = 2
exit
