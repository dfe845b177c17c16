# kernel: reject
# kernel log: verifier bug: No program to jit at insn 7 (subprog < 0). `g` is named but no path
# runs it: the kernel removes its code (opt_remove_dead_code), the load keeps its target index,
# now past the end, and jit_subprogs finds no function there (two functions are left). Found by
# verifier_call_fuzz (a bpf_loop of 0 rounds).
call f
r2 = g ll
r0 = 0
exit
f:
r0 = 0
exit
g:
r0 = 0
exit
