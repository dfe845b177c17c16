use ebpf_dsl_macros::defprogram;

// Debian 12's first kernel: a 6.1.y from before the backports the 6.1 model assumes.
defprogram! {
    PROG: xdp(kernel = "6.1.27") {
        r0 = 2;
        exit;
    }
}

fn main() {}
