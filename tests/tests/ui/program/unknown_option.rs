use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp(licence = "GPL") {
        r0 = 2;
        exit;
    }
}

fn main() {}
