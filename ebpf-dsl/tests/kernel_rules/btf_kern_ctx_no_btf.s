# kernel: accept
# ours: reject
# type: sched_cls
# kernel log: (the kernel has its BTF; without --btf ours refuses, asking for it)
r6 = r1
call bpf_cast_to_kern_ctx
r2 = *(u32 *)(r0 + 112)
r0 = 0
exit
