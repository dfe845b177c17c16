// Rule: call stack. A bpf-to-bpf function that calls itself (the kernel refuses recursion).
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        call f;
        r0 = XDP_PASS;
        exit;
    f:
        call f;
        r0 = 0;
        exit;
    }
}

fn main() {}
