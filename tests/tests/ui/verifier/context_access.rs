// Rule: context access. struct xdp_md is read-only for XDP programs.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        *(u32 *)(r1 + 0) = 1;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
