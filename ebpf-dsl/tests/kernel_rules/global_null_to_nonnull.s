# kernel: reject
# until: 6.18
# kernel log: arg#0 is expected to be non-NULL; Caller passes invalid args into func#1 ('f').
# A literal NULL for an __arg_nonnull memory argument (kernel 6.12's check_mem_reg let a
# zero through; 6.18 refuses it).
.global_func f(mem 4 nonnull)
r1 = 0
call f
exit
f:
r0 = *(u32 *)(r1 + 0)
exit
