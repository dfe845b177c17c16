use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0x100000000;
        r0 = 2;
        exit;
    }
}

fn main() {}
