// Rule: pointer leak. A function returns a pointer into its own stack frame, which is gone
// once it returns (the kernel: "cannot return stack pointer to the caller frame").
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        call f;
        r0 = XDP_PASS;
        exit;
    f:
        r0 = r10;
        r0 += -8;
        exit;
    }
}

fn main() {}
