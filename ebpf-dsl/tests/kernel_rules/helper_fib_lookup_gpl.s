# kernel: accept
# The same call of bpf_fib_lookup from a GPL program (helper_fib_lookup_gpl_only.s).
r2 = r10
r2 += -64
*(u64 *)(r10 - 64) = 0
*(u64 *)(r10 - 56) = 0
*(u64 *)(r10 - 48) = 0
*(u64 *)(r10 - 40) = 0
*(u64 *)(r10 - 32) = 0
*(u64 *)(r10 - 24) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r3 = 64
r4 = 0
call bpf_fib_lookup
r0 = 2
exit
