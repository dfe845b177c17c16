// Rule: packet bounds. The bounds check proves 14 bytes; the load reads byte 23.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        r4 = r2;
        r4 += 14;
        if r4 > r3 goto out;
        r5 = *(u8 *)(r2 + 23);
    out:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
