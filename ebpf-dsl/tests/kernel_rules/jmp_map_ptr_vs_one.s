# kernel: reject
# kernel log: frame pointer is read only
# Compared with 1 rather than 0, a map pointer decides nothing: both branches are verified
# and the write to the frame pointer is reached.
r1 = m ll
if r1 != 1 goto out
r10 = 42
out:
r0 = 2
exit
