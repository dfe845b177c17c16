//! Programs: map-fd relocation and `BPF_PROG_LOAD` with the verifier-log policy (the
//! [`Loader`](super::loader::Loader) creates a whole set and hands back handles by name).
//!
//! # Verifier log policy
//!
//! As cilium/ebpf does: load first without a log (cheap, and a log buffer that is too small
//! would itself fail the load); if the kernel refuses, load again with `log_level = 1` and a
//! 64 KiB buffer, growing it (to the size the kernel says it needed, `log_true_size` on 6.4+,
//! else 4×) on ENOSPC up to 256 MiB. The error ([`Error::Verifier`]) keeps the whole log;
//! its `Display` shows the last lines, where the verifier says why it gave up.

use std::borrow::Cow;
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use ebpf_dsl::insn::PseudoLd;
use ebpf_dsl::{Insn, ProgramSpec, ProgramType, RelocKind};

use super::maps::Map;
use crate::error::{Error, Result};
use crate::sys::bpf as sysbpf;

/// First verifier-log buffer size on a failed load.
pub const LOG_SIZE_START: usize = 64 * 1024;
/// Largest verifier-log buffer we try.
pub const LOG_SIZE_MAX: usize = 256 * 1024 * 1024;
/// `BPF_LOG_STATS`: the verifier's statistics (its time, stack depths) at the end of the log.
const BPF_LOG_STATS: u32 = 4;

/// `BPF_F_XDP_HAS_FRAGS` (kernel 5.18): the XDP program understands multi-buffer packets.
pub const BPF_F_XDP_HAS_FRAGS: u32 = 1 << 5;

pub use ebpf_dsl::spec::{BPF_F_ANY_ALIGNMENT, BPF_F_STRICT_ALIGNMENT};

/// Options of [`Program::load`].
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `expected_attach_type` (`enum bpf_attach_type`); `None` = 0. XDP programs for a DEVMAP
    /// entry need `BPF_XDP_DEVMAP` (33), for a CPUMAP entry `BPF_XDP_CPUMAP` (35).
    pub expected_attach_type: Option<u32>,
    /// `prog_flags`, e.g. [`BPF_F_XDP_HAS_FRAGS`], or [`BPF_F_STRICT_ALIGNMENT`] (the kernel
    /// then checks the alignment of every load and store): verify statically with the same
    /// flags (`VerifyInput::with_prog_flags`, `ebpf-dsl check --strict-alignment`).
    pub prog_flags: u32,
    /// `prog_ifindex`: the device of an offloaded or (with `BPF_F_XDP_DEV_BOUND_ONLY`)
    /// device-bound program; see [`LoadOptions::device_bound`].
    pub offload_ifindex: u32,
    /// Always ask for the log (`log_level` 1, or 2 if `verbose`, with `BPF_LOG_STATS`: the
    /// log ends with the kernel's `verification time N usec`, stack depths and `processed N
    /// insns`), even on success; the log is then in [`Program::verifier_log`].
    pub always_log: bool,
    /// With `always_log`: `log_level` 2 (every instruction's state).
    pub verbose: bool,
    /// Functions of the program to declare global in its BTF (a text's `.global_func`,
    /// [`ebpf_dsl::btf::GlobalFunc`]): the kernel then verifies each once from its prototype
    /// (`do_check_subprogs`), as the static verifier does given the same list. Empty: every
    /// function is static.
    pub globals: Vec<ebpf_dsl::btf::GlobalFunc>,
}

impl LoadOptions {
    /// Options of a device-bound XDP program for the interface `ifindex`
    /// ([`BPF_F_XDP_DEV_BOUND_ONLY`](super::kfunc::BPF_F_XDP_DEV_BOUND_ONLY), `prog_ifindex`):
    /// what calling the XDP metadata kfuncs requires (Linux 6.3). Attach it to that interface.
    pub fn device_bound(ifindex: u32) -> LoadOptions {
        LoadOptions {
            prog_flags: super::kfunc::BPF_F_XDP_DEV_BOUND_ONLY,
            offload_ifindex: ifindex,
            ..LoadOptions::default()
        }
    }
}

/// A loaded program. The kernel unloads it when the last fd (and attachment) goes away.
#[derive(Debug)]
pub struct Program {
    fd: OwnedFd,
    name: String,
    prog_type: Option<ProgramType>,
    id: u32,
    tag: [u8; 8],
    log: Option<String>,
    /// What it was loaded from, to load it again as an freplace component
    /// ([`crate::bpf::multiprog`]).
    source: Option<std::sync::Arc<super::multiprog::Source>>,
}

/// Writes map fds into the `ld_imm64` instructions the spec's relocations name.
///
/// `lookup` returns the map for a symbol. Errors: [`Error::UnknownMap`] for a symbol it does
/// not know, [`Error::BadRelocation`] for a relocation that does not point at the first slot of
/// an `ld_imm64`, or a map-value offset outside the value.
pub fn relocate<'m>(
    spec: &ProgramSpec,
    lookup: impl Fn(&str) -> Option<&'m Map>,
) -> Result<Vec<Insn>> {
    let mut insns = spec.insns.to_vec();
    for r in spec.relocations.iter() {
        let bad = |reason: &'static str| Error::BadRelocation {
            program: spec.name.to_string(),
            insn_index: r.insn_index,
            reason,
        };
        let Some(first) = insns.get(r.insn_index) else {
            return Err(bad("the index is past the end of the program"));
        };
        if !first.is_ld_imm64() {
            return Err(bad("the instruction is not an ld_imm64 (opcode 0x18)"));
        }
        if r.insn_index + 1 >= insns.len() {
            return Err(bad("the ld_imm64 has no second slot"));
        }
        let map = lookup(&r.symbol).ok_or_else(|| Error::UnknownMap {
            program: spec.name.to_string(),
            symbol: r.symbol.to_string(),
            insn_index: r.insn_index,
        })?;
        let (src, second_imm) = match r.kind {
            RelocKind::MapFd => (PseudoLd::MapFd as u8, 0),
            RelocKind::MapValue { offset } => {
                if u64::from(offset) >= u64::from(map.value_size()) {
                    return Err(bad("the map-value offset is outside the map's value"));
                }
                (PseudoLd::MapValue as u8, offset as i32)
            }
        };
        let fd = map.raw_fd();
        let i = &mut insns[r.insn_index];
        *i = Insn::new(i.code, i.dst(), src, i.off, fd);
        insns[r.insn_index + 1].imm = second_imm;
    }
    // A pseudo map reference left without a relocation would point at a random fd.
    let mut idx = 0;
    while idx < insns.len() {
        let i = &insns[idx];
        if i.is_ld_imm64() {
            if matches!(i.src(), 1 | 2) && !spec.relocations.iter().any(|r| r.insn_index == idx) {
                return Err(Error::BadRelocation {
                    program: spec.name.to_string(),
                    insn_index: idx,
                    reason: "an ld_imm64 with a map pseudo source has no relocation naming its map",
                });
            }
            idx += 2;
        } else {
            idx += 1;
        }
    }
    Ok(insns)
}

fn read_log(buf: &[u8]) -> String {
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

impl Program {
    /// Relocates `spec` with `maps` (by [`Map::name`] = the relocation's symbol) and loads it.
    pub fn load(spec: &ProgramSpec, maps: &[&Map]) -> Result<Program> {
        Program::load_with(spec, maps, &LoadOptions::default())
    }

    /// [`Program::load`] with options.
    pub fn load_with(spec: &ProgramSpec, maps: &[&Map], opts: &LoadOptions) -> Result<Program> {
        let insns = relocate(spec, |sym| maps.iter().copied().find(|m| m.name() == sym))?;
        Program::load_insns_lines(
            &spec.name,
            spec.prog_type,
            &spec.license,
            &insns,
            &spec.lines,
            opts,
        )
    }

    /// Loads already-relocated instructions (`BPF_PROG_LOAD`, kernel 3.19; names 4.15).
    pub fn load_insns(
        name: &str,
        prog_type: ProgramType,
        license: &str,
        insns: &[Insn],
        opts: &LoadOptions,
    ) -> Result<Program> {
        Program::load_insns_lines(name, prog_type, license, insns, &[], opts)
    }

    /// [`Program::load_insns`] with each instruction's source line, given to the kernel as BTF
    /// `line_info` (its verifier log and `bpftool prog dump xlated ... linum` show them).
    pub fn load_insns_lines(
        name: &str,
        prog_type: ProgramType,
        license: &str,
        insns: &[Insn],
        lines: &[ebpf_dsl::btf::SourceLine],
        opts: &LoadOptions,
    ) -> Result<Program> {
        if name.len() > ebpf_dsl::spec::BPF_OBJ_NAME_MAX {
            return Err(Error::invalid(format!(
                "program name `{name}` is longer than 15 characters (BPF_OBJ_NAME_LEN)"
            )));
        }
        if insns.is_empty() {
            return Err(Error::invalid(format!(
                "program `{name}` has no instructions"
            )));
        }
        let btf = super::btf::ProgramBtf::load(name, prog_type, insns, lines, &opts.globals);
        let mut p = Program::load_raw(
            name,
            prog_type,
            license,
            insns,
            btf.as_ref().map(|b| b.attr()),
            opts,
            None,
        )?;
        p.source = super::multiprog::Source::capture(name, prog_type, license, insns, lines, opts)
            .map(std::sync::Arc::new);
        Ok(p)
    }

    /// `BPF_PROG_LOAD` with the verifier-log policy of the module docs: `btf` is the program's
    /// BTF and records, `attach` the freplace target (program and BTF function id).
    pub(crate) fn load_raw(
        name: &str,
        prog_type: ProgramType,
        license: &str,
        insns: &[Insn],
        btf: Option<sysbpf::ProgBtf<'_>>,
        opts: &LoadOptions,
        attach: Option<(BorrowedFd<'_>, u32)>,
    ) -> Result<Program> {
        let license = CString::new(license)
            .map_err(|_| Error::invalid("the license string contains a NUL byte"))?;
        let resolved = super::kfunc::resolve_kfunc_calls(name, insns)?;
        let insns = resolved.as_deref().unwrap_or(insns);
        let mut p = sysbpf::ProgLoad {
            prog_type: prog_type.as_u32(),
            insns,
            license: &license,
            name,
            expected_attach_type: opts.expected_attach_type.unwrap_or(0),
            prog_flags: opts.prog_flags,
            ifindex: opts.offload_ifindex,
            log_level: 0,
            btf,
            attach,
        };
        let mut size = if opts.always_log { LOG_SIZE_START } else { 0 };
        let mut last_errno;
        let mut truncated = false;
        let mut log = Vec::new();
        loop {
            if size > 0 {
                p.log_level = if opts.verbose { 2 } else { 1 };
                if opts.always_log {
                    // BPF_LOG_STATS: the log then also has the kernel's `verification time`.
                    p.log_level |= BPF_LOG_STATS;
                }
                log = vec![0u8; size];
            }
            match sysbpf::prog_load(&p, &mut log) {
                Ok(fd) => {
                    let text = (size > 0).then(|| read_log(&log));
                    return Program::from_fd_with_log(fd, text);
                }
                Err((errno, true_size)) => {
                    last_errno = errno;
                    if size == 0 {
                        // Failed without a log: retry with one (EPERM will fail the same way,
                        // but the log may still say why, e.g. a helper that needs CAP_BPF).
                        size = LOG_SIZE_START;
                        continue;
                    }
                    if errno == libc::ENOSPC && size < LOG_SIZE_MAX {
                        let want = if true_size as usize > size {
                            true_size as usize + 1
                        } else {
                            size * 4
                        };
                        size = want.min(LOG_SIZE_MAX);
                        continue;
                    }
                    if errno == libc::ENOSPC {
                        truncated = true;
                    }
                    break;
                }
            }
        }
        let text = read_log(&log);
        if text.trim().is_empty() && last_errno != libc::EACCES && last_errno != libc::EINVAL {
            // Not a verifier rejection: a plain failure of the system call.
            return Err(Error::io("BPF_PROG_LOAD", last_errno));
        }
        Err(Error::Verifier {
            program: name.to_owned(),
            errno: last_errno,
            log: text,
            truncated,
        })
    }

    /// Wraps an open program fd (asks the kernel for its id, type and name).
    pub fn from_fd(fd: OwnedFd) -> Result<Program> {
        Program::from_fd_with_log(fd, None)
    }

    fn from_fd_with_log(fd: OwnedFd, log: Option<String>) -> Result<Program> {
        let info = sysbpf::prog_info(fd.as_fd())?;
        Ok(Program {
            fd,
            name: sysbpf::name_str(&info.name),
            prog_type: ProgramType::from_u32(info.prog_type),
            id: info.id,
            tag: info.tag,
            log,
            source: None,
        })
    }

    /// Opens a program by its kernel id (`BPF_PROG_GET_FD_BY_ID`, kernel 4.13, CAP_SYS_ADMIN).
    pub fn from_id(id: u32) -> Result<Program> {
        let fd = sysbpf::get_fd_by_id(sysbpf::cmd::BPF_PROG_GET_FD_BY_ID, id)
            .map_err(|e| Error::io("BPF_PROG_GET_FD_BY_ID", e))?;
        Program::from_fd(fd)
    }

    /// The name the kernel shows.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The program type.
    pub fn prog_type(&self) -> Option<ProgramType> {
        self.prog_type
    }

    /// The kernel's id (as `bpftool prog` and `ip link` show it).
    pub fn id(&self) -> u32 {
        self.id
    }

    /// The kernel's tag: a hash of the instructions, as `bpftool prog` shows it.
    pub fn tag(&self) -> [u8; 8] {
        self.tag
    }

    /// What the program was loaded from (its relocated instructions), when this handle loaded
    /// it: what [`crate::bpf::multiprog`] loads again as an freplace component.
    pub(crate) fn source(&self) -> Option<&std::sync::Arc<super::multiprog::Source>> {
        self.source.as_ref()
    }

    /// The verifier log of a successful load made with [`LoadOptions::always_log`].
    pub fn verifier_log(&self) -> Option<&str> {
        self.log.as_deref()
    }

    /// The program's fd.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The raw fd number.
    pub fn raw_fd(&self) -> i32 {
        self.fd.as_raw_fd()
    }

    /// A second handle to the same program (the fd is duplicated).
    pub fn try_clone(&self) -> Result<Program> {
        Ok(Program {
            fd: crate::sys::dup(self.fd())?,
            name: self.name.clone(),
            prog_type: self.prog_type,
            id: self.id,
            tag: self.tag,
            log: self.log.clone(),
            source: self.source.clone(),
        })
    }
}

impl AsFd for Program {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd()
    }
}

/// A [`ProgramSpec`] built at run time from instructions (no relocations, no maps).
pub fn spec_from_insns(name: &str, prog_type: ProgramType, insns: Vec<Insn>) -> ProgramSpec {
    ProgramSpec {
        name: Cow::Owned(name.to_owned()),
        prog_type,
        license: Cow::Borrowed("GPL"),
        insns: Cow::Owned(insns),
        relocations: Cow::Owned(Vec::new()),
        maps: Cow::Owned(Vec::new()),
        lines: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ebpf_dsl::Relocation;

    fn ld_map(dst: u8) -> [Insn; 2] {
        [Insn::new(0x18, dst, 0, 0, 0), Insn::new(0, 0, 0, 0, 0)]
    }

    #[test]
    fn relocation_errors_are_typed() {
        let [a, b] = ld_map(1);
        let exit = Insn::new(0x95, 0, 0, 0, 0);
        let mut spec = spec_from_insns("t", ProgramType::Xdp, vec![a, b, exit]);
        spec.relocations = Cow::Owned(vec![Relocation {
            insn_index: 0,
            symbol: Cow::Borrowed("nope"),
            kind: RelocKind::MapFd,
        }]);
        let e = relocate(&spec, |_| None).unwrap_err();
        assert!(
            matches!(e, Error::UnknownMap { ref symbol, insn_index: 0, .. } if symbol == "nope"),
            "{e}"
        );
        assert!(e.to_string().contains("nope"));
        spec.relocations = Cow::Owned(vec![Relocation {
            insn_index: 2,
            symbol: Cow::Borrowed("nope"),
            kind: RelocKind::MapFd,
        }]);
        let e = relocate(&spec, |_| None).unwrap_err();
        assert!(
            matches!(e, Error::BadRelocation { insn_index: 2, .. }),
            "{e}"
        );
        spec.relocations = Cow::Owned(vec![Relocation {
            insn_index: 9,
            symbol: Cow::Borrowed("nope"),
            kind: RelocKind::MapFd,
        }]);
        assert!(matches!(
            relocate(&spec, |_| None).unwrap_err(),
            Error::BadRelocation { insn_index: 9, .. }
        ));
    }

    #[test]
    fn unrelocated_pseudo_map_is_refused() {
        let insns = vec![
            Insn::new(0x18, 1, 1, 0, 3),
            Insn::new(0, 0, 0, 0, 0),
            Insn::new(0x95, 0, 0, 0, 0),
        ];
        let spec = spec_from_insns("t", ProgramType::Xdp, insns);
        assert!(matches!(
            relocate(&spec, |_| None).unwrap_err(),
            Error::BadRelocation { insn_index: 0, .. }
        ));
    }
}
