//! Expected attach types (`enum bpf_attach_type`, `BPF_PROG_LOAD`'s `expected_attach_type`)
//! that change what an XDP program may do, and the ELF section names libbpf gives them.

/// `BPF_XDP_DEVMAP`: an XDP program run for a DEVMAP entry (after a redirect, before the
/// packet is sent): it may read `xdp_md.egress_ifindex`.
pub const BPF_XDP_DEVMAP: u32 = 33;

/// `BPF_XDP_CPUMAP`: an XDP program run for a CPUMAP entry, on the target CPU.
pub const BPF_XDP_CPUMAP: u32 = 35;

/// The expected attach type libbpf loads a program of ELF section `section` with: `xdp/devmap`
/// and `xdp.frags/devmap` give [`BPF_XDP_DEVMAP`], `xdp/cpumap` and `xdp.frags/cpumap`
/// [`BPF_XDP_CPUMAP`]; `None` for every other section.
pub fn expected_attach_type_of_section(section: &str) -> Option<u32> {
    match section {
        "xdp/devmap" | "xdp.frags/devmap" => Some(BPF_XDP_DEVMAP),
        "xdp/cpumap" | "xdp.frags/cpumap" => Some(BPF_XDP_CPUMAP),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libbpf_section_names_give_the_map_attach_types() {
        assert_eq!(
            expected_attach_type_of_section("xdp/devmap"),
            Some(BPF_XDP_DEVMAP)
        );
        assert_eq!(
            expected_attach_type_of_section("xdp.frags/devmap"),
            Some(BPF_XDP_DEVMAP)
        );
        assert_eq!(
            expected_attach_type_of_section("xdp/cpumap"),
            Some(BPF_XDP_CPUMAP)
        );
        assert_eq!(expected_attach_type_of_section("xdp"), None);
        assert_eq!(expected_attach_type_of_section("xdp/devmap2"), None);
    }
}
