use ebpf_dsl_macros::defprogram;

defprogram! {
    REDIRECT_EVERYTHING_TO_XSK: xdp {
        r0 = 2;
        exit;
    }
}

fn main() {}
