use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        *(u64 *)(r10 - 32769) = r1;
        r0 = 2;
        exit;
    }
}

fn main() {}
