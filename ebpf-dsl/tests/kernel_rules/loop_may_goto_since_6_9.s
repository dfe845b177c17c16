# kernel: accept
# since: 6.9
# `may_goto` (BPF_JMP | BPF_JCOND): first released in 6.9; older kernels refuse the opcode
# (`invalid BPF_JMP/JMP32 opcode e0`).
r0 = 0
l:
may_goto +2
r0 += 1
goto l
r0 = 2
exit
