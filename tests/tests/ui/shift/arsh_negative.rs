use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 1;
        r1 s>>= -1;
        r0 = 2;
        exit;
    }
}

fn main() {}
