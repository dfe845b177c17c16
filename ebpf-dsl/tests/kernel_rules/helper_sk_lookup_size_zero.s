# kernel: accept
# since: 6.12
# kernel log: the socket lookups take ARG_CONST_SIZE_OR_ZERO for the tuple's size
r6 = r1
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
r1 = r6
r2 = r10
r2 += -16
r3 = 0
r4 = -1
r5 = 0
call bpf_sk_lookup_tcp
if r0 == 0 goto out
r1 = r0
call bpf_sk_release
out:
r0 = 2
exit
