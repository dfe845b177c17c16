use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {}
}

fn main() {}
