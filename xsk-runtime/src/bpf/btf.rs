//! BTF for the kernel: a map created from a [`MapSpec`] whose key and value types have BTF
//! (`defmap!` with `#[derive(Btf)]` types or primitives) gets `btf_fd`, `btf_key_type_id` and
//! `btf_value_type_id`, so `bpftool map dump` prints its fields by name; a program with source
//! lines ([`ProgramSpec::lines`](ebpf_dsl::ProgramSpec::lines)) is loaded with its BTF,
//! `func_info` and `line_info`, so the kernel's verifier log and
//! `bpftool prog dump xlated id N linum` show those lines.
//!
//! A kernel that refuses the BTF (too old, or built without it) still gets the map or program,
//! without BTF; the first refusal of `BPF_BTF_LOAD` in a process prints one line on stderr.

use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use ebpf_dsl::btf::{program_btf_with_globals, Btf, GlobalArg, GlobalFunc, KernelBtf, SourceLine};
use ebpf_dsl::{Insn, MapSpec, ProgramType};

use crate::sys::bpf as sysbpf;
use crate::sys::bpf::ProgBtf;
use crate::sys::btf::btf_load;

/// `BPF_BTF_LOAD`, with the one-line notice the first time the kernel refuses it.
fn load(blob: &[u8]) -> Option<OwnedFd> {
    static NOTICE: std::sync::Once = std::sync::Once::new();
    match btf_load(blob, &mut []) {
        Ok(fd) => Some(fd),
        Err(errno) => {
            NOTICE.call_once(|| {
                eprintln!(
                    "xsk-runtime: the kernel refused BTF (BPF_BTF_LOAD: {}); maps and programs \
                     are loaded without it",
                    std::io::Error::from_raw_os_error(errno)
                )
            });
            None
        }
    }
}

/// `BPF_MAP_CREATE` for `spec`: with its key/value BTF when it has some and the kernel takes
/// it, else as `attr` says.
pub(crate) fn map_create(spec: &MapSpec, attr: &sysbpf::MapCreateAttr) -> Result<OwnedFd, i32> {
    match spec.btf.as_ref().and_then(|b| b.build()) {
        Some((btf, key, value)) => map_create_with(&btf, key, value, attr),
        None => sysbpf::map_create(attr),
    }
}

/// `BPF_MAP_CREATE` with key type `key` and value type `value` of `btf` (only the types they
/// need are loaded), else as `attr` says.
pub(crate) fn map_create_with(
    btf: &Btf,
    key: u32,
    value: u32,
    attr: &sysbpf::MapCreateAttr,
) -> Result<OwnedFd, i32> {
    if let Some((btf, ids)) = btf.subset(&[key, value]) {
        if let Some(fd) = load(&btf.encode()) {
            let mut a = *attr;
            a.btf_fd = fd.as_raw_fd() as u32;
            a.btf_key_type_id = ids[0];
            a.btf_value_type_id = ids[1];
            // The map keeps its own reference to the BTF object: `fd` may close after this.
            if let Ok(map) = sysbpf::map_create(&a) {
                return Ok(map);
            }
        }
    }
    sysbpf::map_create(attr)
}

/// A program's loaded BTF and its `func_info` / `line_info` records.
pub(crate) struct ProgramBtf {
    fd: OwnedFd,
    records: KernelBtf,
}

impl ProgramBtf {
    /// The BTF of program `name` with these source lines, loaded; `None` without lines and
    /// callbacks, or when the kernel refuses BTF. A program that takes a callback's address
    /// (`BPF_PSEUDO_FUNC`) always gets it: the kernel wants `func_info` for callbacks
    /// ("missing btf func_info") and a static `FUNC` for each ("callback function not static").
    /// Functions of `globals` are declared global with their prototypes (a context argument
    /// as a pointer to `prog_type`'s context structure). A context argument typed by its tag
    /// ([`GlobalArg::CtxTagged`], a `void *` tagged `arg:ctx`), which a kernel that does not
    /// read the `arg:` tags refuses ([`crate::features::global_arg_ctx_tag`], probed), is
    /// then written as that pointer, which every kernel takes as the context (as libbpf
    /// does); a program type without a context structure keeps the tag.
    pub(crate) fn load(
        name: &str,
        prog_type: ProgramType,
        insns: &[Insn],
        lines: &[SourceLine],
        globals: &[GlobalFunc],
    ) -> Option<ProgramBtf> {
        let tagged = |g: &GlobalFunc| g.args.contains(&GlobalArg::CtxTagged);
        if prog_type.ctx_struct().is_some()
            && globals.iter().any(tagged)
            && !kernel_reads_arg_ctx_tag()
        {
            let typed: Vec<GlobalFunc> = globals
                .iter()
                .map(|g| GlobalFunc {
                    args: g
                        .args
                        .iter()
                        .map(|a| match a {
                            GlobalArg::CtxTagged => GlobalArg::Ctx,
                            a => a.clone(),
                        })
                        .collect(),
                    ..g.clone()
                })
                .collect();
            return ProgramBtf::load_as_declared(name, prog_type, insns, lines, &typed);
        }
        ProgramBtf::load_as_declared(name, prog_type, insns, lines, globals)
    }

    /// [`ProgramBtf::load`] with `globals` written as they are declared.
    pub(crate) fn load_as_declared(
        name: &str,
        prog_type: ProgramType,
        insns: &[Insn],
        lines: &[SourceLine],
        globals: &[GlobalFunc],
    ) -> Option<ProgramBtf> {
        if !ebpf_dsl::btf::loader_passes_btf(insns, !lines.is_empty(), globals) {
            return None;
        }
        let (btf, ext) =
            program_btf_with_globals(name, "prog", insns, lines, globals, prog_type.ctx_struct());
        let records = btf.encode_for_load(&ext);
        let fd = load(&records.btf)?;
        Some(ProgramBtf { fd, records })
    }

    /// What `BPF_PROG_LOAD` takes.
    pub(crate) fn attr(&self) -> ProgBtf<'_> {
        ProgBtf {
            fd: self.fd.as_fd(),
            func_info: &self.records.func_info,
            line_info: &self.records.line_info,
        }
    }
}

/// The probe behind [`crate::features::global_arg_ctx_tag`] (which documents it): an XDP
/// program whose global function takes a `void *` tagged `arg:ctx`, loaded with its BTF as
/// declared. Here, next to the BTF writer, so that the loader can ask it without the loading
/// layer above (`bpf::program`). Asked once, then cached.
pub(crate) fn kernel_reads_arg_ctx_tag() -> bool {
    static READS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READS.get_or_init(|| {
        const PROBE: &str = ".global_func g(ctx tagged)\ncall g\nr0 = 0\nexit\ng:\nr0 = 0\nexit\n";
        let Ok(a) = ebpf_dsl::asm::assemble(PROBE) else {
            return false;
        };
        let Some(btf) = ProgramBtf::load_as_declared(
            "probe_arg_ctx",
            ProgramType::Xdp,
            &a.insns,
            &[],
            &a.globals,
        ) else {
            return false;
        };
        let p = sysbpf::ProgLoad {
            prog_type: ProgramType::Xdp.as_u32(),
            insns: &a.insns,
            license: c"GPL",
            name: "probe_arg_ctx",
            expected_attach_type: 0,
            prog_flags: 0,
            ifindex: 0,
            log_level: 0,
            btf: Some(btf.attr()),
            attach: None,
        };
        sysbpf::prog_load(&p, &mut []).is_ok()
    })
}
