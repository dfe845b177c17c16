# kernel: accept
# since: 6.9
# type: socket_filter
# kernel log: r6 and r7 are widened on the fall-through (widen_imprecise_scalars)
r0 = 0
r6 = 0
r7 = 0
l:
may_goto +3
r6 += 1
r7 += 2
goto l
exit
