use ebpf_dsl_macros::defprogram;

const OFF: i32 = 40_000;

defprogram! {
    PROG: xdp {
        r2 = *(u32 *)(r1 + { OFF });
        r0 = 2;
        exit;
    }
}

fn main() {}
