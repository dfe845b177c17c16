// Rule: return value. A path reaches `exit` without setting r0.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = *(u32 *)(r1 + 16);
        if r2 == 0 goto out;
        r0 = XDP_PASS;
    out:
        exit;
    }
}

fn main() {}
