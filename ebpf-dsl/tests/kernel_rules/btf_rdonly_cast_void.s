# kernel: accept
# type: sched_cls
# btf: vmlinux
# target: 6.18
# kernel log: bpf_rdonly_cast to void (type id 0) gives rdonly_untrusted_mem(sz=0): any read at any offset, arithmetic keeps it
r6 = r1
r1 = r6
r2 = 0
call bpf_rdonly_cast
r3 = *(u8 *)(r0 + 5)
r0 *= 3
r3 = *(u64 *)(r0 - 8)
r0 = 0
exit
