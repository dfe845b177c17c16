use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r11 = 1;
        r0 = 2;
        exit;
    }
}

fn main() {}
