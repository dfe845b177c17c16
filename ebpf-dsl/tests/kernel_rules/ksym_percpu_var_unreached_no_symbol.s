# kernel: reject
# btf: vmlinux
# kernel log: ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'.
# (checked before the program is walked: on a path never taken too)
r0 = 0
if r0 == 0 goto out
ld_pseudo r1, 3, btf_id(var bpf_prog_active)
out:
r0 = 0
exit
