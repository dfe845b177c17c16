# kernel: reject
# type: socket_filter
# kernel log: R5 !read_ok (the fall-through is explored too)
may_goto +2
r0 = r5
exit
r0 = 0
exit
