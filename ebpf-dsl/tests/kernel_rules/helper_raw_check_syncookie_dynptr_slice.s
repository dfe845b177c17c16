# kernel: accept
# since: 6.18
# kernel log: (the raw syncookie helpers' headers are `ARG_PTR_TO_FIXED_SIZE_MEM | MEM_RDONLY`
# on 6.18 and 7.2: two dynptr slices, read-only memory, are taken; 6.12.118's prototypes have no
# MEM_RDONLY and refuse it, "R1 type=rdonly_mem expected=..."; found by
# tools/helper-protos/check.py)
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 14
r3 = 0
r4 = 20
call bpf_dynptr_slice
if r0 == 0 goto out
r7 = r0
r1 = r10
r1 += -16
r2 = 34
r3 = 0
r4 = 20
call bpf_dynptr_slice
if r0 == 0 goto out
r1 = r7
r2 = r0
call bpf_tcp_raw_check_syncookie_ipv4
out:
r0 = 2
exit
