use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
    out:
        r0 = 1;
    out:
        exit;
    }
}

fn main() {}
