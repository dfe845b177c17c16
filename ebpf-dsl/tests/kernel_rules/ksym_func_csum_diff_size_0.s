# kernel: accept
# since: 6.2
# type: sched_cls
# btf: vmlinux
# (read-only memory of 0 bytes as a helper's memory argument of size 0)
ld_pseudo r1, 3, btf_id(func kfree)
r2 = 0
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 0
exit
