use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = "two";
        exit;
    }
}

fn main() {}
