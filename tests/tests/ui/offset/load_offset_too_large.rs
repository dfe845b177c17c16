use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = *(u32 *)(r1 + 40000);
        r0 = 2;
        exit;
    }
}

fn main() {}
