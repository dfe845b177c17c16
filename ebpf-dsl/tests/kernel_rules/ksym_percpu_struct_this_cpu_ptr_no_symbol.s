# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: ldimm64 failed to find the address for kernel symbol 'runqueues'.
ld_pseudo r1, 3, btf_id(var runqueues)
call bpf_this_cpu_ptr
r0 = *(u32 *)(r0 + 0)
r0 = 0
exit
