# kernel: reject
# kernel log: arg#0 expects pointer to ctx; Caller passes invalid args into func#1 ('f').
.global_func f(ctx)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
call f
exit
f:
r0 = 0
exit
