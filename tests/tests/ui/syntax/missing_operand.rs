use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = ;
        r0 = 2;
        exit;
    }
}

fn main() {}
