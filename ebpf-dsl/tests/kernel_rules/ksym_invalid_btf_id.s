# kernel: reject
# btf: vmlinux
# kernel log: ldimm64 insn specifies invalid btf_id 2147483647.
ld_pseudo r1, 3, 0x7fffffff
r0 = 0
exit
