use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp(license = "Proprietary") {
        call bpf_ktime_get_ns;
        r1 = r10;
        r1 += -8;
        *(u64 *)(r10 - 8) = r0;
        r2 = 8;
        call bpf_trace_printk;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
