# kernel: reject
# kernel log: R0 invalid mem access 'scalar' (after `if w6 > w6`'s REG INVARIANTS VIOLATION r6 holds the known bits 0..=1 with unbounded ranges, which `w6 *= -1` reads as they are: `scalar32_min_max_mul`'s products of the unbounded 32-bit bounds overflow and `tnum_mul` of 0..=1 by 0xffffffff knows no low bit, so `if w6 s> 5` is walked. This verifier reads such an operand as the kernel does (`Scalar::held32`); here the product of the synchronised 0..=1 would bound nothing either (-1..=0 crosses 0), but with more known bits it is tighter than the kernel's (`arith_gates_tests.rs`: `w *= 133`, `w s>>= 27` of such operands))
call bpf_get_prandom_u32
r6 = r0
r6 &= 1
if w6 > w6 goto l0
r0 = 0
exit
l0:
w6 *= -1
if w6 s> 5 goto bad
r0 = 2
exit
bad:
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
