// Rule: map/helper compatibility. bpf_redirect_map works on XSKMAP, DEVMAP and CPUMAP only.
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    FLOWS: hash(key = u32, value = u32, max_entries = 16);
}

defprogram! {
    PROG: xdp {
        r2 = 0;
        r1 = FLOWS ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
