// Rule: missing null check. A lookup result is used before the `if r0 == 0` test.
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
        r1 = *(u64 *)(r0 + 0);
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
