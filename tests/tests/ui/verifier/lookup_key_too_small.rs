// The verifier knows PAIRS's key is 8 bytes (from `key_size`), so a 4-byte key on the stack
// is too small for the lookup.
use ebpf_dsl_macros::{defmap, defprogram};

#[allow(dead_code)]
struct Pair {
    a: u32,
    b: u32,
}

defmap! {
    PAIRS: hash(key = Pair, key_size = 8, value = u64, max_entries = 64);
}

defprogram! {
    PROG: xdp {
        r2 = r10;
        r2 += -4;
        *(u32 *)(r10 - 4) = 0;
        r1 = PAIRS ll;
        call bpf_map_lookup_elem;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
