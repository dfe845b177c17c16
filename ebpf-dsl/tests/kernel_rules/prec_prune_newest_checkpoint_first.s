# kernel: accept
# kernel log: processed 75 insns (limit 1000000) max_states_per_insn 1 total_states 4
# The kernel compares a state with an instruction's checkpoints newest first and stops at the
# first that covers it, whose precise marks it then propagates: the checkpoint at p of the
# first path (r2 = 1, made precise below by `if r2 == 1`, decided) and the newer one of the
# second (r2 unknown, imprecise) both cover the third path's r2 = 1 at p; the newer prunes it
# without making r2 precise, so the checkpoint at q stays imprecise in r2 and the fourth path
# (r2 = 2) is pruned at q (75 processed, 4 states; comparing the oldest first marks r2 precise
# at q and walks the fourth path down to p: 96).
call bpf_get_prandom_u32
r6 = r0
call bpf_get_prandom_u32
r7 = r0
call bpf_get_prandom_u32
r8 = r0
r2 = 1
r4 = 0
if r8 > 10 goto cd
if r6 > 10 goto b
r3 = 0
goto p
b:
r2 = r7
r2 &= 255
goto p
cd:
r2 = 1
if r6 > 5 goto d
r3 = 0
goto q
d:
r2 = 2
q:
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
if r7 == 3 goto p
r0 = 0
p:
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
r0 = 0
if r4 != 0 goto out
if r2 == 1 goto out
r0 = 1
out:
exit
