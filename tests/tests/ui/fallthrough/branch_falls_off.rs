use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
        if r1 == 0 goto out;
        exit;
    out:
        r0 = 1;
    }
}

fn main() {}
