# kernel: accept
# ours: reject
# why ours rejects: the join's first state has r6 in 0..=7 (offset 0x1fffffff..=0x20000006, allowed: the kernel checks the minimum), the second the constant 7 (0x20000006, refused alone); the kernel walks the wide one first and prunes the constant against it ("21: safe"), so its verdict depends on its order of exploration and on its checkpoint heuristics; this verifier's second walk (6.18) keeps r6's exactness mark through `if r7 == 0` (r6 is neither compared nor linked) and accepts the wide path, but it prunes only on equal marked values, so it walks the narrow path too, which the kernel refuses alone
r6 = *(u32 *)(r1 + 16)
r7 = *(u32 *)(r1 + 12)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 &= 7
if r7 == 0 goto narrow
r3 = 0
r3 = 1
r3 = 2
r3 = 3
r3 = 4
r3 = 5
r3 = 6
r3 = 7
goto join
narrow:
r6 = 7
join:
r6 += 0x1fffffff
r0 += r6
out:
r0 = 2
exit
