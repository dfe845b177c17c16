use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        .section xdp;
        r0 = 2;
        exit;
    }
}

fn main() {}
