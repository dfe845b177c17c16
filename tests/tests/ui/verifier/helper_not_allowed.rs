// Rule: helper not allowed. bpf_skb_load_bytes reads socket buffers; XDP programs may not call
// it (see also helper/gpl_only.rs: a GPL-only helper under another license).
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = 0;
        r3 = r10;
        r3 += -8;
        r4 = 4;
        call bpf_skb_load_bytes;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
