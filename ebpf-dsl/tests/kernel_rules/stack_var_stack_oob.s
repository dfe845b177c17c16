# kernel: reject
# kernel log: invalid variable-offset read from stack R3 var_off=(0x0; 0xf) off=-8 size=1
r2 = *(u32 *)(r1 + 16)
r2 &= 15
r3 = r10
r3 += -8
r3 += r2
r0 = *(u8 *)(r3 + 0)
r0 = 2
exit
