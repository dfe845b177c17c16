# kernel: accept
# A stack pointer with a variable offset (0 or 8) passed as 8 bytes of memory: checked as for
# a helper (check_mem_reg is check_helper_mem_access), the 16 bytes it may cover being in the
# frame. Found by verifier_call_fuzz.
.global_func f(mem 8)
r2 = *(u32 *)(r1 + 12)
r2 &= 8
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
if r1 == 0 goto out
r0 = *(u64 *)(r1 + 0)
out:
exit
