// Rule: reference leak. A ring buffer reservation that is neither submitted nor discarded
// (the kernel: "Unreleased reference").
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    EVENTS: ringbuf(max_entries = 4096);
}

defprogram! {
    PROG: xdp {
        r1 = EVENTS ll;
        r2 = 8;
        r3 = 0;
        call bpf_ringbuf_reserve;
        if r0 == 0 goto out;
        r1 = 7;
        *(u64 *)(r0 + 0) = r1;
    out:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
