# kernel: reject
# target: 6.18
# kernel log: R0 invalid mem access 'scalar'
# After `w6 &= 0x1b158adf`, `w6 <= 127` and `r6 > 256` not taken, the kernel's one
# `reg_bounds_sync` leaves r6 in 128..=223 with the known bits (0; 0xdf): bit 7 is set in
# every value of the range but not known (a second synchronisation would learn it).
# `if w6 & 128` (`BPF_JMP32 | BPF_JSET`) reads r6 as it is held: bit 7 unknown, so the
# fall-through to the bad dereference is walked. Reading the operand synchronised again
# decided the test (a false accept for the 6.18 target, found while auditing the one-sync rule).
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
if w6 & 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
