# kernel: accept
# since: 6.6
# kernel log: a -mcpu=v4 jump with a 32-bit offset (BPF_JMP32 | BPF_JA); 6.6 upstream (6.1.192 has it backported, older 6.1 releases refuse it: gated at 6.6, CPU_V4)
r0 = 2
gotol +0
exit
