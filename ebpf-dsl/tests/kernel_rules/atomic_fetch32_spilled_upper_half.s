# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# A 4-byte fetch from the upper half of a spilled 8-byte number other than 0 loads an unknown
# number (`bpf_stack_narrow_access_ok` holds only at the slot's start), so the branch to the
# bad dereference is live.
r1 = 0x100000000 ll
*(u64 *)(r10 - 8) = r1
r2 = 4
w2 = atomic_fetch_add((u32 *)(r10 - 4), w2)
if w2 != 1 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
