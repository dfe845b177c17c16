# kernel: reject
# kernel log: metadata kfuncs require device-bound program
# An XDP metadata kfunc in a program not loaded device-bound (no BPF_F_XDP_DEV_BOUND_ONLY,
# no prog_ifindex: what a loader such as libbpf does by default): refused before any path
# is verified (`add_kfunc_call`, `bpf_dev_bound_kfunc_check`).
r2 = r10
r2 += -8
r3 = r10
r3 += -16
call bpf_xdp_metadata_rx_hash
r0 = 2
exit
