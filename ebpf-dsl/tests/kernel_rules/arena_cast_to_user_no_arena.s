# kernel: reject
# kernel log: addr_space_cast insn can only be used in a program that has an associated arena
r1 = r10
r1 = addr_space_cast(r1, 1, 0)
r0 = 2
exit
