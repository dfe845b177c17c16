# kernel: accept
# since: 6.12
# kernel log: 0: (85) call bpf_get_smp_processor_id#8 ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))
# The kernel narrows the CPU number to 0..nr_cpu_ids (do_refine_retval_range): it is never
# negative, so a signed upper bound alone bounds it as an offset.
call bpf_get_smp_processor_id
r6 = r0
if r6 s> 7 goto out
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = 2
exit
