# kernel: accept
# since: 6.18
# kernel log: r1 = r0 + 4 with r1 >= 6 gives r0 = r1 - 4 (sync_linked_regs adds the delta -4 with scalar_min_max_add): every sum wraps past 2^64, so 6.17 keeps 2..=2^64-5 and `if r0 != 0` is always taken; before, the sum's range was unknown and the scalar load was walked (the verifier_linked_scalars selftests without their mask)
call bpf_get_prandom_u32
r1 = r0
r1 += 4
if r1 < 6 goto out
if r0 != 0 goto out
r0 = *(u64 *)(r0 + 0)
out:
r0 = 2
exit
