use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 10;
        r1 s/= 0;
        r0 = 2;
        exit;
    }
}

fn main() {}
