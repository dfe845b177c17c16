use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
        frobnicate r1;
        exit;
    }
}

fn main() {}
