# kernel: reject
# btf: vmlinux
# kernel log: R1 type=rdonly_mem expected=ringbuf_mem
ld_pseudo r1, 3, btf_id(func kfree)
r2 = 0
call bpf_ringbuf_submit
r0 = 0
exit
