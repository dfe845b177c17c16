use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = r1;
        exit;
    }
}

fn main() {}
