# kernel: reject
# type: socket_filter
# kernel log: infinite loop detected (the jump comes back with the same depth)
r0 = 0
l:
may_goto l
exit
