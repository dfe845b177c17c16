# kernel: accept
# the same counter, bounded by the loop itself: precise, explored to its bound
*(u64 *)(r10 - 16) = 0
r6 = 0
r1 = r10
r1 += -8
r2 = 0
r3 = 100
call bpf_iter_num_new
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto done
if r6 > 7 goto done
r1 = r10
r1 += -16
r1 += r6
r2 = *(u8 *)(r1 + 0)
r6 += 1
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
