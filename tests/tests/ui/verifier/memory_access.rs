// Rule: invalid memory access. A load through a register that holds a number, not a pointer.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = 0;
        r3 = *(u64 *)(r2 + 8);
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
