# kernel: accept
# ours: reject
# target: 6.18
# kernel log: ops is a pointer member: the read gives PTR_TO_BTF_ID (not modelled here)
r1 = m ll
r0 = *(u64 *)(r1 + 40)
r0 = 0
exit
