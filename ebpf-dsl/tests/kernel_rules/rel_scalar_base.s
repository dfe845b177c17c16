# kernel: reject
# target: 6.18
# kernel log: R1 invalid mem access 'scalar'
r1 = 0
w2 = 0
store_release((u32 *)(r1 + 0), w2)
r0 = 2
exit
