use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = 1;
        w1 = r2;
        r0 = 2;
        exit;
    }
}

fn main() {}
