// An interpolated value the macro can evaluate itself (literal arithmetic) is verified like
// any immediate: here a packet read beyond the bounds check.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        r4 = r2;
        r4 += { 14 + 20 };
        if r4 > r3 goto out;
        r5 = *(u8 *)(r2 + { 30 + 4 });
    out:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
