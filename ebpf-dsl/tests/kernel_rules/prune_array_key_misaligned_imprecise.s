# kernel: accept
# kernel log: processed 164 insns (limit 1000000) max_states_per_insn 0 total_states 16
# The key of an array lookup stored at r10 - 4 by a 4-byte store off its slot's start: the
# kernel keeps such bytes as plain data (STACK_MISC, not a spill; STACK_ZERO only for a zero),
# so the key is no constant (`get_constant_map_key` gives up) and is not marked precise. The
# 2^20 paths of the diamonds before it, which differ only in its value, are then pruned at
# each join; a verifier marking the key precise at every array lookup explores them all and
# passes the 1,000,000-instruction limit (xdp_acl, bmc-cache: a false reject by complexity).
call bpf_get_prandom_u32
r6 = r0
r7 = 1
r1 = r6
r1 &= 1
if r1 == 0 goto j0
r7 += 2
j0:
r1 = r6
r1 &= 2
if r1 == 0 goto j1
r7 += 4
j1:
r1 = r6
r1 &= 4
if r1 == 0 goto j2
r7 += 8
j2:
r1 = r6
r1 &= 8
if r1 == 0 goto j3
r7 += 16
j3:
r1 = r6
r1 &= 16
if r1 == 0 goto j4
r7 += 32
j4:
r1 = r6
r1 &= 32
if r1 == 0 goto j5
r7 += 64
j5:
r1 = r6
r1 &= 64
if r1 == 0 goto j6
r7 += 128
j6:
r1 = r6
r1 &= 128
if r1 == 0 goto j7
r7 += 256
j7:
r1 = r6
r1 &= 256
if r1 == 0 goto j8
r7 += 512
j8:
r1 = r6
r1 &= 512
if r1 == 0 goto j9
r7 += 1024
j9:
r1 = r6
r1 &= 1024
if r1 == 0 goto j10
r7 += 2048
j10:
r1 = r6
r1 &= 2048
if r1 == 0 goto j11
r7 += 4096
j11:
r1 = r6
r1 &= 4096
if r1 == 0 goto j12
r7 += 8192
j12:
r1 = r6
r1 &= 8192
if r1 == 0 goto j13
r7 += 16384
j13:
r1 = r6
r1 &= 16384
if r1 == 0 goto j14
r7 += 32768
j14:
r1 = r6
r1 &= 32768
if r1 == 0 goto j15
r7 += 65536
j15:
r1 = r6
r1 &= 65536
if r1 == 0 goto j16
r7 += 131072
j16:
r1 = r6
r1 &= 131072
if r1 == 0 goto j17
r7 += 262144
j17:
r1 = r6
r1 &= 262144
if r1 == 0 goto j18
r7 += 524288
j18:
r1 = r6
r1 &= 524288
if r1 == 0 goto j19
r7 += 1048576
j19:
*(u32 *)(r10 - 4) = w7
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 = *(u32 *)(r0 + 0)
out:
r0 = 2
exit
