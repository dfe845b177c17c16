use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xpd {
        r0 = 2;
        exit;
    }
}

fn main() {}
