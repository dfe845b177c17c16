# kernel: reject
# kernel log: verifier bug: No program to jit at insn 29 (subprog < 0) (after the kernel inlines bpf_loop). cb_loop_count_zero.s
# with a subprogram before the callback: the callback of 0 rounds is never explored, the kernel
# removes its code, and the callback's load then points past the end of the program, where
# jit_subprogs finds no function.
call f
r1 = 0
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
f:
r0 = 0
exit
cb:
r0 = 0
exit
