# kernel: accept
# since: 6.12
# A map pointer (`CONST_PTR_TO_MAP`) is never NULL: `if r1 != 0` always jumps, and the
# write to the frame pointer after it is dead code.
r1 = m ll
if r1 != 0 goto out
r10 = 42
out:
r0 = 2
exit
