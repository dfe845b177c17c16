# kernel: accept
# since: 6.12
# r6 is left by one synchronisation in 128..=223 with the known bits (0; 0xdf) (see
# sync_once_after_a_comparison), where every value has bit 7. `if r6 == r6` narrows nothing,
# but `reg_set_min_max` synchronises both operands, here one register, twice: the second
# learns bit 7 (the 6.18.44 log shows var_off (0x80; 0x5f) after it), `if r6 & 128` is always
# taken and the bad dereference is never walked. A false reject until session 32, which left
# a register compared with itself unsynchronised where nothing narrowed, and synchronised it
# once where something did.
r9 = r1
r6 = *(u32 *)(r9 + 12)
w6 &= 454396639
if w6 <= 127 goto out
if r6 > 256 goto out
if r6 == r6 goto next
next:
if r6 & 128 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
