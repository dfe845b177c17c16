# kernel: accept
# type: sched_cls
# A sign-extending load of a socket field (check_sock_access: bpf_sock_common_is_valid_access
# has no is_ldsx test; the converted load is followed by a movsx).
r2 = *(u64 *)(r1 + 168)
if r2 == 0 goto out
r0 = *(s32 *)(r2 + 4)
out:
r0 = 0
exit
