//! Lookups in device maps (`BPF_MAP_TYPE_DEVMAP`, `BPF_MAP_TYPE_DEVMAP_HASH`).
//!
//! `bpf_map_lookup_elem` on a device map gives the entry's value (`struct bpf_devmap_val`: the
//! target's ifindex, then the id of its program) or NULL, from any program type that may call
//! the helper (`check_map_func_compatibility` allows lookups and `bpf_redirect_map` on these
//! maps). The kernel creates every device map with `BPF_F_RDONLY_PROG` (`dev_map_init_map`:
//! the lookup points straight into the device entry), so the value is readable memory of
//! `value_size` bytes that the program may never write: a store, an atomic operation or a
//! helper writing into it is "write into map forbidden". Real programs read the ifindex this
//! way (loxilb's tc datapath, before `bpf_clone_redirect`).
//!
//! A CPU map's lookups stay refused (the helper is not compatible with it), and an XSK map's
//! give sockets (`call::sockmap`).

use crate::spec::{MapSpec, MapType};

use super::BPF_F_RDONLY_PROG;

/// Whether a lookup in a map of type `t` gives a read-only value (a device map).
pub(crate) fn lookup_gives_value(t: MapType) -> bool {
    matches!(t, MapType::Devmap | MapType::DevmapHash)
}

/// The map's flags as the kernel holds them for programs: `spec.flags`, plus
/// `BPF_F_RDONLY_PROG` for a device map (set by the kernel at creation).
pub(crate) fn prog_flags(spec: &MapSpec) -> u32 {
    if lookup_gives_value(spec.map_type) {
        spec.flags | BPF_F_RDONLY_PROG
    } else {
        spec.flags
    }
}

#[cfg(test)]
mod tests {
    use crate::asm::assemble_unchecked;
    use crate::verifier::{verify, VerifyInput};
    use crate::ProgramType;

    /// Looks an entry of `.map dm TYPE` up, and after the NULL check applies `access` to r0.
    fn check(map_type: &str, access: &str, pt: ProgramType) -> Result<(), String> {
        let src = format!(
            ".map dm {map_type} key=4 value=4 max_entries=4\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = dm ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n{access}\nout:\nr0 = 0\nexit"
        );
        let a = assemble_unchecked(&src).expect("assembles");
        let input = VerifyInput::new(&a.insns, pt).with_maps(&a.relocations, &a.maps);
        verify(&input).map(|_| ()).map_err(|e| e[0].message.clone())
    }

    #[test]
    fn a_device_map_entry_is_readable_after_the_null_check() {
        for t in ["devmap", "devmap_hash"] {
            for pt in [ProgramType::Xdp, ProgramType::SchedCls] {
                assert_eq!(check(t, "r0 = *(u32 *)(r0 + 0)", pt), Ok(()), "{t} {pt:?}");
            }
        }
    }

    #[test]
    fn a_device_map_entry_is_never_written() {
        for t in ["devmap", "devmap_hash"] {
            let err = check(t, "*(u32 *)(r0 + 0) = 1", ProgramType::Xdp).unwrap_err();
            assert!(err.contains("read-only for programs"), "{t}: {err}");
            let err =
                check(t, "r1 = 1\nlock *(u32 *)(r0 + 0) += r1", ProgramType::Xdp).unwrap_err();
            assert!(err.contains("read-only for programs"), "{t}: {err}");
        }
    }

    #[test]
    fn a_device_map_entry_is_read_within_its_value() {
        let err = check("devmap", "r0 = *(u32 *)(r0 + 4)", ProgramType::Xdp).unwrap_err();
        assert!(err.contains("the value of `dm` is 4 bytes"), "{err}");
    }

    #[test]
    fn the_lookup_result_may_be_null() {
        let a = assemble_unchecked(
            ".map dm devmap key=4 value=4 max_entries=4\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = dm ll\ncall bpf_map_lookup_elem\nr0 = *(u32 *)(r0 + 0)\nr0 = 0\nexit",
        )
        .expect("assembles");
        let input = VerifyInput::new(&a.insns, ProgramType::Xdp).with_maps(&a.relocations, &a.maps);
        assert!(verify(&input).is_err());
    }

    #[test]
    fn a_cpu_map_is_still_not_looked_up() {
        assert!(check("cpumap", "r0 = *(u32 *)(r0 + 0)", ProgramType::Xdp).is_err());
    }
}
