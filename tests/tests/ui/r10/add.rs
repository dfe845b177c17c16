use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r10 += 8;
        r0 = 2;
        exit;
    }
}

fn main() {}
