# kernel: reject
# type: sched_cls
# btf: vmlinux
# kernel log: kfunc bpf_rdonly_cast type ID argument must be of a struct (btf_id(int) is an INT)
r1 = 0
r2 = btf_id(int)
call bpf_rdonly_cast
r0 = 0
exit
