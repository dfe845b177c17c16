// A map whose key size only rustc knows: the static verifier cannot run; defprogram! says
// so with a warning (made an error here to show it).
#![deny(deprecated)]

use ebpf_dsl_macros::{defmap, defprogram};

#[repr(C)]
struct FlowKey {
    _addr: u32,
    _port: u32,
}

defmap! {
    FLOWS: hash(key = FlowKey, value = u64, max_entries = 1024);
}

defprogram! {
    PROG: xdp {
        *(u64 *)(r10 - 8) = 0;
        r2 = r10;
        r2 += -8;
        r1 = FLOWS ll;
        call bpf_map_lookup_elem;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
