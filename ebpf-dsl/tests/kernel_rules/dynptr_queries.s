# kernel: accept
r6 = r1
r1 = r6
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_xdp
r1 = r10
r1 += -16
r2 = 1
r3 = 10
call bpf_dynptr_adjust
r1 = r10
r1 += -16
call bpf_dynptr_size
r1 = r10
r1 += -16
call bpf_dynptr_is_null
r1 = r10
r1 += -16
call bpf_dynptr_is_rdonly
r0 = 2
exit
