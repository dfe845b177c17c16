# kernel: reject
# kernel log: R3 type=pkt expected=fp (the context must be on the stack, or NULL)
r3 = *(u32 *)(r1 + 0)
r1 = 10
r2 = cb ll
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = 0
exit
