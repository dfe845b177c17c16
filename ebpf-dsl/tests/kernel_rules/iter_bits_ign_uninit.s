# kernel: accept
# since: 6.11
# bpf_iter_bits_new with r2 never set: its `unsafe_ptr__ign` argument is skipped by the
# kernel's check_kfunc_args (is_kfunc_arg_ignore), so the register is not read
r1 = r10
r1 += -16
r3 = 1
call bpf_iter_bits_new
r1 = r10
r1 += -16
call bpf_iter_bits_next
r1 = r10
r1 += -16
call bpf_iter_bits_destroy
r0 = 2
exit
