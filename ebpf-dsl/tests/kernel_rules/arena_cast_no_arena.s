# kernel: reject
# type: socket_filter
# kernel log: addr_space_cast insn can only be used in a program that has an associated arena
r1 = m ll
r1 = 0
r1 = addr_space_cast(r1, 0, 1)
r0 = 0
exit
