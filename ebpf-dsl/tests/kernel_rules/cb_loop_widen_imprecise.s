# kernel: reject
# kernel log: math between map_value pointer and register with unbounded min value is not
# allowed. cb_loop_incomplete_marks.s with 8 stored, an offset that fits the value: the
# kernel's widen_imprecise_scalars at the callback's return (prepare_func_exit ->
# find_prev_entry) compares the caller with the unfinished entry state at the callsite, the
# returning path's own last checkpoint, where fp-8 (0) is not yet precise (use: is explored
# last): fp-8 = 8 becomes unknown and the next round's use: refuses it.
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 8) = 0
r1 = 4
r2 = cb ll
r3 = r10
r3 += -16
r4 = 0
call bpf_loop
r0 = 2
exit
cb:
r9 = r2
r8 = 0
r8 += 1
r8 += 1
call bpf_get_prandom_u32
if r0 == 7 goto use
call bpf_get_prandom_u32
if r0 == 5 goto b
j:
r0 = 0
exit
b:
r1 = 8
*(u64 *)(r9 + 8) = r1
goto j
use:
r7 = *(u64 *)(r9 + 8)
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = m ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r7
r0 = *(u8 *)(r0 + 0)
out:
r0 = 0
exit
