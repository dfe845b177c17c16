use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        call bpf_redirect_mapp;
        exit;
    }
}

fn main() {}
