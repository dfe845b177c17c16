# kernel: reject
# type: sched_cls
# kernel log: invalid access to packet, off=1 size=0, R1(id=0,off=1,r=0) / R1 offset is outside of the packet
# A zero-size memory argument still needs its pointer within what was proven: data + 1 with
# nothing compared against data_end (check_packet_access with access_size 0).
r6 = *(u32 *)(r1 + 76)
r6 += 1
r1 = r6
r2 = 0
r3 = 0
r4 = 0
r5 = 0
call bpf_csum_diff
r0 = 0
exit
