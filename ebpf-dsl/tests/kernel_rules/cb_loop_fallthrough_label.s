# kernel: reject
# kernel log: last insn is not an exit or jmp (the callback label splits the main function)
r1 = 10
r2 = mid ll
r3 = 0
r4 = 0
call bpf_loop
mid:
r0 = 0
exit
