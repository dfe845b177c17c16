# kernel: accept
# since: 6.18
# kernel log: r0-r5 copies of r6, dead at the comparison; 6.18.44 collects only the live copies (r6, r7), r7 gets r6's refined 0..=10 and the stack read at fp-16 + r7 is in bounds. 6.12.118's collect_linked_regs takes every register: r0-r5 fill the six entries, r6 and r7 lose the link, r7 stays 0..=255 and the read can leave the stack (refused for 6.12-6.17: LINKED_LIVE_ONLY; 6.6 has no limit and would accept, this verifier cuts there too: a false reject only)
r6 = *(u32 *)(r1 + 12)
r6 &= 255
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r0 = r6
r1 = r6
r2 = r6
r3 = r6
r4 = r6
r5 = r6
r7 = r6
if r6 > 10 goto out
r8 = r10
r8 += -16
r8 += r7
r0 = *(u8 *)(r8 + 0)
out:
r0 = 2
exit
