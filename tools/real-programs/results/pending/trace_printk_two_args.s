# Reduced from xdp-tutorial tracing04-xdp-tcpdump (xdp_sample_prog) and bpf-examples
# pkt-loop-filter (record_egress_pkt): bpf_printk with fewer than three values.
# Kernel 6.18: accept (bpf_trace_printk_proto checks arg1 = memory, arg2 = its size; args 3-5
# are ARG_DONTCARE: uninitialised r3-r5 are fine).
# ebpf-dsl check: reject, "bpf_trace_printk takes 5 arguments, but r3 is read here but no
# instruction on this path has written it" [uninitialised register].
    r1 = 0
    *(u64 *)(r10 - 8) = r1
    r1 = r10
    r1 += -8
    r2 = 8
    call bpf_trace_printk
    r0 = 2
    exit
