# kernel: accept
# since: 6.12
# A number wider than 4 bytes (0..=255 in each half) spilled in 4 bytes and filled in 4: 6.12's
# `coerce_reg_to_size` synchronises the fill's bounds with its known bits (0..=255), so
# `r3 > 255` is never true. 6.1.192's leaves the 64-bit ranges at 0..=u32::MAX (the bounds'
# upper halves differ) and walks the branch: "R1 invalid mem access 'scalar'" (measured in QEMU;
# `KernelVersion::FILL32_SYNC`).
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u8 *)(r0 + 0)
r7 = *(u8 *)(r0 + 1)
r7 <<= 32
r6 += r7
*(u32 *)(r10 - 16) = r6
r3 = *(u32 *)(r10 - 16)
if r3 > 255 goto bad
goto out
bad:
r1 = 0
r0 = *(u8 *)(r1 + 0)
out:
r0 = 2
exit
