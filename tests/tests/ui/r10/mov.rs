use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r10 = 0;
        r0 = 2;
        exit;
    }
}

fn main() {}
