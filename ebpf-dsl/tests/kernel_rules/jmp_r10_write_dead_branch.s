# kernel: accept
# note: r0 & 0xff is at most 255, so the branch writing r10 is dead; the kernel checks the write only on paths it walks (check_reg_arg), so the assembler's structural check must not reject it
call bpf_get_prandom_u32
r0 &= 0xff
if r0 < 256 goto out
r10 = 0
out:
r0 = 2
exit
