# kernel: reject
# kernel log: R3 !read_ok (a bpf_loop callback gets r1 and r2 only)
r1 = 10
r2 = cb ll
r3 = 0
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r0 = r3
r0 &= 1
exit
