use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        r1 += -2147483649;
        r0 = 2;
        exit;
    }
}

fn main() {}
