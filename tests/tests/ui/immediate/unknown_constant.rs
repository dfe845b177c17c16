use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = XDP_PAS;
        exit;
    }
}

fn main() {}
