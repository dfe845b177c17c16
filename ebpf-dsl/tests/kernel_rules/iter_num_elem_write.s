# kernel: reject
# kernel log: R0 cannot write into rdonly_mem
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
loop:
r1 = r10
r1 += -8
call bpf_iter_num_next
if r0 == 0 goto done
*(u32 *)(r0 + 0) = 1
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
