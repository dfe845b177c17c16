//! Component programs: what a program was loaded from ([`Source`]), loading it again as an
//! freplace (`BPF_PROG_TYPE_EXT`) program aimed at a dispatcher slot, and linking a component
//! into a slot (`BPF_LINK_CREATE` with `target_btf_id`).

use std::os::fd::{AsFd, OwnedFd};

use ebpf_dsl::btf::{program_btf, Kind, SourceLine};
use ebpf_dsl::{Insn, ProgramType};

use crate::bpf::program::{LoadOptions, Program, BPF_F_XDP_HAS_FRAGS};
use crate::error::{Error, Result};
use crate::sys::bpf::ProgBtf;
use crate::sys::ext;

/// What an XDP program was loaded from: its relocated instructions (their map fds duplicated
/// and held here, so they stay valid), source lines, license and flags.
#[derive(Debug)]
pub struct Source {
    pub(crate) name: String,
    pub(crate) license: String,
    pub(crate) insns: Vec<Insn>,
    pub(crate) lines: Vec<SourceLine>,
    pub(crate) prog_flags: u32,
    _maps: Vec<OwnedFd>,
}

impl Source {
    /// Keeps what XDP program `name` was loaded from; `None` for other types, or if a map fd
    /// of the instructions cannot be duplicated.
    pub(crate) fn capture(
        name: &str,
        prog_type: ProgramType,
        license: &str,
        insns: &[Insn],
        lines: &[SourceLine],
        opts: &LoadOptions,
    ) -> Option<Source> {
        if prog_type != ProgramType::Xdp || opts.offload_ifindex != 0 {
            return None;
        }
        let mut insns = insns.to_vec();
        let mut held: Vec<(i32, OwnedFd)> = Vec::new();
        let mut i = 0;
        while i < insns.len() {
            let x = insns[i];
            if x.is_ld_imm64() && matches!(x.src(), 1 | 2) {
                let raw = x.imm;
                let new = match held.iter().find(|(r, _)| *r == raw) {
                    Some((_, fd)) => std::os::fd::AsRawFd::as_raw_fd(fd),
                    None => {
                        let fd = ext::dup_raw(raw).ok()?;
                        let n = std::os::fd::AsRawFd::as_raw_fd(&fd);
                        held.push((raw, fd));
                        n
                    }
                };
                insns[i].imm = new;
                i += 2;
            } else {
                i += 1;
            }
        }
        Some(Source {
            name: name.to_owned(),
            license: license.to_owned(),
            insns,
            lines: lines.to_vec(),
            prog_flags: opts.prog_flags,
            _maps: held.into_iter().map(|(_, fd)| fd).collect(),
        })
    }

    /// True if it was loaded with `BPF_F_XDP_HAS_FRAGS`.
    pub(crate) fn frags(&self) -> bool {
        self.prog_flags & BPF_F_XDP_HAS_FRAGS != 0
    }

    /// Loads it as an freplace program of function `btf_id` of `target` (libxdp: type EXT,
    /// expected attach type 0, `BPF_F_XDP_HAS_FRAGS` cleared). Its BTF main function gets the
    /// slot's type, `int (struct xdp_md *ctx)`, which the kernel compares with the target's.
    pub(crate) fn load_ext(&self, target: &Program, btf_id: u32) -> Result<Program> {
        let (mut btf, mut bext) = program_btf(&self.name, "xdp", &self.insns, &self.lines);
        let proto = super::dispatcher::add_xdp_proto(&mut btf);
        let main = bext
            .func_info
            .first_mut()
            .and_then(|s| s.records.first_mut())
            .map(|r| r.type_id)
            .ok_or_else(|| Error::invalid("the component program has no function"))?;
        if let Some(t) = btf.types.get_mut(main as usize - 1) {
            if let Kind::Func { proto: p, .. } = &mut t.kind {
                *p = proto;
            }
        }
        bext.line_info.retain(|s| !s.records.is_empty());
        let records = btf.encode_for_load(&bext);
        let btf_fd = ext_btf_load(&records.btf)?;
        let opts = LoadOptions {
            prog_flags: self.prog_flags & !BPF_F_XDP_HAS_FRAGS,
            ..LoadOptions::default()
        };
        Program::load_raw(
            &self.name,
            ProgramType::Ext,
            &self.license,
            &self.insns,
            Some(ProgBtf {
                fd: btf_fd.as_fd(),
                func_info: &records.func_info,
                line_info: &records.line_info,
            }),
            &opts,
            Some((target.fd(), btf_id)),
        )
        .map_err(|e| match e.errno() {
            Some(libc::EPERM) if e.verifier_log().is_none_or(|l| l.trim().is_empty()) => {
                Error::io_hint(
                    "BPF_PROG_LOAD(BPF_PROG_TYPE_EXT)",
                    libc::EPERM,
                    "the kernel refused an freplace (BPF_PROG_TYPE_EXT) program: it needs \
                     CAP_BPF + CAP_PERFMON + CAP_NET_ADMIN (or CAP_SYS_ADMIN), and a kernel \
                     whose security policy (lockdown, BPF LSM) allows extension programs; \
                     without them neither libxdp nor this library can run several XDP \
                     programs on one interface",
                )
            }
            _ => e,
        })
    }
}

fn ext_btf_load(blob: &[u8]) -> Result<OwnedFd> {
    crate::sys::btf::btf_load(blob, &mut []).map_err(|e| {
        Error::io_hint(
            "BPF_BTF_LOAD",
            e,
            "freplace components need BTF, which this kernel refused",
        )
    })
}

/// Links `component` (an EXT program) into function `btf_id` of `dispatcher`.
pub(crate) fn link(component: &Program, dispatcher: &Program, btf_id: u32) -> Result<OwnedFd> {
    ext::link_create_freplace(component.fd(), dispatcher.fd(), btf_id).map_err(|e| {
        let hint = match e {
            libc::EINVAL => {
                "the kernel cannot attach this freplace program to a second dispatcher \
                 (needs Linux 5.10), or its function type does not match the slot's, or \
                 the two dispatchers were loaded with different expected attach types"
            }
            libc::EPERM => "linking freplace programs needs CAP_BPF and CAP_PERFMON",
            _ => "BPF_LINK_CREATE of a component into a dispatcher slot",
        };
        Error::io_hint("BPF_LINK_CREATE(freplace)", e, hint)
    })
}
