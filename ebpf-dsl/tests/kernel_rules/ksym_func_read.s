# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: R1 min value is outside of the allowed memory range (a read of 0 bytes)
ld_pseudo r1, 3, btf_id(func kfree)
r0 = *(u8 *)(r1 + 0)
r0 = 0
exit
