# kernel: reject
# kernel log: misaligned stack access
*(u64 *)(r10 - 8) = 0
r2 = 0
r3 = r10
r3 += -6
r4 = 0
r5 = 0
call bpf_check_mtu
r0 = 2
exit
