//! Programs: map-fd relocation, `BPF_PROG_LOAD` with the verifier-log policy, and a [`Loader`]
//! that creates a set of maps and programs together and hands back typed handles by name.
//!
//! # Verifier log policy
//!
//! As cilium/ebpf does: load first without a log (cheap, and a log buffer that is too small
//! would itself fail the load); if the kernel refuses, load again with `log_level = 1` and a
//! 64 KiB buffer, growing it (to the size the kernel says it needed, `log_true_size` on 6.4+,
//! else 4×) on ENOSPC up to 256 MiB. The error ([`Error::Verifier`]) keeps the whole log;
//! its `Display` shows the last lines, where the verifier says why it gave up.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use ebpf_dsl::insn::PseudoLd;
use ebpf_dsl::{Insn, MapSpec, ProgramSpec, ProgramType, RelocKind};

use crate::error::{Error, Result};
use crate::maps::{FromMap, Map};
use crate::sys::bpf as sysbpf;

/// First verifier-log buffer size on a failed load.
pub const LOG_SIZE_START: usize = 64 * 1024;
/// Largest verifier-log buffer we try.
pub const LOG_SIZE_MAX: usize = 256 * 1024 * 1024;

/// `BPF_F_XDP_HAS_FRAGS` (kernel 5.18): the XDP program understands multi-buffer packets.
pub const BPF_F_XDP_HAS_FRAGS: u32 = 1 << 5;

/// Options of [`Program::load`].
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `expected_attach_type` (`enum bpf_attach_type`); `None` = 0. XDP programs for a DEVMAP
    /// entry need `BPF_XDP_DEVMAP` (35), for a CPUMAP entry `BPF_XDP_CPUMAP` (36).
    pub expected_attach_type: Option<u32>,
    /// `prog_flags`, e.g. [`BPF_F_XDP_HAS_FRAGS`].
    pub prog_flags: u32,
    /// `prog_ifindex`, for hardware offload only.
    pub offload_ifindex: u32,
    /// Always ask for the log (`log_level` 1, or 2 if `verbose`), even on success; the log is
    /// then in [`Program::verifier_log`].
    pub always_log: bool,
    /// With `always_log`: `log_level` 2 (every instruction's state).
    pub verbose: bool,
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
        let license = CString::new(license)
            .map_err(|_| Error::invalid("the license string contains a NUL byte"))?;
        let mut p = sysbpf::ProgLoad {
            prog_type: prog_type.as_u32(),
            insns,
            license: &license,
            name,
            expected_attach_type: opts.expected_attach_type.unwrap_or(0),
            prog_flags: opts.prog_flags,
            ifindex: opts.offload_ifindex,
            log_level: 0,
            btf: None,
        };
        let btf = crate::btf_load::ProgramBtf::load(name, insns, lines);
        p.btf = btf.as_ref().map(|b| b.attr());
        let mut size = if opts.always_log { LOG_SIZE_START } else { 0 };
        let mut last_errno;
        let mut truncated = false;
        let mut log = Vec::new();
        loop {
            if size > 0 {
                p.log_level = if opts.verbose { 2 } else { 1 };
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
        })
    }
}

impl AsFd for Program {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd()
    }
}

/// Creates maps and loads programs together: the one-call setup of a set of specs.
///
/// Maps are collected from [`Loader::map`] and from each program's [`ProgramSpec::maps`]
/// (what `defprogram!` lists); two specs of the same name must be identical. Existing maps can
/// be shared with [`Loader::use_map`] (e.g. an XSKMAP made by another loader).
///
/// ```no_run
/// # fn f(spec: ebpf_dsl::ProgramSpec) -> xsk_runtime::Result<()> {
/// use xsk_runtime::{Loader, maps::XskMap};
/// let loaded = Loader::new().program(spec).load()?;
/// let xsks: XskMap = loaded.map("xsks")?;
/// let prog = loaded.program("udp")?;
/// # let _ = (xsks, prog); Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Loader {
    maps: Vec<MapSpec>,
    existing: Vec<Map>,
    programs: Vec<ProgramSpec>,
    opts: BTreeMap<String, LoadOptions>,
}

/// What [`Loader::load`] made: maps and programs by name.
#[derive(Debug)]
pub struct Loaded {
    maps: BTreeMap<String, Map>,
    programs: BTreeMap<String, Program>,
}

impl Loader {
    /// An empty loader.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// Adds a map to create.
    pub fn map(mut self, spec: MapSpec) -> Loader {
        self.maps.push(spec);
        self
    }

    /// Uses an existing map for relocations naming it, instead of creating one.
    pub fn use_map(mut self, map: Map) -> Loader {
        self.existing.push(map);
        self
    }

    /// Adds a program (and the maps its spec lists).
    pub fn program(mut self, spec: ProgramSpec) -> Loader {
        self.maps.extend(spec.maps.iter().cloned());
        self.programs.push(spec);
        self
    }

    /// Adds a program with load options.
    pub fn program_with(mut self, spec: ProgramSpec, opts: LoadOptions) -> Loader {
        self.opts.insert(spec.name.to_string(), opts);
        self.program(spec)
    }

    /// Creates every map, relocates and loads every program. On error, whatever was created is
    /// closed again.
    pub fn load(self) -> Result<Loaded> {
        let mut maps: BTreeMap<String, Map> = BTreeMap::new();
        let mut specs: BTreeMap<String, &MapSpec> = BTreeMap::new();
        for m in self.existing {
            maps.insert(m.name().to_owned(), m);
        }
        for spec in &self.maps {
            let name = spec.name_str().to_owned();
            if let Some(prev) = specs.get(&name) {
                if *prev != spec {
                    return Err(Error::invalid(format!(
                        "two different specs for map `{name}`: {prev:?} and {spec:?}"
                    )));
                }
                continue;
            }
            specs.insert(name.clone(), spec);
            if maps.contains_key(&name) {
                continue;
            }
            maps.insert(name, Map::create(spec)?);
        }
        let mut programs = BTreeMap::new();
        let default_opts = LoadOptions::default();
        for spec in &self.programs {
            let opts = self.opts.get(spec.name.as_ref()).unwrap_or(&default_opts);
            let insns = relocate(spec, |sym| maps.get(sym))?;
            let p = Program::load_insns_lines(
                &spec.name,
                spec.prog_type,
                &spec.license,
                &insns,
                &spec.lines,
                opts,
            )?;
            if programs.insert(spec.name.to_string(), p).is_some() {
                return Err(Error::invalid(format!(
                    "two programs are named `{}`",
                    spec.name
                )));
            }
        }
        Ok(Loaded { maps, programs })
    }
}

impl Loaded {
    /// The map `name` as `T` ([`Map`] or a typed view such as
    /// [`XskMap`](crate::maps::XskMap)); a new handle (duplicated fd) each call.
    pub fn map<T: FromMap>(&self, name: &str) -> Result<T> {
        let m = self.maps.get(name).ok_or_else(|| Error::NotFound {
            kind: "map",
            name: name.into(),
        })?;
        T::from_map(m.try_clone()?)
    }

    /// The untyped map `name`, borrowed.
    pub fn map_ref(&self, name: &str) -> Result<&Map> {
        self.maps.get(name).ok_or_else(|| Error::NotFound {
            kind: "map",
            name: name.into(),
        })
    }

    /// The program `name`.
    pub fn program(&self, name: &str) -> Result<&Program> {
        self.programs.get(name).ok_or_else(|| Error::NotFound {
            kind: "program",
            name: name.into(),
        })
    }

    /// Takes program `name` out of the collection.
    pub fn take_program(&mut self, name: &str) -> Result<Program> {
        self.programs.remove(name).ok_or_else(|| Error::NotFound {
            kind: "program",
            name: name.into(),
        })
    }

    /// The names of the maps.
    pub fn map_names(&self) -> impl Iterator<Item = &str> {
        self.maps.keys().map(String::as_str)
    }

    /// The names of the programs.
    pub fn program_names(&self) -> impl Iterator<Item = &str> {
        self.programs.keys().map(String::as_str)
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
