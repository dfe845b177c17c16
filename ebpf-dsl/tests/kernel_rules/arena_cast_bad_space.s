# kernel: reject
# kernel log: addr_space_cast insn can only convert between address space 1 and 0
r1 = 0
r1 = addr_space_cast(r1, 0, 2)
r0 = 2
exit
