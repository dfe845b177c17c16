use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        w1 = 1;
        w1 >>= 32;
        r0 = 2;
        exit;
    }
}

fn main() {}
