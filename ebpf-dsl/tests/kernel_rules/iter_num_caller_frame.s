# kernel: accept
# a function runs the loop of its caller's iterator through a pointer
r1 = r10
r1 += -8
r2 = 0
r3 = 10
call bpf_iter_num_new
r1 = r10
r1 += -8
call f
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
f:
r6 = r1
r7 = 0
loop:
r1 = r6
call bpf_iter_num_next
if r0 == 0 goto done
r1 = *(u32 *)(r0 + 0)
r7 += r1
goto loop
done:
r0 = r7
exit
