# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: R2 must be a known constant
r2 = *(u32 *)(r1 + 0)
r1 = 0
call bpf_rdonly_cast
r0 = 0
exit
