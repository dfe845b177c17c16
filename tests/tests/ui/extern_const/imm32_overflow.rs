use ebpf_dsl_macros::defprogram;

const BIG: u64 = 1 << 40;

defprogram! {
    PROG: xdp {
        r1 = { BIG };
        r0 = 2;
        exit;
    }
}

fn main() {}
