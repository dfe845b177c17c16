use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: kprobe {
        r0 = 0;
        exit;
    }
}

fn main() {}
