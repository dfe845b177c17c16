# kernel: accept
# ours: reject
# type: sched_cls
# btf: vmlinux
# kernel log: bpf_rdonly_cast to void (type id 0)
r6 = r1
r1 = r6
r2 = 0
call bpf_rdonly_cast
r0 = 0
exit
