# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: R1 min value is outside of the allowed memory range (4 bytes of 0)
ld_pseudo r1, 3, btf_id(func kfree)
r2 = 4
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 0
exit
