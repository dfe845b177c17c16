# kernel: accept
# A 64-bit product of a number unknown in its upper half but 0..=5 in its low half: the
# 64-bit bounds overflow, the unsigned 32-bit ones are the products of the low halves' bounds
# (`scalar32_min_max_mul`), 0..=15 (the known bits alone allow up to 31). Kernels before
# 6.14 bound it too (their `scalar32_min_max_mul` keeps the products of non-negative low
# halves up to U16_MAX, for a 64-bit product as well): Debian's 6.1.192 and 6.12.118 accept
# it (measured in QEMU, tools/kernel-vm/).
call bpf_get_prandom_u32
if w0 > 5 goto out
r0 *= 3
if w0 > 15 goto bad
out:
r0 = 0
exit
bad:
r0 = *(u64 *)(r0 + 0)
exit
