# kernel: reject
# kernel log: R0 invalid mem access 'scalar'
# r6 in 0x13..=0x24 with the known bits (0x10; 0x26), plus 0xf17: `tnum_add`'s carries leave
# the low bits unknown, (0xf01; 0x3e) cut by the sum's range 0xf2a..=0xf3b into (0xf21; 0xe),
# and the last step of the one `reg_bounds_sync` narrows the range to 0xf2a..=0xf2f, where bit
# 3 is set in every value; a second synchronisation would learn it and decide `if r6 & 8`. The
# kernel synchronises once, so the fall-through to the bad dereference is walked. The
# arithmetic composed from synchronised parts (the 64-bit sum, then its 32-bit bounds, each
# synchronised) knew bit 3: a false accept for every target
# (`domain/kernel_alu.rs`).
r9 = r1
r6 = *(u32 *)(r9 + 12)
r6 &= 0xa6
r6 |= 0x10
if r6 < 0x13 goto out
if r6 > 0x24 goto out
r6 += 0xf17
if r6 & 8 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
exit
out:
r0 = 2
exit
