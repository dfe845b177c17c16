# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# After `w6 &= 0x1b158adf` and `w6 <= 127` not taken, the 64-bit `r6 > 256` not taken narrows
# r6 to 128..=256; the kernel's one `reg_bounds_sync` then gives the known bits (0; 0xdf) (the
# range 128..=256 spans bit 8) and, from them, the range 128..=223. A second synchronisation
# would learn bit 7 from 128..=223 (every value there has it), and `w6 ^= 255; w6 &= -128`
# would then be 0; the kernel, which synchronises once and reads the operand of `^=` as it
# is, has w6 in {0, 128}, so the branch to the bad dereference is walked. Found by the alu32
# fuzzer (seed 1229016, program #108140), reduced.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
w6 ^= 255
w6 &= -128
if w6 != 0 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
