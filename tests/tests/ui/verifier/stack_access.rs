// Rule: stack access. The store is below the 512-byte stack frame (see also
// lookup_key_too_small.rs: a map key on the stack shorter than the map's key).
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        *(u64 *)(r10 - 520) = r1;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
