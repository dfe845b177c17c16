# kernel: accept
# type: sched_cls
# kernel log: ctx-only tc helpers
r6 = r1
call bpf_get_route_realm
r1 = r6
call bpf_get_cgroup_classid
r1 = r6
call bpf_skb_cgroup_id
r1 = r6
r2 = 0
call bpf_skb_ancestor_cgroup_id
r1 = r6
call bpf_skb_cgroup_classid
r1 = r6
call bpf_set_hash_invalid
r1 = r6
call bpf_skb_ecn_set_ce
r1 = r6
r2 = 0
r3 = 0
call bpf_skb_set_tstamp
r1 = r6
r2 = 1
call bpf_skb_change_type
r1 = r6
r2 = 0
r3 = r10
r3 += -16
r4 = 16
r5 = 0
call bpf_skb_get_xfrm_state
r1 = r6
r2 = 0x8100
r3 = 1
call bpf_skb_vlan_push
r1 = r6
call bpf_skb_vlan_pop
r1 = r6
r2 = 0x86dd
r3 = 0
call bpf_skb_change_proto
r0 = 0
exit
