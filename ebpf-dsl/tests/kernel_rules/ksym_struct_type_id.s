# kernel: reject
# btf: vmlinux
# kernel log: pseudo btf_id 870 in ldimm64 isn't KIND_VAR or KIND_FUNC
ld_pseudo r1, 3, btf_id(struct sk_buff)
r0 = 0
exit
