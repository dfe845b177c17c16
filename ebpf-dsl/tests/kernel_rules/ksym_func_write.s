# kernel: reject
# btf: vmlinux
# kernel log: R1 cannot write into rdonly_mem
ld_pseudo r1, 3, btf_id(func kfree)
*(u8 *)(r1 + 0) = 0
r0 = 0
exit
