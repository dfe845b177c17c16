# kernel: accept
# since: 6.12
# cpus: 2
# kernel log: 0: (85) call bpf_get_smp_processor_id#8 ; R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=1,var_off=(0x0; 0x1))
# The kernel bounds the CPU number by the machine's nr_cpu_ids - 1 (do_refine_retval_range),
# so the number, unchecked, is an offset into a value of one byte per possible CPU. The
# value's 8192 bytes hold x86-64's largest NR_CPUS, so every machine's kernel accepts; the
# static verifier accepts when it knows the machine's count (`VerifyInput::possible_cpus`,
# `check --possible-cpus`): 2 here, the running machine's in the live test. Reduced from a
# mutant of pvvm's XDP-Tryouts prod_cons (a `.bss` counter indexed by CPU, its bound
# deleted), which the kernel of a 2-CPU machine accepts.
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
