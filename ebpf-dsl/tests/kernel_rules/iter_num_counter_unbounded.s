# kernel: reject
# a counter that indexes an 8-byte buffer below the iterator is precise: the rounds go on
# until it reaches the iterator's bytes
# kernel log: invalid read from stack off -8+0 size 1
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
