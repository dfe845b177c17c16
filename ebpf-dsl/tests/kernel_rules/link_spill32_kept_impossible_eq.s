# kernel: accept
# since: 6.12
# A number linked to a copy (`r2 = r6`) spilled in 4 bytes, which it fits, and filled back in
# 4: the fill is a linked copy on 6.1.192 too (its `save_register_state` keeps the id). 6.1.192
# decides `!=` only against a constant register, so it walks the equal branch, where r6 and its
# copies become 0x7fffffff: "math between pkt pointer and 2147483647 is not allowed" (measured
# in QEMU; the offset fuzzer's seed 777, program #4451). 6.12 decides `!=` from r6's range.
r8 = r1
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = *(u32 *)(r0 + 0)
r2 = r6
*(u32 *)(r10 - 16) = r2
r3 = *(u32 *)(r10 - 16)
if r6 > 1048576 goto out
if r6 != 0x7fffffff goto out
r4 = *(u32 *)(r8 + 0)
r4 += r3
out:
r0 = 2
exit
