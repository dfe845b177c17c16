# Reduced from bpf-examples pkt-loop-filter (filter_ingress_pkt): bpf_printk with more than
# three values becomes bpf_trace_vprintk (helper 177).
# Kernel 6.18: accept (GPL; arg1 = read-only memory, arg2 = its size, arg3 = memory or NULL,
# arg4 = its size).
# ebpf-dsl check: reject, "bpf_trace_vprintk (helper #177) is not modelled by this verifier".
    r1 = 0
    *(u64 *)(r10 - 8) = r1
    *(u64 *)(r10 - 16) = r1
    r1 = r10
    r1 += -8
    r2 = 8
    r3 = r10
    r3 += -16
    r4 = 8
    call bpf_trace_vprintk
    r0 = 2
    exit
