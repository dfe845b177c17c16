use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp(verify = none) {
        r0 = 2;
        exit;
    }
}

fn main() {}
