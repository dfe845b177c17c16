//! Kernel functions (kfuncs) called by name: their BTF ids come from the running kernel's BTF
//! (`/sys/kernel/btf/vmlinux`, read with [`ebpf_dsl::btf::Btf::decode`] once per process and
//! cached), and the loader writes them over the negative placeholders that a call by name
//! compiles to (`call bpf_xdp_metadata_rx_hash`, `call bpf_xdp_ct_lookup`, `call
//! bpf_dynptr_from_xdp`, `call bpf_throw`, ... in the assembler and `defprogram!`): every
//! family of [`ebpf_dsl::xdp::netfilter::kfunc_names`], resolved by name alike.
//!
//! The XDP metadata kfuncs need a *device-bound* program: load it with
//! [`LoadOptions::device_bound`](super::program::LoadOptions::device_bound) (sets
//! [`BPF_F_XDP_DEV_BOUND_ONLY`] and `prog_ifindex`), and attach it to that interface only.

use std::collections::HashMap;
use std::sync::OnceLock;

use ebpf_dsl::btf::Btf;
use ebpf_dsl::xdp::crypto::CryptoKfunc;
use ebpf_dsl::xdp::netfilter::{kfunc_names, kfunc_of_insn, NfKfunc};
use ebpf_dsl::Insn;

use crate::error::{Error, Result};

/// `BPF_F_XDP_DEV_BOUND_ONLY` (`prog_flags`, Linux 6.3): the program is bound to the device of
/// `prog_ifindex` without being offloaded; required to call the XDP metadata kfuncs.
pub const BPF_F_XDP_DEV_BOUND_ONLY: u32 = 1 << 6;

/// Where the running kernel publishes its BTF.
pub const VMLINUX_BTF: &str = "/sys/kernel/btf/vmlinux";

/// `BTF_KIND_FUNC`.
const BTF_KIND_FUNC: u32 = 12;

/// The ids, in the running kernel, of every kfunc known by name
/// ([`ebpf_dsl::xdp::netfilter::kfunc_names`]; absent where the kernel lacks one), read from
/// [`VMLINUX_BTF`] on the first call and cached.
pub fn vmlinux_kfunc_ids() -> Result<&'static HashMap<&'static str, u32>> {
    static IDS: OnceLock<std::result::Result<HashMap<&'static str, u32>, String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let bytes = std::fs::read(VMLINUX_BTF).map_err(|e| {
            format!("cannot read {VMLINUX_BTF} ({e}): the kernel needs CONFIG_DEBUG_INFO_BTF to resolve kfuncs by name")
        })?;
        kfunc_ids(&bytes)
    })
    .as_ref()
    .map_err(|e| Error::invalid(e.clone()))
}

/// The BTF ids of the kfuncs known by name in a BTF blob (vmlinux BTF, whose ids are what
/// `call kfunc ID` with `off` 0 means), by name.
pub fn kfunc_ids(btf: &[u8]) -> std::result::Result<HashMap<&'static str, u32>, String> {
    let btf = Btf::decode(btf).map_err(|e| format!("cannot decode the kernel BTF: {e}"))?;
    Ok(kfunc_names()
        .filter_map(|name| btf.find(name, BTF_KIND_FUNC).map(|id| (name, id)))
        .collect())
}

/// What a kernel needs to offer the kfunc `name`: the hint of the error when it lacks it (the
/// release from the static verifier's table, [`ebpf_dsl::verifier::kfunc_since`], and the
/// kernel configuration some families need besides).
fn requirement(name: &str) -> String {
    let release = match ebpf_dsl::verifier::kfunc_since(name) {
        Some(v) => format!("{name} needs Linux {v}"),
        None => format!("{name} needs a kernel that has it"),
    };
    let config = if NfKfunc::from_name(name).is_some() {
        " and nf_conntrack built in (the NAT one nf_nat, the flowtable lookup the flowtable's BPF support)"
    } else if ebpf_dsl::xdp::arena::ArenaKfunc::from_name(name).is_some() {
        " with arenas enabled"
    } else if CryptoKfunc::from_name(name).is_some() {
        " with CONFIG_CRYPTO_SKCIPHER"
    } else {
        ""
    };
    format!("{release}{config}")
}

/// `insns` with every kfunc called by name resolved to its id in the running kernel, or
/// `None` when there is no such call (the kernel BTF is then not read).
pub fn resolve_kfunc_calls(program: &str, insns: &[Insn]) -> Result<Option<Vec<Insn>>> {
    if !insns.iter().any(|i| kfunc_of_insn(i).is_some()) {
        return Ok(None);
    }
    resolve_with(program, insns, vmlinux_kfunc_ids()?).map(Some)
}

/// [`resolve_kfunc_calls`] with a given id table (by kfunc name): an error naming the first
/// kfunc the table lacks, its instruction and what a kernel needs to offer it.
pub fn resolve_with(
    program: &str,
    insns: &[Insn],
    ids: &HashMap<&'static str, u32>,
) -> Result<Vec<Insn>> {
    let mut out = insns.to_vec();
    let mut idx = 0;
    while idx < out.len() {
        let step = if out[idx].is_ld_imm64() { 2 } else { 1 };
        if let Some(name) = kfunc_of_insn(&out[idx]) {
            let id = ids.get(name).ok_or_else(|| {
                Error::invalid(format!(
                    "program `{program}` calls `{name}` (instruction {idx}), which the running kernel does not have (not in {VMLINUX_BTF}: {})",
                    requirement(name)
                ))
            })?;
            out[idx].imm = *id as i32;
        }
        idx += step;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebpf_dsl::xdp::btf_kfunc::call_btf_kfunc;
    use ebpf_dsl::xdp::btf_kfunc::BtfKfunc;
    use ebpf_dsl::xdp::dynptr::call_dynptr_kfunc;
    use ebpf_dsl::xdp::dynptr::DynptrKfunc;
    use ebpf_dsl::xdp::exception::call_throw;
    use ebpf_dsl::xdp::metadata::call_xdp_kfunc;
    use ebpf_dsl::xdp::metadata::XdpKfunc;
    use ebpf_dsl::xdp::netfilter::call_nf_kfunc;

    #[test]
    fn placeholders_of_every_family_are_replaced() {
        let insns = [
            call_xdp_kfunc(XdpKfunc::RxHash),
            call_nf_kfunc(NfKfunc::CtRelease),
            call_dynptr_kfunc(DynptrKfunc::FromXdp),
            call_dynptr_kfunc(DynptrKfunc::Slice),
            call_throw(),
            call_btf_kfunc(BtfKfunc::RdonlyCast),
            ebpf_dsl::xdp::crypto::call_crypto_kfunc(CryptoKfunc::Encrypt),
            ebpf_dsl::ir::build::exit(),
        ];
        let ids: HashMap<&str, u32> = [
            ("bpf_xdp_metadata_rx_hash", 4242),
            ("bpf_ct_release", 77),
            ("bpf_dynptr_from_xdp", 11),
            ("bpf_dynptr_slice", 12),
            ("bpf_throw", 65424),
            ("bpf_rdonly_cast", 5),
            ("bpf_crypto_encrypt", 63184),
        ]
        .into_iter()
        .collect();
        let out = resolve_with("p", &insns, &ids).unwrap();
        let imms: Vec<i32> = out[..7].iter().map(|i| i.imm).collect();
        assert_eq!(imms, [4242, 77, 11, 12, 65424, 5, 63184]);
        assert_eq!(out[0].src(), ebpf_dsl::isa::insn::BPF_PSEUDO_KFUNC_CALL);
        assert_eq!(out[7], insns[7]);
    }

    #[test]
    fn a_missing_kfunc_is_an_error_naming_it_and_what_it_needs() {
        for (insn, name, needs) in [
            (
                call_xdp_kfunc(XdpKfunc::RxHash),
                "bpf_xdp_metadata_rx_hash",
                "Linux 6.3",
            ),
            (
                call_nf_kfunc(NfKfunc::CtRelease),
                "bpf_ct_release",
                "nf_conntrack",
            ),
            (
                call_dynptr_kfunc(DynptrKfunc::FromXdp),
                "bpf_dynptr_from_xdp",
                "Linux 6.4",
            ),
            (call_throw(), "bpf_throw", "bpf_throw needs Linux 6.7"),
            (
                call_btf_kfunc(BtfKfunc::SkAssignTcpReqsk),
                "bpf_sk_assign_tcp_reqsk",
                "6.9",
            ),
            (
                ebpf_dsl::xdp::crypto::call_crypto_kfunc(CryptoKfunc::Decrypt),
                "bpf_crypto_decrypt",
                "Linux 6.10",
            ),
            (
                ebpf_dsl::xdp::arena::call_arena_kfunc(
                    ebpf_dsl::xdp::arena::ArenaKfunc::ReservePages,
                ),
                "bpf_arena_reserve_pages",
                "arenas enabled",
            ),
        ] {
            let e = resolve_with("p", &[insn], &HashMap::new())
                .unwrap_err()
                .to_string();
            assert!(e.contains(name) && e.contains(needs), "{e}");
        }
    }

    #[test]
    fn a_program_without_kfunc_calls_is_left_alone() {
        let insns = [ebpf_dsl::ir::build::exit()];
        assert!(resolve_kfunc_calls("p", &insns).unwrap().is_none());
    }

    #[test]
    fn the_running_kernel_has_the_metadata_kfuncs() {
        if !std::path::Path::new(VMLINUX_BTF).exists() {
            eprintln!("skipped: no {VMLINUX_BTF}");
            return;
        }
        let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
        let mut v = release
            .split(|c: char| !c.is_ascii_digit())
            .map(|n| n.parse::<u32>().unwrap_or(0));
        let (major, minor) = (v.next().unwrap_or(0), v.next().unwrap_or(0));
        if (major, minor) < (6, 3) {
            eprintln!("skipped: kernel {release} predates the XDP metadata kfuncs (6.3)");
            return;
        }
        let t = std::time::Instant::now();
        let ids = vmlinux_kfunc_ids().unwrap();
        eprintln!("vmlinux BTF kfunc lookup: {:?}, {ids:?}", t.elapsed());
        // Every 6.3+ kernel with BTF has these two.
        assert!(ids.contains_key("bpf_xdp_metadata_rx_timestamp"));
        assert!(ids.contains_key("bpf_xdp_metadata_rx_hash"));
    }
}
