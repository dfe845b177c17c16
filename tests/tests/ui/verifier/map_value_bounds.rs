// Rule: map value bounds. The value is 8 bytes; the load reads bytes 8..16.
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    COUNTS: array(value = u64, max_entries = 4);
}

defprogram! {
    PROG: xdp {
        *(u32 *)(r10 - 4) = 0;
        r2 = r10;
        r2 += -4;
        r1 = COUNTS ll;
        call bpf_map_lookup_elem;
        if r0 == 0 goto out;
        r1 = *(u64 *)(r0 + 8);
    out:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
