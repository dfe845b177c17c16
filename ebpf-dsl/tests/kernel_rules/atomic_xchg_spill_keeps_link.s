# kernel: accept
# since: 6.12
# kernel log: 3: (db) r4 = atomic64_xchg((u64 *)(r10 -8), r4) ; R4=scalar(id=1,...), r6 linked
# An 8-byte exchange on a slot holding a spilled number loads the spilled register itself,
# linked to r6 (the kernel's fill, `copy_register_state`): the comparison of r6 bounds r4 too,
# so the branch to the bad dereference is dead.
r6 = *(u32 *)(r1 + 12)
*(u64 *)(r10 - 8) = r6
r4 = 12
r4 = xchg_64(r10 - 8, r4)
if r6 > 3 goto l1
r0 = 2
exit
l1:
if r4 <= 3 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
