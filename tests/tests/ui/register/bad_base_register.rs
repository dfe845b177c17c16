use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = *(u32 *)(r12 + 0);
        r0 = 2;
        exit;
    }
}

fn main() {}
