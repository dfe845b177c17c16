use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
        if r1 == 0 goto +1;
        r2 = 0x1122334455667788 ll;
        exit;
    }
}

fn main() {}
