use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r10 = *(u64 *)(r1 + 0);
        r0 = 2;
        exit;
    }
}

fn main() {}
