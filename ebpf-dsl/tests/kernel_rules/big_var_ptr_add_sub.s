# kernel: accept
# target: 6.18
# A map value pointer plus rx_queue_index + 1 (1..=0x100000000), plus a byte of
# ingress_ifindex, minus that byte: the kernel's minimum before each step is at most 1 (every
# offset exactly known to it), so it accepts all three. This verifier's second walk bounds
# that minimum by its own for an offset built only of exact non-negative additions
# (`transfer/ptr_exact.rs`), for the addition and for the subtraction of a number below 2^29.
r7 = *(u32 *)(r1 + 16)
r7 += 1
r8 = *(u32 *)(r1 + 12)
r8 &= 0xff
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r4 = r0
r4 += r7
r4 += r8
r4 -= r8
out:
r0 = 0
exit
