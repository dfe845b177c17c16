//! The running kernel as the target of an ELF object, as libbpf takes it: its BTF
//! (`/sys/kernel/btf/vmlinux`) for CO-RE relocations and, with its loaded modules' BTF
//! (the other files of `/sys/kernel/btf`), for kfuncs and `__ksym` variables; its version and configuration
//! (`/boot/config-$(uname -r)`, else `/proc/config.gz`) for `__kconfig` externs (see
//! [`ebpf_dsl::elf::read_object_for_kernel`]).

use std::sync::OnceLock;

use ebpf_dsl::btf::Btf;
use ebpf_dsl::elf::Kconfig;

use super::kfunc::VMLINUX_BTF;
use crate::error::{Error, Result};

/// The running kernel's BTF, read from [`VMLINUX_BTF`] on the first call and cached.
pub fn running_kernel_btf() -> Result<&'static Btf> {
    static BTF: OnceLock<std::result::Result<Btf, String>> = OnceLock::new();
    BTF.get_or_init(|| {
        let bytes = std::fs::read(VMLINUX_BTF).map_err(|e| {
            format!("cannot read {VMLINUX_BTF} ({e}): CO-RE relocations need the kernel's BTF (CONFIG_DEBUG_INFO_BTF)")
        })?;
        Btf::decode(&bytes).map_err(|e| format!("cannot decode {VMLINUX_BTF}: {e}"))
    })
    .as_ref()
    .map_err(|e| Error::invalid(e.clone()))
}

/// The BTF of the running kernel's loaded modules (every file of `/sys/kernel/btf` but
/// vmlinux, split over vmlinux's), read on the first call and cached: libbpf looks kfuncs
/// and `__ksym` variables vmlinux lacks up in them.
pub fn running_kernel_modules() -> Result<&'static [ebpf_dsl::btf::SplitBtf]> {
    static MODULES: OnceLock<std::result::Result<Vec<ebpf_dsl::btf::SplitBtf>, String>> =
        OnceLock::new();
    MODULES
        .get_or_init(|| {
            let base = std::fs::read(VMLINUX_BTF).map_err(|e| {
                format!("cannot read {VMLINUX_BTF} ({e}): kfuncs need the kernel's BTF (CONFIG_DEBUG_INFO_BTF)")
            })?;
            let dir = std::path::Path::new(VMLINUX_BTF)
                .parent()
                .unwrap_or(std::path::Path::new("/sys/kernel/btf"));
            ebpf_dsl::btf::SplitBtf::read_dir(dir, &base)
                .map_err(|e| format!("the modules' BTF: {e}"))
        })
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| Error::invalid(e.clone()))
}

/// The running kernel's `(major, minor, patch)`: `/proc/sys/kernel/osrelease`, or for
/// Debian's ABI names the release `uname -v` names, as libbpf reads it
/// (`ebpf_dsl::verifier::KernelVersion::running`).
fn release() -> Option<(u32, u32, u32)> {
    let v = ebpf_dsl::verifier::KernelVersion::running()?;
    Some((
        u32::from(v.major),
        u32::from(v.minor),
        u32::from(v.patch_level().unwrap_or(0)),
    ))
}

/// What the running kernel gives `__kconfig` externs: its version, and its configuration
/// from `/boot/config-RELEASE` or `/proc/config.gz` (libbpf's order). A kernel with neither
/// gives no `CONFIG_` values (weak externs are then 0, strong ones refused).
pub fn running_kconfig() -> Result<Kconfig> {
    let version = release().ok_or_else(|| Error::invalid("cannot read the kernel release"))?;
    let osrelease = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let boot = format!("/boot/config-{}", osrelease.trim());
    let config = match std::fs::read(&boot) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => match std::fs::read("/proc/config.gz") {
            Ok(gz) => {
                let text = super::gunzip::gunzip(&gz)
                    .map_err(|e| Error::invalid(format!("/proc/config.gz: {e}")))?;
                String::from_utf8_lossy(&text).into_owned()
            }
            Err(_) => String::new(),
        },
    };
    Ok(Kconfig { version, config })
}
