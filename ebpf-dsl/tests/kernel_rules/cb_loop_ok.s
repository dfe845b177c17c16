# kernel: accept
# A callback given as a label: `r2 = cb ll` (BPF_PSEUDO_FUNC); it returns 0 (continue).
r1 = 4
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = 0
exit
