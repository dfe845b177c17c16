# kernel: reject
# btf: vmlinux
# kernel log: ldimm64 failed to find the address for kernel symbol 'bpf_prog_active'.
# (a per-CPU variable of the kernel's BTF; 6.18.44 here is built without CONFIG_KALLSYMS_ALL,
# so kallsyms lists none of its variables)
ld_pseudo r1, 3, btf_id(var bpf_prog_active)
r0 = 0
exit
