# kernel: accept
# kernel log: processed 87 insns (limit 1000000) max_states_per_insn 1 total_states 2
# A checkpoint whose live slot holds a spill deeper than anything the new path's frame has
# allocated does not cover it: 6.18's `stacksafe` refuses such a slot (`i >=
# cur->allocated_stack`) before looking at what either holds, even though the new path would
# read unknown bytes there. The first path spills at r10 - 64; the second never touches that
# slot (its frame has allocated nothing yet), so it is walked again after the join (87 processed, not
# 51). `Frame::alloc` tracks the kernel's `allocated_stack`, grown by every access.
call bpf_get_prandom_u32
r6 = r0
r7 = r0
r7 &= 255
r6 &= 65535
r8 = 0
r9 = 0
r1 = 0
r2 = 0
if r0 > 10 goto b
*(u64 *)(r10 - 64) = r6
goto j
b:
r8 = 1
j:
r3 = 0
r4 = 0
r5 = 0
if r9 == 1 goto end
r1 = *(u64 *)(r10 - 64)
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
r0 = 1
end:
r0 = 2
exit
