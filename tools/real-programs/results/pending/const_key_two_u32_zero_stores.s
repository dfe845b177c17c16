# Reduced from katran xdp_pktcntr.c (pktcntr) with its NULL check deleted (a mutant of
# tools/real-programs/mutants.py), also in katran healthchecking's: clang zeroes two 4-byte
# keys that share one 8-byte stack slot, then looks up an array map with the first.
# Kernel 6.18: accept (each 4-byte store of a zero register marks its bytes STACK_ZERO, the
# key is the constant 0 < max_entries, and since 6.14 such a lookup is not NULL).
# ebpf-dsl check --kernel 6.18: reject, "r0 is a lookup result from map `ctl` that may be
# NULL" [missing null check]. Without the store to r10 - 8 it accepts: the second 4-byte
# store into the slot loses the first one's known zero.
.map ctl array key=4 value=4 max_entries=2
    r1 = 0
    *(u32 *)(r10 - 4) = w1
    *(u32 *)(r10 - 8) = w1
    r2 = r10
    r2 += -4
    r1 = ctl ll
    call bpf_map_lookup_elem
    r0 = *(u32 *)(r0 + 0)
    r0 = 2
    exit
