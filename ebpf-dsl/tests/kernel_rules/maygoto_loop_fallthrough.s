# kernel: accept
# since: 6.9
# type: socket_filter
# kernel log: the fall-through comes back to the may_goto with another depth (bounded by the counter)
r0 = 0
l:
may_goto +1
goto l
exit
