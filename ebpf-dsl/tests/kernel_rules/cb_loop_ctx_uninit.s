# kernel: accept
# The callback reads the caller's stack through its context; bytes the caller never wrote read
# as unknown (root: allow_uninit_stack).
r1 = 10
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r3 = *(u64 *)(r2 + 0)
r0 = 0
exit
