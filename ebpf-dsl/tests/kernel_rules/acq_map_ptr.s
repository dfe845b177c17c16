# kernel: accept
# since: 6.15
# target: 6.18
# kernel log: (a load-acquire of struct bpf_map's max_entries through the map pointer)
r1 = m ll
w0 = load_acquire((u32 *)(r1 + 76))
r0 = 2
exit
