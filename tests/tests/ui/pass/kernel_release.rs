//! `kernel = "6.1.130"`: a stable release as the target; 6.1.130 has the 6.1.36 backport that
//! makes a `BPF_ST` immediate spilled to the stack a known constant, so the load through the
//! number is dead code.
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Spills 5 with an immediate store and reads it back.
    pub P: xdp(kernel = "6.1.130") {
        *(u64 *)(r10 - 8) = 5;
        r1 = *(u64 *)(r10 - 8);
        if r1 == 5 goto ok;
        r0 = *(u64 *)(r1 + 0);
    ok:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(P.insns.len(), 6);
}
