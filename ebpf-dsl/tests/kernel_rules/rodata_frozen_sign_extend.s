# kernel: accept
# kernel log: a sign-extending load of the byte 0xff gives -1 (is_ldsx in bpf_map_direct_read)
.map cfg array key=4 value=8 flags=rdonly_prog init=ff
r2 = *(u32 *)(r1 + 0)
r1 = map_value(cfg, 0) ll
r0 = *(s8 *)(r1 + 0)
if r0 s< 0 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
