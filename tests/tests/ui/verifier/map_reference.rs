// Rule: map reference. `map_value(MAP, offset)` (a direct pointer into a map value) needs an
// array map.
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    FLOWS: hash(key = u32, value = u64, max_entries = 16);
}

defprogram! {
    PROG: xdp {
        r1 = map_value(FLOWS, 0) ll;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
