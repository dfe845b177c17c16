# kernel: accept
# since: 6.17
# kernel log: 6.17 and later track rX = -rX (6.12's check_alu_op makes it unknown, and walks the bad path)
r0 = 5
r0 = -r0
if r0 == -5 goto ok
r0 = *(u64 *)(r0 + 0)
ok:
r0 = 2
exit
