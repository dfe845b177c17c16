// Rule: too complex. 600,000 iterations of a 2-instruction loop are more than the kernel's
// 1,000,000 processed instructions.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
    again:
        r1 += 1;
        if r1 < 600000 goto again;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
