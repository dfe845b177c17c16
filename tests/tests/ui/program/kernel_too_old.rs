use ebpf_dsl_macros::defprogram;

// Debian 11's kernel: older than 6.1, the oldest target the static verifier supports.
defprogram! {
    PROG: xdp(kernel = "5.10") {
        r0 = 2;
        exit;
    }
}

fn main() {}
