use ebpf_dsl_macros::defprogram;

defprogram! {
    /// The smallest XDP program: pass every packet.
    pub PASS: xdp {
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(PASS.insns.len(), 2);
    assert_eq!(PASS.name, "pass");
}
