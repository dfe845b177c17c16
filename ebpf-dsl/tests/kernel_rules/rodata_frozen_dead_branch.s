# kernel: accept
# kernel log: a load at a constant offset of a frozen BPF_F_RDONLY_PROG array is a known
#   number (bpf_map_direct_read): cfg[0] = 0, so the unchecked packet read is dead code
.map cfg array key=4 value=8 flags=rdonly_prog init=0000000007000000
r2 = *(u32 *)(r1 + 0)
r1 = map_value(cfg, 0) ll
r0 = *(u32 *)(r1 + 0)
if r0 == 0 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
