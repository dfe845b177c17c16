# kernel: accept
# since: 6.11
# the bits iterator (Linux 6.11) over a word on the stack
*(u64 *)(r10 - 24) = 5
r1 = r10
r1 += -16
r2 = r10
r2 += -24
r3 = 1
call bpf_iter_bits_new
loop:
r1 = r10
r1 += -16
call bpf_iter_bits_next
if r0 == 0 goto done
r1 = *(u32 *)(r0 + 0)
goto loop
done:
r1 = r10
r1 += -16
call bpf_iter_bits_destroy
r0 = 2
exit
