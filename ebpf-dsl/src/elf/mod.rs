//! ELF objects in and out: the format clang, libbpf, bpftool, `ip link ... xdp obj`, aya and
//! xdp-tools exchange eBPF programs in (ELF64, little endian, `EM_BPF` = 247, relocatable).
//! Pure Rust, no OS code.
//!
//! - In: [`read_object`] reads a clang-compiled `.o` into an [`Object`]: one [`ProgramSpec`]
//!   per entry point (a global function in a program section: `xdp`, `xdp/...`, `tc`,
//!   `classifier`, `action`, `socket`, ...), with the `.text` subprograms it calls appended
//!   after it and every bpf-to-bpf `call` re-targeted (as libbpf does); the legacy `maps`
//!   section (`struct bpf_map_def`) and BTF-defined maps in `.maps` as [`MapSpec`]s; global
//!   data (`.data`, `.rodata`, `.bss`, `.rodata.str1.1`, ...) as one-entry array maps named
//!   after their section with their initial contents in [`Object::data`]; `R_BPF_64_64`
//!   relocations to maps as [`RelocKind::MapFd`](crate::RelocKind::MapFd) and to global data as
//!   [`RelocKind::MapValue`](crate::RelocKind::MapValue); the `.BTF.ext` `line_info` (file,
//!   line, column, source text) as [`ProgramSpec::lines`], so a loader passes clang's source
//!   lines to the kernel.
//! - Out: [`write_object`] writes an [`Object`] (e.g. [`Object::from_programs`]) as a
//!   relocatable object: one section per program type (`xdp`, `tc`, `socket`, `action`), a
//!   `FUNC` symbol per program, `.rel<section>` relocations for map loads (`R_BPF_64_64`),
//!   the maps as BTF-defined maps in `.maps`, global data sections, `license`, `.BTF` and
//!   `.BTF.ext` (a `FUNC` per program and subprogram, named as in the `.symtab`).
//!
//! Its layer (see `tests/layers.rs`): beside [`crate::asm`], above [`crate::disasm`] (the
//! listings of [`program_listing`] are the disassembler's, with map names) and below
//! [`crate::verifier`]: it needs only the instruction set, the specs and the disassembler,
//! and the layers above (errors, the builder pipeline) may use it.
//!
//! BTF goes through [`crate::btf`]: the reader decodes `.BTF` ([`object_btf`]) and resolves
//! the `.maps` definitions in it ([`maps_from_btf`], [`MapTypes`]); the writer builds `.BTF`
//! with [`crate::btf::Btf::add_map_definition`] (key/value types from `defmap!`'s
//! [`crate::btf::MapBtf`] when the map has them) and [`crate::btf::program_btf`] per program,
//! and `.BTF.ext` with each program's `func_info` and `line_info` ([`ProgramSpec::lines`]).
//!
//! Global data written from text (`.map .rodata ... init=HEX`) goes in [`Object::data`];
//! calls of the XDP metadata and netfilter kfuncs and of `bpf_throw` by name
//! ([`crate::xdp::netfilter`], [`crate::xdp::exception`]) are written and read as clang's
//! extern functions (see the `kfunc` module: undefined symbol, extern `FUNC` in `.ksyms`,
//! `R_BPF_64_32`).
//!
//! The exception callback (`__exception_cb(cb)` on the entry: the decl tag
//! `exception_callback:cb` on its `FUNC`) is read as libbpf 1.1 (the corpus's, Debian 12's)
//! loads it: flagged among [`ElfProgram::globals`] when the program contains it (a function it
//! calls), else an entry at slot 0 that the verifier refuses as the kernel does ("exception
//! callback type id not found in func_info"; libbpf 1.3 and later append the callback, and the
//! kernel then verifies it); the tag's other refusals (a static callback, an unknown name,
//! two tags) likewise. The writer puts a text's callback in `.text` with the tag.
//!
//! Callbacks (the `ld_imm64` of a function that `bpf_loop`, `bpf_for_each_map_elem`, ...
//! take): clang writes `r2 = 0x38 ll` with an `R_BPF_64_64` relocation against `.text`; the
//! reader appends that function like a callee and makes the load a `BPF_PSEUDO_FUNC` one
//! (`src` 4, `imm` the distance, as the kernel takes it); the writer puts the callback in
//! `.text` and writes clang's form back, so libbpf and bpftool load the object.
//!
//! For a target kernel ([`read_object_for`], [`read_object_for_kernel`]) the reader resolves
//! CO-RE relocations (`.BTF.ext` core_relo) against its BTF as libbpf does, and gives the
//! `__kconfig` externs their values in a frozen `.kconfig` map ([`Kconfig`]).
//!
//! The kfuncs and `__ksym` variables an object declares (`.ksyms` externs, [`ksyms`]) are
//! resolved against the target kernel's BTF, vmlinux's and its loaded modules' (split BTF,
//! [`crate::btf::SplitBtf`]), as libbpf resolves them before loading anything
//! ([`resolve_ksyms`]): given a target ([`read_object_with`]), an extern libbpf refuses (a
//! strong kfunc in no BTF, an incompatible prototype: [`KsymResolution::refusal`]) makes the
//! reader refuse the object with libbpf's message, and a weak kfunc the kernel lacks has its
//! calls poisoned as libbpf does. A loader or a checker that reports libbpf's refusal as a
//! verdict calls [`resolve_ksyms`] itself first (the reader's refusal is an [`ElfError`] like
//! the others).
//!
//! What the reader does not take: calls of kfuncs it does not model (an error naming the
//! kfunc, and where the target kernel has it), `__ksym` variables, CO-RE relocations and
//! `__kconfig` externs without a target; each is an [`ElfError`] naming the section and
//! offset. Sections of unknown program types are listed in [`Object::skipped`].
//!
//! The initial contents of BTF-defined prog arrays and maps of maps (`.values = { [1] =
//! &tail_1 }`, `.values = { [0] = &inner_map }`) are read from the relocations in `.maps` as
//! libbpf reads them, into [`Object::slots`] ([`crate::spec::MapSlot`]), with libbpf's
//! refusals and the kernel's checks at the later update (see the `map_slots` module); the
//! writer does not write them (an error).
//!
//! ```
//! use ebpf_dsl::elf::{read_object, write_object, Object};
//! let prog = ebpf_dsl::dsl::Program::xdp("pass");
//! let mut p = prog;
//! p.push(ebpf_dsl::dsl::mov(ebpf_dsl::Reg::R0, 2)).push(ebpf_dsl::dsl::exit());
//! let spec = p.build()?;
//! let obj = Object::from_programs(std::slice::from_ref(&spec))?;
//! let bytes = write_object(&obj)?;
//! let back = read_object(&bytes)?;
//! assert_eq!(back.programs[0].section, "xdp");
//! assert_eq!(back.programs[0].spec, spec);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod btf_maps;
mod core_calc;
mod core_relo;
mod core_spec;
#[cfg(test)]
mod core_tests;
mod exception;
mod kconfig;
mod kfunc;
mod ksyms;
mod listing;
mod loaded;
mod map_slots;
mod raw;
mod read;
mod read_maps;
mod write;

use std::fmt;

pub use btf_maps::{maps_from_btf, MapTypes};
pub use core_calc::POISON_HELPER;
pub use kconfig::{Kconfig, KCONFIG_MAP};
pub use ksyms::{ksyms, resolve_ksyms, Found, Ksym, KsymKind, KsymResolution};
pub use listing::{
    program_listing, program_listing_data, program_listing_globals, program_listing_in,
    program_listing_locks, program_listing_specials,
};
pub use loaded::loaded_shape;

use crate::spec::{MapSpec, ProgramSpec, ProgramType};

pub use crate::spec::{GlobalData, BPF_F_RDONLY_PROG};

/// `e_machine` of eBPF objects (`EM_BPF`).
pub const EM_BPF: u16 = raw::EM_BPF;

/// A malformed or unsupported object: the section (when known), the byte offset (in the
/// section, or in the file when no section is named) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfError {
    /// The section the problem is in, if it is in one.
    pub section: Option<String>,
    /// The byte offset in that section (in the file when `section` is `None`).
    pub offset: u64,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.section {
            Some(s) => write!(
                f,
                "section `{s}`, offset {:#x}: {}",
                self.offset, self.reason
            ),
            None => write!(f, "offset {:#x}: {}", self.offset, self.reason),
        }
    }
}

impl std::error::Error for ElfError {}

impl ElfError {
    /// A problem at byte `offset` of section `section`.
    pub(crate) fn in_section(section: &str, offset: u64, reason: impl Into<String>) -> ElfError {
        ElfError {
            section: Some(section.into()),
            offset,
            reason: reason.into(),
        }
    }
}

/// One entry point of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfProgram {
    /// The ELF section it is in (`xdp`, `xdp/redirect`, `tc`, ...).
    pub section: String,
    /// Its function symbol (the full name; [`ProgramSpec::name`] keeps the first 15
    /// characters, as the kernel does).
    pub function: String,
    /// The program, with the subprograms it calls appended, ready for a loader (its
    /// [`ProgramSpec::maps`] by name).
    pub spec: ProgramSpec,
    /// The subprograms whose BTF `FUNC` (from `.BTF.ext` `func_info`) is global, at their
    /// slots in [`ElfProgram::spec`]: the kernel verifies each once from its prototype, and
    /// so does the static verifier given them as `VerifyInput::globals`; the ELF writer
    /// writes them global with their prototypes. The exception callback the entry declares
    /// is flagged among them ([`crate::btf::GlobalFunc::exception_cb`]), or is an entry at slot
    /// 0 when the program does not contain it (the kernel then refuses the load).
    pub globals: Vec<crate::btf::GlobalFunc>,
    /// The BTF function info libbpf passes with the program (the object has `.BTF` and
    /// `.BTF.ext` func_info for its section): each subprogram after the entry, at its slot in
    /// [`ElfProgram::spec`], and whether it returns a number. `None` without it: the kernel
    /// then refuses tail calls and LD_ABS/LD_IND outside the main function. The static
    /// verifier takes it as `VerifyInput::func_info`.
    pub func_info: Option<Vec<crate::btf::SubprogFunc>>,
}

impl ElfProgram {
    /// Whether it is in section `name` (or its function is named `name`; every program is,
    /// for `None`).
    fn is_in(&self, name: Option<&str>) -> bool {
        name.is_none_or(|n| self.section == n || self.function == n)
    }

    /// The `expected_attach_type` its section asks for, as libbpf loads it
    /// ([`crate::spec::expected_attach_type_of_section`]: `xdp/devmap`, `xdp/cpumap`, ...).
    pub fn expected_attach_type(&self) -> Option<u32> {
        crate::spec::expected_attach_type_of_section(&self.section)
    }
}

/// What an object holds: programs, maps, global data.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Object {
    /// The `license` section's string (empty if there is none).
    pub license: String,
    /// The entry points, in section order then address order.
    pub programs: Vec<ElfProgram>,
    /// Every map: legacy, BTF-defined, and one per global-data section, by name.
    pub maps: Vec<MapSpec>,
    /// The initial contents of the global-data maps, by map name.
    pub data: Vec<GlobalData>,
    /// Executable sections the reader did not take (no known program type for their name).
    pub skipped: Vec<String>,
    /// The initial slots of its prog arrays and maps of maps (`.values = { [i] = &x }`), by
    /// map then index: a loader fills a map of maps' slots once the maps are created and a
    /// prog array's once the programs are loaded, as libbpf does.
    pub slots: Vec<crate::spec::MapSlot>,
    /// The entry points the reader could not express, with why; not in
    /// [`Object::programs`]. Only one class goes here rather than failing the read: a call of
    /// a kfunc the target kernel has (libbpf resolves it, the kernel loads the object's other
    /// programs) that this crate does not model. A loader of every program of the object must
    /// refuse it when this is not empty; one entry point's check or load is unaffected.
    pub unexpressed: Vec<Unexpressed>,
}

/// An entry point of an object that [`read_object_with`] could not express ([`Object::unexpressed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unexpressed {
    /// Its section.
    pub section: String,
    /// Its function symbol.
    pub function: String,
    /// Why: the instruction and the kfunc it calls.
    pub error: ElfError,
}

/// An object's `.BTF` ([`object_btf`]): kept apart from [`Object`], whose programs, maps and
/// data are what a write/read round trip preserves (the writer makes its own BTF).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectBtf {
    /// The decoded `.BTF`.
    pub btf: crate::btf::Btf,
    /// The key/value types of the BTF-defined maps, ids in [`ObjectBtf::btf`].
    pub maps: Vec<MapTypes>,
}

impl Object {
    /// An object holding `programs` (each in the section [`section_for_program_type`] names,
    /// its [`ProgramSpec::maps`] sorted by name, as [`read_object`] gives them), their maps (by
    /// name, once each; two different specs under one name are an error) and the license of
    /// the first program. Global data maps (named `.data`, `.rodata`, `.bss`, ...) start
    /// zeroed unless [`Object::data`] is given.
    pub fn from_programs(programs: &[ProgramSpec]) -> Result<Object, ElfError> {
        let mut obj = Object {
            license: programs
                .first()
                .map(|p| p.license.to_string())
                .unwrap_or_default(),
            ..Object::default()
        };
        for p in programs {
            let section = section_for_program_type(p.prog_type).ok_or_else(|| ElfError {
                section: None,
                offset: 0,
                reason: format!(
                    "program `{}`: no ELF section name for program type {}",
                    p.name, p.prog_type
                ),
            })?;
            for m in p.maps.iter() {
                match obj.maps.iter().find(|o| o.name == m.name) {
                    Some(o) if o != m => {
                        return Err(ElfError {
                            section: None,
                            offset: 0,
                            reason: format!("two different maps are named `{}`", m.name),
                        })
                    }
                    Some(_) => {}
                    None => obj.maps.push(m.clone()),
                }
            }
            let mut spec = p.clone();
            spec.maps.to_mut().sort_by(|a, b| a.name.cmp(&b.name));
            obj.programs.push(ElfProgram {
                section: section.to_string(),
                function: p.name.to_string(),
                // The writer declares every subprogram `int NAME_N(void)` in its BTF.
                func_info: Some(
                    crate::btf::function_starts(&spec.insns)
                        .into_iter()
                        .filter(|&s| s != 0)
                        .map(|insn| crate::btf::SubprogFunc {
                            insn,
                            returns_scalar: true,
                        })
                        .collect(),
                ),
                spec,
                globals: Vec::new(),
            });
        }
        obj.maps.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(obj)
    }

    /// The entry points in section `name` (all of them for `None`) that the reader could not
    /// express ([`Object::unexpressed`]).
    pub fn unexpressed_in<'a>(
        &'a self,
        name: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Unexpressed> {
        self.unexpressed
            .iter()
            .filter(move |u| name.is_none_or(|n| u.section == n || u.function == n))
    }

    /// The programs in section `name` (all of them for `None`).
    pub fn programs_in<'a>(
        &'a self,
        name: Option<&'a str>,
    ) -> impl Iterator<Item = &'a ElfProgram> {
        self.programs.iter().filter(move |p| p.is_in(name))
    }

    /// Keeps only the programs of [`Object::programs_in`] `name` (all of them for `None`):
    /// a caller that checks or loads one entry point of an object of many frees the others'
    /// instructions and source lines first.
    pub fn keep_programs_in(&mut self, name: Option<&str>) {
        self.programs.retain(|p| p.is_in(name));
    }
}

/// Reads an ELF relocatable object for eBPF (see the module docs). A malformed object is an
/// [`ElfError`] naming the section and offset.
pub fn read_object(bytes: &[u8]) -> Result<Object, ElfError> {
    read_object_with(bytes, &ReadOptions::default())
}

/// How [`read_object_with`] reads an object: the target kernel and the type of legacy
/// sections (the other `read_object*` functions are shorthands of it).
#[derive(Clone, Copy, Debug, Default)]
pub struct ReadOptions<'a> {
    /// The program type of the sections whose name gives none ([`read_object_as`]).
    pub unknown: Option<ProgramType>,
    /// The target kernel's BTF (`/sys/kernel/btf/vmlinux`): CO-RE relocations are resolved
    /// against it ([`read_object_for`]) and the `.ksyms` externs looked up in it.
    pub btf: Option<&'a crate::btf::Btf>,
    /// The target kernel's loaded modules' BTF (split over [`ReadOptions::btf`]; from
    /// [`crate::btf::SplitBtf::read_dir`] of `/sys/kernel/btf`), where the `.ksyms` externs
    /// vmlinux lacks are looked up, as libbpf does. Ignored without `btf`.
    pub modules: &'a [crate::btf::SplitBtf],
    /// The target kernel's version and configuration, for `__kconfig` externs
    /// ([`read_object_for_kernel`]).
    pub kconfig: Option<&'a Kconfig>,
    /// A section (by its name or one of its functions' names) read as a program of type
    /// [`ReadOptions::unknown`] even though its name is one of another program type libbpf
    /// knows ([`is_other_program_section`]), as a loader that sets the type itself does:
    /// tc's `bpf obj FILE sec sk_skb` loads that section as a classifier (libbpf:
    /// `bpf_program__set_type`). Ignored without `unknown`.
    pub section_as_unknown: Option<&'a str>,
}

/// Reads an object as `opts` says (see the module docs and [`ReadOptions`]).
pub fn read_object_with(bytes: &[u8], opts: &ReadOptions<'_>) -> Result<Object, ElfError> {
    read::read(bytes, opts)
}

/// [`read_object`] (or [`read_object_as`] with `unknown`) for the kernel whose BTF is
/// `target` (`/sys/kernel/btf/vmlinux`, decoded with [`crate::btf::Btf::decode`]): the CO-RE
/// field byte offsets of the object (`ptr->field` of a `preserve_access_index` type, as in
/// vmlinux.h) and every other CO-RE relocation are resolved against it as libbpf does
/// (bitfields, field sizes and existence, type ids, sizes and matches, enum values; a failed
/// one poisons its instruction with `call` [`POISON_HELPER`], which the verifier rejects only
/// where it is reached).
pub fn read_object_for(
    bytes: &[u8],
    unknown: Option<ProgramType>,
    target: &crate::btf::Btf,
) -> Result<Object, ElfError> {
    read_object_with(
        bytes,
        &ReadOptions {
            unknown,
            btf: Some(target),
            ..ReadOptions::default()
        },
    )
}

/// [`read_object`] (or [`read_object_as`] with `unknown`) for a target kernel: CO-RE
/// relocations resolved against its BTF `btf` as [`read_object_for`] does (refused without
/// it), and the `__kconfig` externs (`LINUX_KERNEL_VERSION`, `CONFIG_*`) given the values of
/// `kconfig` in a read-only `.kconfig` map ([`KCONFIG_MAP`], its contents in
/// [`Object::data`], frozen by a loader) as libbpf does (refused without it).
pub fn read_object_for_kernel(
    bytes: &[u8],
    unknown: Option<ProgramType>,
    btf: Option<&crate::btf::Btf>,
    kconfig: Option<&Kconfig>,
) -> Result<Object, ElfError> {
    read_object_with(
        bytes,
        &ReadOptions {
            unknown,
            btf,
            kconfig,
            ..ReadOptions::default()
        },
    )
}

/// [`read_object`], with the program sections whose name gives no type (the legacy names of
/// iproute2 and older libbpf: `xdp_pass`, `prog`, `filter`, `loadbalancer`, ...) read as
/// programs of type `unknown`, as libbpf does after `bpf_program__set_type`. Sections of the
/// other program types libbpf knows (`kprobe/...`, `tp_btf/...`, `iter/...`, ...; see
/// [`is_other_program_section`]) stay in [`Object::skipped`].
pub fn read_object_as(bytes: &[u8], unknown: ProgramType) -> Result<Object, ElfError> {
    read_object_with(
        bytes,
        &ReadOptions {
            unknown: Some(unknown),
            ..ReadOptions::default()
        },
    )
}

/// Whether executable section `name` is one libbpf gives a program type this crate does not
/// read (tracing, cgroup, LSM, struct_ops, other socket hooks, ...): the part before the first
/// `/` (or `.s` for sleepable) is one of libbpf's section prefixes (after a leading `?`, which
/// only tells libbpf not to load the program by default).
pub fn is_other_program_section(name: &str) -> bool {
    let name = name.strip_prefix('?').unwrap_or(name);
    const OTHER: &[&str] = &[
        "kprobe",
        "kretprobe",
        "uprobe",
        "uretprobe",
        "usdt",
        "ksyscall",
        "kretsyscall",
        "kprobe.multi",
        "kretprobe.multi",
        "uprobe.multi",
        "uretprobe.multi",
        "tracepoint",
        "tp",
        "raw_tracepoint",
        "raw_tp",
        "raw_tracepoint.w",
        "raw_tp.w",
        "tp_btf",
        "fentry",
        "fexit",
        "fmod_ret",
        "freplace",
        "lsm",
        "lsm_cgroup",
        "iter",
        "struct_ops",
        "syscall",
        "sk_lookup",
        "sk_skb",
        "sk_msg",
        "sk_reuseport",
        "sockops",
        "lwt_in",
        "lwt_out",
        "lwt_xmit",
        "lwt_seg6local",
        "perf_event",
        "flow_dissector",
        "netfilter",
        "cgroup",
        "cgroup_skb",
        "cgroup_sock",
        "cgroup_sock_addr",
        "cgroup_sockopt",
        "cgroup_device",
        "cgroup_sysctl",
    ];
    let head = name.split('/').next().unwrap_or(name);
    let head = head.strip_suffix(".s").unwrap_or(head);
    OTHER.contains(&head) || head.starts_with("cgroup")
}

/// The `.BTF` of an object, decoded, with the key/value type ids of its BTF-defined maps
/// (`None`: the object has no `.BTF`). A loader uses it to create the maps with their types.
pub fn object_btf(bytes: &[u8]) -> Result<Option<ObjectBtf>, ElfError> {
    read::object_btf(bytes)
}

/// Writes `obj` as an ELF relocatable object (see the module docs).
pub fn write_object(obj: &Object) -> Result<Vec<u8>, ElfError> {
    write::write(obj)
}

/// The program type of an ELF section name, as libbpf reads it: `xdp`, `xdp/...`,
/// `xdp.frags` → XDP; `tc`, `tc/...`, `tcx/...`, `classifier`, `classifier/...` → sched_cls;
/// `action`, `action/...` → sched_act; `socket`, `socket/...` → socket_filter. A leading `?`
/// (libbpf: not loaded by default, `?tc`) is not part of the type.
pub fn program_type_for_section(name: &str) -> Option<ProgramType> {
    let name = name.strip_prefix('?').unwrap_or(name);
    let head = name.split('/').next().unwrap_or(name);
    match head {
        "xdp" | "xdp.frags" => Some(ProgramType::Xdp),
        "tc" | "tcx" | "classifier" | "tc_packet_hook" => Some(ProgramType::SchedCls),
        "action" => Some(ProgramType::SchedAct),
        "socket" => Some(ProgramType::SocketFilter),
        _ => None,
    }
}

/// The section [`write_object`] puts a program of type `t` in (`xdp`, `tc`, `action`,
/// `socket`); `None` for the types without a libbpf section name this crate writes.
pub fn section_for_program_type(t: ProgramType) -> Option<&'static str> {
    match t {
        ProgramType::Xdp => Some("xdp"),
        ProgramType::SchedCls => Some("tc"),
        ProgramType::SchedAct => Some("action"),
        ProgramType::SocketFilter => Some("socket"),
        _ => None,
    }
}

/// Whether section `name` holds global data (`.data`, `.rodata`, `.bss` and their `.name`
/// suffixed variants).
pub fn is_data_section(name: &str) -> bool {
    [".data", ".rodata", ".bss"]
        .iter()
        .any(|p| name == *p || name.strip_prefix(p).is_some_and(|r| r.starts_with('.')))
}

/// The name of the array map for global-data section `section`: the section name, cut to
/// the kernel's 15 characters.
pub fn data_map_name(section: &str) -> String {
    kernel_name(section)
}

/// A symbol name as the kernel keeps it: the first 15 characters (as libbpf truncates).
pub fn kernel_name(name: &str) -> String {
    name.chars().take(crate::spec::BPF_OBJ_NAME_MAX).collect()
}

/// The names of the maps declared as `full` (in that order): each [`kernel_name`], except
/// that maps whose cut names coincide (`devmap_xmit_cnt` and `devmap_xmit_cnt_multi`) get
/// distinct ones, their first characters and `_0`, `_1`, ... within the 15. Maps are told
/// apart by their names here (the kernel does not need them distinct).
pub(crate) fn unique_kernel_names(full: &[&str]) -> Vec<String> {
    use std::collections::{BTreeMap, BTreeSet};
    let cut: Vec<String> = full.iter().map(|n| kernel_name(n)).collect();
    let mut taken: BTreeSet<String> = cut.iter().cloned().collect();
    // The full names behind each cut name: a cut name is shared when it has two. (A map, not
    // a scan of all pairs: an object's BTF may declare tens of thousands of maps.)
    let mut behind: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (c, f) in cut.iter().zip(full) {
        behind.entry(c).or_default().insert(f);
    }
    // Per first characters, the suffix from which to look for a free name: every smaller one
    // was taken when last looked at, and names are only added (linear in all, not quadratic
    // in the maps sharing a name).
    let mut next: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = cut.clone();
    for i in 0..full.len() {
        if behind.get(cut[i].as_str()).is_none_or(|f| f.len() < 2) {
            continue;
        }
        let stem: String = full[i]
            .chars()
            .take(crate::spec::BPF_OBJ_NAME_MAX - 2)
            .collect();
        let from = next.get(&stem).copied().unwrap_or(0);
        for n in from.. {
            let suffix = format!("_{n}");
            let keep = crate::spec::BPF_OBJ_NAME_MAX - suffix.len();
            let name: String = full[i].chars().take(keep).chain(suffix.chars()).collect();
            if taken.insert(name.clone()) {
                out[i] = name;
                next.insert(stem, n + 1);
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod name_tests {
    use super::unique_kernel_names;

    /// Names cut to 15 characters are told apart by suffixes, the first free one each; tens of
    /// thousands of maps sharing their first characters (a malformed object's BTF) take a
    /// moment, not the quadratic search's minutes.
    #[test]
    fn shared_cut_names_get_the_first_free_suffixes() {
        let full = [
            "devmap_xmit_cnt",
            "devmap_xmit_cnt_multi",
            "other",
            "devmap_xmit_0",
            "devmap_xmit_cnt_x",
            "devmap_xmit_cnt_multi",
        ];
        assert_eq!(
            unique_kernel_names(&full),
            [
                "devmap_xmit_c_0",
                "devmap_xmit_c_1",
                "other",
                "devmap_xmit_0",
                "devmap_xmit_c_2",
                "devmap_xmit_c_3"
            ]
        );
        // As the search over all pairs and all suffixes from 0 it replaces.
        let naive = |full: &[&str]| -> Vec<String> {
            let cut: Vec<String> = full.iter().map(|n| super::kernel_name(n)).collect();
            let mut taken: std::collections::BTreeSet<String> = cut.iter().cloned().collect();
            let mut out = cut.clone();
            for i in 0..full.len() {
                if !(0..full.len()).any(|j| j != i && cut[j] == cut[i] && full[j] != full[i]) {
                    continue;
                }
                for n in 0.. {
                    let suffix = format!("_{n}");
                    let keep = crate::spec::BPF_OBJ_NAME_MAX - suffix.len();
                    let name: String = full[i].chars().take(keep).chain(suffix.chars()).collect();
                    if taken.insert(name.clone()) {
                        out[i] = name;
                        break;
                    }
                }
            }
            out
        };
        assert_eq!(unique_kernel_names(&full), naive(&full));
        let mixed: Vec<String> = (0..300)
            .map(|i| match i % 4 {
                0 => format!("a_long_map_name_{i}"),
                1 => format!("a_long_map_nam_{}", i % 7),
                2 => format!("a_long_map_{i}"),
                _ => format!("a_long_map_name_{}", i % 5),
            })
            .collect();
        let mixed: Vec<&str> = mixed.iter().map(String::as_str).collect();
        assert_eq!(unique_kernel_names(&mixed), naive(&mixed));
        let many: Vec<String> = (0..40_000)
            .map(|i| format!("shared_prefix_{i:06}"))
            .collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let names = unique_kernel_names(&refs);
        let distinct: std::collections::BTreeSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len());
        // Their cut name, `shared_prefix_0`, is taken: the first suffix is 1.
        assert_eq!(names[0], "shared_prefix_1");
    }
}
