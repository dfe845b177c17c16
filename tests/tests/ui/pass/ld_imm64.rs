//! `ld_imm64`: a 64-bit constant, a map (`BPF_PSEUDO_MAP_FD`) and a map value address
//! (`BPF_PSEUDO_MAP_VALUE`), with relocations naming the maps' kernel names.
use ebpf_dsl::{Insn, RelocKind};
use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    /// Sockets.
    pub XSKS: xskmap(max_entries = 4);
    /// Configuration read by the program.
    pub CONFIG: array(value = [u64; 2], max_entries = 1, name = "cfg");
}

defprogram! {
    /// Loads a constant, then the value of CONFIG's key 0 at offset 8, then redirects.
    pub LD: xdp {
        r6 = 0x1122334455667788 ll;
        r7 = map_value(CONFIG, 8) ll;
        r8 = *(u64 *)(r7 + 0);
        r2 = 0;
        r1 = XSKS ll;
        r3 = XDP_PASS;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {
    assert_eq!(LD.insns.len(), 11);
    assert_eq!(LD.insns[0], Insn::new(0x18, 6, 0, 0, 0x55667788));
    assert_eq!(LD.insns[1], Insn::new(0, 0, 0, 0, 0x11223344));
    assert_eq!(LD.insns[2], Insn::new(0x18, 7, 2, 0, 0));
    assert_eq!(LD.insns[3].imm, 8);
    assert_eq!(LD.relocations.len(), 2);
    assert_eq!(LD.relocations[0].insn_index, 2);
    assert_eq!(LD.relocations[0].symbol, "cfg");
    assert_eq!(LD.relocations[0].kind, RelocKind::MapValue { offset: 8 });
    assert_eq!(LD.relocations[1].insn_index, 6);
    assert_eq!(LD.relocations[1].symbol, "xsks");
    assert_eq!(LD.relocations[1].kind, RelocKind::MapFd);
    assert_eq!(LD.maps.as_ref(), &[CONFIG.to_spec(), XSKS.to_spec()]);
}
