use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        *(u64 *)(r10 - 520) = r1;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
