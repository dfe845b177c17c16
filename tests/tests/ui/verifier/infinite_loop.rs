// Rule: infinite loop. The loop never changes r1, so it comes back to the test in exactly
// the same state (the kernel: "infinite loop detected").
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
    again:
        if r1 == 0 goto again;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
