# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: arg#0 expected pointer to ctx (dereference of modified ctx ptr)
r1 += 8
call bpf_cast_to_kern_ctx
r0 = 0
exit
