# kernel: reject
# kernel log: invalid variable-offset read from stack R1 var_off=(0x0; 0x10) off=-16 size=8,
# Caller passes invalid args into func#1 (f). global_mem_var_stack.s with an offset of 0 or 16: 8 bytes at r10 - 16 + 16 would
# pass the frame's top.
.global_func f(mem 8)
r2 = *(u32 *)(r1 + 12)
r2 &= 16
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -16
r1 += r2
call f
r0 = 2
exit
f:
r0 = 0
exit
