# kernel: accept
# ours: reject
# since: 6.12
# kernel log: 0: (85) call bpf_get_smp_processor_id#8 ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))
# helper_smp_processor_id_machine_cpus.s without a machine: the static verifier knows only
# that the CPU number fits in 32 bits, as any machine's count does, so the offset may pass
# the value and it refuses (a known false reject by design: a verdict for no machine in
# particular; the live test gives the running machine's count and accepts).
.map big array key=4 value=8192 max_entries=1
call bpf_get_smp_processor_id
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = big ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
