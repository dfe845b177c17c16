// Rule: pointer arithmetic. The kernel forbids arithmetic on data_end.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r3 = *(u32 *)(r1 + 4);
        r3 += 1;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
