# kernel: accept
# On the branch where r4 = data + 34 is past data_end, comparing it with data_end again is
# decided (is_pkt_ptr_branch_taken): the fall-through, which reads through a number, is dead
# (clang -O1 repeats such checks, katran's tc_decap_info).
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 34
if r4 > r3 goto x
r0 = 2
exit
x:
if r4 > r3 goto out
r0 = 7
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
