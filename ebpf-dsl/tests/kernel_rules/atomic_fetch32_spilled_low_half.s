# kernel: accept
# since: 6.12
# kernel log: R2=0 after the fetch
# A 4-byte fetch from the start of a slot holding a spilled 8-byte number loads what a 4-byte
# load there gives (`check_mem_access` of the load register: the spilled register, narrowed
# by `coerce_reg_to_size`): here 0, so the branch to the bad dereference is dead.
r1 = 0
*(u64 *)(r10 - 8) = r1
r2 = 4
w2 = atomic_fetch_xor((u32 *)(r10 - 8), w2)
if w2 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
