# kernel: reject
# type: sched_cls
# kernel log: R1 invalid mem access 'scalar'
# prune_dead_slots_deep_frames with the slot at fp-16 of the innermost (8th) frame read at
# the end: live there, so the path that skipped its spill (fp-16 uninitialised, read as a
# scalar by root) is not pruned and is refused.
call f0
exit
f0:
call f1
exit
f1:
call f2
exit
f2:
call f3
exit
f3:
call f4
exit
f4:
call f5
exit
f5:
call f6
exit
f6:
r6 = r1
call bpf_get_prandom_u32
if r0 == 347712783 goto +2
r1 = r10
*(u64 *)(r1 - 16) = r6
call bpf_get_prandom_u32
if r0 == 1017762682 goto +2
r1 = r10
*(u64 *)(r1 - 24) = r6
call bpf_get_prandom_u32
if r0 == 161973070 goto +2
r1 = r10
*(u64 *)(r1 - 32) = r6
call bpf_get_prandom_u32
if r0 == 423938500 goto +2
r1 = r10
*(u64 *)(r1 - 40) = r6
call bpf_get_prandom_u32
if r0 == 698935573 goto +2
r1 = r10
*(u64 *)(r1 - 48) = r6
call bpf_get_prandom_u32
if r0 == 51847157 goto +2
r1 = r10
*(u64 *)(r1 - 56) = r6
call bpf_get_prandom_u32
if r0 == 77777869 goto +2
r1 = r10
*(u64 *)(r1 - 64) = r6
call bpf_get_prandom_u32
if r0 == 881836554 goto +2
r1 = r10
*(u64 *)(r1 - 72) = r6
call bpf_get_prandom_u32
if r0 == 575398923 goto +2
r1 = r10
*(u64 *)(r1 - 80) = r6
call bpf_get_prandom_u32
if r0 == 101071365 goto +2
r1 = r10
*(u64 *)(r1 - 88) = r6
call bpf_get_prandom_u32
if r0 == 392655487 goto +2
r1 = r10
*(u64 *)(r1 - 96) = r6
call bpf_get_prandom_u32
if r0 == 625763864 goto +2
r1 = r10
*(u64 *)(r1 - 104) = r6
call bpf_get_prandom_u32
if r0 == 62275870 goto +2
r1 = r10
*(u64 *)(r1 - 112) = r6
call bpf_get_prandom_u32
if r0 == 976787302 goto +2
r1 = r10
*(u64 *)(r1 - 120) = r6
call bpf_get_prandom_u32
if r0 == 544854974 goto +2
r1 = r10
*(u64 *)(r1 - 128) = r6
call bpf_get_prandom_u32
if r0 == 230530420 goto +2
r1 = r10
*(u64 *)(r1 - 136) = r6
call bpf_get_prandom_u32
if r0 == 40260663 goto +2
r1 = r10
*(u64 *)(r1 - 144) = r6
call bpf_get_prandom_u32
if r0 == 92285143 goto +2
r1 = r10
*(u64 *)(r1 - 152) = r6
call bpf_get_prandom_u32
if r0 == 465623511 goto +2
r1 = r10
*(u64 *)(r1 - 160) = r6
call bpf_get_prandom_u32
if r0 == 449008935 goto +2
r1 = r10
*(u64 *)(r1 - 168) = r6
call bpf_get_prandom_u32
if r0 == 75006692 goto +2
r1 = r10
*(u64 *)(r1 - 176) = r6
call bpf_get_prandom_u32
if r0 == 258409930 goto +2
r1 = r10
*(u64 *)(r1 - 184) = r6
call bpf_get_prandom_u32
if r0 == 97402359 goto +2
r1 = r10
*(u64 *)(r1 - 192) = r6
call bpf_get_prandom_u32
if r0 == 591682484 goto +2
r1 = r10
*(u64 *)(r1 - 200) = r6
r1 = *(u64 *)(r10 - 16)
r0 = *(u32 *)(r1 + 0)
r0 = 42
exit
