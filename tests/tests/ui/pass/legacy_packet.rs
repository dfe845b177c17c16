//! The legacy packet loads `LD_ABS` / `LD_IND` (socket filters): `r6` holds the context.
use ebpf_dsl::{Insn, ProgramType};
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Accepts IPv4 frames (EtherType at offset 12), drops the rest.
    pub IPV4_ONLY: socket_filter(license = "Dual MIT/GPL") {
        r6 = r1;
        r0 = *(u16 *)skb[12];
        if r0 != 0x0800 goto drop;
        r7 = 14;
        r0 = *(u8 *)skb[r7];
        r0 = *(u32 *)skb[r7 + 2];
        r0 = -1;
        exit;
    drop:
        r0 = 0;
        exit;
    }
}

fn main() {
    assert_eq!(IPV4_ONLY.prog_type, ProgramType::SocketFilter);
    assert_eq!(IPV4_ONLY.license, "Dual MIT/GPL");
    assert_eq!(IPV4_ONLY.name, "ipv4_only");
    // BPF_LD | BPF_ABS | BPF_H.
    assert_eq!(IPV4_ONLY.insns[1], Insn::new(0x28, 0, 0, 0, 12));
    // BPF_LD | BPF_IND | BPF_B with src = r7.
    assert_eq!(IPV4_ONLY.insns[4], Insn::new(0x50, 0, 7, 0, 0));
    assert_eq!(IPV4_ONLY.insns[5], Insn::new(0x40, 0, 7, 0, 2));
}
