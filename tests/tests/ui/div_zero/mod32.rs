use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        w1 = 10;
        w1 %= 0;
        r0 = 2;
        exit;
    }
}

fn main() {}
