# kernel: accept
# license: Proprietary
# A non-GPL program without kfunc calls, calling a helper that is not GPL-only: accepted.
call bpf_get_prandom_u32
r0 = 2
exit
