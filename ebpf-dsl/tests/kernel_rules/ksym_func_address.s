# kernel: accept
# since: 6.2
# btf: vmlinux
# (a kernel function's BTF FUNC: read-only memory of 0 bytes at its address, PTR_TO_MEM | MEM_RDONLY)
ld_pseudo r1, 3, btf_id(func kfree)
r0 = 0
exit
