use ebpf_dsl_macros::defprogram;

// A patch level must be a number: `6.1.x` is no release.
defprogram! {
    PROG: xdp(kernel = "6.1.x") {
        r0 = 2;
        exit;
    }
}

fn main() {}
