use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
        mov r1, 3;
        r2 = *(u32 *)(r1 + );
        exit;
    }
}

fn main() {}
