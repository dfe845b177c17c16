# kernel: reject
# kernel log: math between fp pointer and register with unbounded min value is not allowed
# the kernel's own example (process_iter_next_call): a value made on the first round, used as
# an index on the second, is widened away; safe, refused by the kernel and by us
*(u64 *)(r10 - 24) = 0
r6 = 0
r7 = 0
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
if r7 != 0 goto use
r7 = 1
r6 = 7
goto loop
use:
r1 = r10
r1 += -24
r1 += r6
*(u8 *)(r1 + 0) = 42
goto loop
done:
r1 = r10
r1 += -8
call bpf_iter_num_destroy
r0 = 2
exit
