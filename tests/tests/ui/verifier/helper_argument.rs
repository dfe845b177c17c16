use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        r2 = 0;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
