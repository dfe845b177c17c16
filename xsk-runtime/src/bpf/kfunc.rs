//! Kernel functions (kfuncs) called by name: their BTF ids come from the running kernel's BTF
//! (`/sys/kernel/btf/vmlinux`, read with [`ebpf_dsl::btf::Btf::decode`] once per process and
//! cached), and the loader writes them over the placeholders of
//! [`ebpf_dsl::xdp::metadata::call_xdp_kfunc`] (what `call bpf_xdp_metadata_rx_hash` in the
//! assembler and `defprogram!` emits) and of
//! [`ebpf_dsl::xdp::netfilter::call_nf_kfunc`] (the conntrack and flowtable kfuncs) and
//! [`ebpf_dsl::xdp::btf_kfunc::call_btf_kfunc`] (`bpf_cast_to_kern_ctx`, `bpf_rdonly_cast`,
//! `bpf_sk_assign_tcp_reqsk`).
//!
//! The XDP metadata kfuncs need a *device-bound* program: load it with
//! [`LoadOptions::device_bound`](super::program::LoadOptions::device_bound) (sets
//! [`BPF_F_XDP_DEV_BOUND_ONLY`] and `prog_ifindex`), and attach it to that interface only.

use std::collections::HashMap;
use std::sync::OnceLock;

use ebpf_dsl::btf::Btf;
use ebpf_dsl::xdp::btf_kfunc::BtfKfunc;
use ebpf_dsl::xdp::metadata::XdpKfunc;
use ebpf_dsl::xdp::netfilter::NfKfunc;
use ebpf_dsl::Insn;

use crate::error::{Error, Result};

/// `BPF_F_XDP_DEV_BOUND_ONLY` (`prog_flags`, Linux 6.3): the program is bound to the device of
/// `prog_ifindex` without being offloaded; required to call the XDP metadata kfuncs.
pub const BPF_F_XDP_DEV_BOUND_ONLY: u32 = 1 << 6;

/// Where the running kernel publishes its BTF.
pub const VMLINUX_BTF: &str = "/sys/kernel/btf/vmlinux";

/// `BTF_KIND_FUNC`.
const BTF_KIND_FUNC: u32 = 12;

/// The ids of the kfuncs of [`XdpKfunc::ALL`] in the running kernel (`None` where it lacks
/// one), read from [`VMLINUX_BTF`] on the first call and cached.
pub fn vmlinux_xdp_kfunc_ids() -> Result<&'static HashMap<XdpKfunc, u32>> {
    static IDS: OnceLock<std::result::Result<HashMap<XdpKfunc, u32>, String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let bytes = std::fs::read(VMLINUX_BTF).map_err(|e| {
            format!("cannot read {VMLINUX_BTF} ({e}): the kernel needs CONFIG_DEBUG_INFO_BTF to resolve kfuncs by name")
        })?;
        xdp_kfunc_ids(&bytes)
    })
    .as_ref()
    .map_err(|e| Error::invalid(e.clone()))
}

/// The BTF ids of the XDP metadata kfuncs in a BTF blob (vmlinux BTF, whose ids are what
/// `call kfunc ID` with `off` 0 means).
pub fn xdp_kfunc_ids(btf: &[u8]) -> std::result::Result<HashMap<XdpKfunc, u32>, String> {
    let btf = Btf::decode(btf).map_err(|e| format!("cannot decode the kernel BTF: {e}"))?;
    Ok(XdpKfunc::ALL
        .into_iter()
        .filter_map(|k| btf.find(k.name(), BTF_KIND_FUNC).map(|id| (k, id)))
        .collect())
}

/// The ids of the netfilter kfuncs of [`NfKfunc::ALL`] in the running kernel (absent where it
/// lacks one: `nf_conntrack` or the flowtable's BPF part not built), read from
/// [`VMLINUX_BTF`] on the first call and cached.
pub fn vmlinux_nf_kfunc_ids() -> Result<&'static HashMap<NfKfunc, u32>> {
    static IDS: OnceLock<std::result::Result<HashMap<NfKfunc, u32>, String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let bytes = std::fs::read(VMLINUX_BTF).map_err(|e| {
            format!("cannot read {VMLINUX_BTF} ({e}): the kernel needs CONFIG_DEBUG_INFO_BTF to resolve kfuncs by name")
        })?;
        let btf = Btf::decode(&bytes).map_err(|e| format!("cannot decode the kernel BTF: {e}"))?;
        Ok(NfKfunc::ALL
            .into_iter()
            .filter_map(|k| btf.find(k.name(), BTF_KIND_FUNC).map(|id| (k, id)))
            .collect())
    })
    .as_ref()
    .map_err(|e| Error::invalid(e.clone()))
}

/// The ids of the kfuncs of [`BtfKfunc::ALL`] in the running kernel, read from
/// [`VMLINUX_BTF`] on the first call and cached.
pub fn vmlinux_btf_kfunc_ids() -> Result<&'static HashMap<BtfKfunc, u32>> {
    static IDS: OnceLock<std::result::Result<HashMap<BtfKfunc, u32>, String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let bytes = std::fs::read(VMLINUX_BTF).map_err(|e| {
            format!("cannot read {VMLINUX_BTF} ({e}): the kernel needs CONFIG_DEBUG_INFO_BTF to resolve kfuncs by name")
        })?;
        let btf = Btf::decode(&bytes).map_err(|e| format!("cannot decode the kernel BTF: {e}"))?;
        Ok(BtfKfunc::ALL
            .into_iter()
            .filter_map(|k| btf.find(k.name(), BTF_KIND_FUNC).map(|id| (k, id)))
            .collect())
    })
    .as_ref()
    .map_err(|e| Error::invalid(e.clone()))
}

/// The [`BtfKfunc`] calls of `insns` resolved with a given id table.
pub fn resolve_btf_kfuncs_with(
    program: &str,
    insns: &[Insn],
    ids: &HashMap<BtfKfunc, u32>,
) -> Result<Vec<Insn>> {
    let mut out = insns.to_vec();
    let mut idx = 0;
    while idx < out.len() {
        let step = if out[idx].is_ld_imm64() { 2 } else { 1 };
        if let Some(k) = BtfKfunc::of_insn(&out[idx]) {
            let id = ids.get(&k).ok_or_else(|| {
                Error::invalid(format!(
                    "program `{program}` calls `{}` (instruction {idx}), which the running kernel does not have (not in {VMLINUX_BTF}: the casts need Linux 6.2, bpf_sk_assign_tcp_reqsk 6.9)",
                    k.name()
                ))
            })?;
            out[idx].imm = *id as i32;
        }
        idx += step;
    }
    Ok(out)
}

/// `insns` with every kfunc called by name resolved to its id in the running kernel, or
/// `None` when there is no such call (the kernel BTF is then not read).
pub fn resolve_kfunc_calls(program: &str, insns: &[Insn]) -> Result<Option<Vec<Insn>>> {
    let xdp = insns.iter().any(|i| XdpKfunc::of_insn(i).is_some());
    let nf = insns.iter().any(|i| NfKfunc::of_insn(i).is_some());
    let casts = insns.iter().any(|i| BtfKfunc::of_insn(i).is_some());
    if !xdp && !nf && !casts {
        return Ok(None);
    }
    let mut out = if xdp {
        resolve_with(program, insns, vmlinux_xdp_kfunc_ids()?)?
    } else {
        insns.to_vec()
    };
    if nf {
        out = resolve_nf_with(program, &out, vmlinux_nf_kfunc_ids()?)?;
    }
    if casts {
        out = resolve_btf_kfuncs_with(program, &out, vmlinux_btf_kfunc_ids()?)?;
    }
    Ok(Some(out))
}

/// The netfilter kfunc calls of `insns` resolved with a given id table.
pub fn resolve_nf_with(
    program: &str,
    insns: &[Insn],
    ids: &HashMap<NfKfunc, u32>,
) -> Result<Vec<Insn>> {
    let mut out = insns.to_vec();
    let mut idx = 0;
    while idx < out.len() {
        let step = if out[idx].is_ld_imm64() { 2 } else { 1 };
        if let Some(k) = NfKfunc::of_insn(&out[idx]) {
            let id = ids.get(&k).ok_or_else(|| {
                Error::invalid(format!(
                    "program `{program}` calls `{}` (instruction {idx}), which the running kernel does not have (not in {VMLINUX_BTF}: conntrack kfuncs need nf_conntrack built in, the flowtable lookup the flowtable's BPF support, Linux 6.10)",
                    k.name()
                ))
            })?;
            out[idx].imm = *id as i32;
        }
        idx += step;
    }
    Ok(out)
}

/// [`resolve_kfunc_calls`] with a given id table.
pub fn resolve_with(
    program: &str,
    insns: &[Insn],
    ids: &HashMap<XdpKfunc, u32>,
) -> Result<Vec<Insn>> {
    let mut out = insns.to_vec();
    let mut idx = 0;
    while idx < out.len() {
        let step = if out[idx].is_ld_imm64() { 2 } else { 1 };
        if let Some(k) = XdpKfunc::of_insn(&out[idx]) {
            let id = ids.get(&k).ok_or_else(|| {
                Error::invalid(format!(
                    "program `{program}` calls `{}` (instruction {idx}), which the running kernel does not have (not in {VMLINUX_BTF}; rx_timestamp and rx_hash need Linux 6.3, rx_vlan_tag 6.8)",
                    k.name()
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
    use ebpf_dsl::xdp::metadata::call_xdp_kfunc;

    #[test]
    fn placeholders_are_replaced_and_a_missing_kfunc_is_an_error() {
        let insns = [
            call_xdp_kfunc(XdpKfunc::RxHash),
            ebpf_dsl::ir::build::exit(),
        ];
        let ids: HashMap<_, _> = [(XdpKfunc::RxHash, 4242)].into_iter().collect();
        let out = resolve_with("p", &insns, &ids).unwrap();
        assert_eq!(out[0].imm, 4242);
        assert_eq!(out[0].src(), ebpf_dsl::isa::insn::BPF_PSEUDO_KFUNC_CALL);
        let none = HashMap::new();
        let e = resolve_with("p", &insns, &none).unwrap_err().to_string();
        assert!(e.contains("bpf_xdp_metadata_rx_hash"), "{e}");
    }

    #[test]
    fn netfilter_placeholders_are_replaced_and_a_missing_kfunc_is_an_error() {
        use ebpf_dsl::xdp::netfilter::call_nf_kfunc;
        let insns = [
            call_nf_kfunc(NfKfunc::CtRelease),
            ebpf_dsl::ir::build::exit(),
        ];
        let ids: HashMap<_, _> = [(NfKfunc::CtRelease, 77)].into_iter().collect();
        let out = resolve_nf_with("p", &insns, &ids).unwrap();
        assert_eq!(out[0].imm, 77);
        let e = resolve_nf_with("p", &insns, &HashMap::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("bpf_ct_release"), "{e}");
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
        let ids = vmlinux_xdp_kfunc_ids().unwrap();
        eprintln!("vmlinux BTF kfunc lookup: {:?}, {ids:?}", t.elapsed());
        // Every 6.3+ kernel with BTF has these two.
        assert!(ids.contains_key(&XdpKfunc::RxTimestamp));
        assert!(ids.contains_key(&XdpKfunc::RxHash));
    }
}
