//! The kernel rule cases of this folder, read by `ebpf-dsl/tests/verifier_kernel_rules.rs` (the
//! static verdicts) and `tests/tests/verifier_kernel_rules.rs` (the running kernel's): the maps
//! the programs name, and each case with its header lines (see README.md).
#![allow(dead_code)] // each test file uses a part

use std::borrow::Cow;
use std::path::Path;

use ebpf_dsl::asm::Assembled;
use ebpf_dsl::btf::{BtfType, MapBtf};
use ebpf_dsl::verifier::{KernelVersion, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

/// A map spec with no flags.
fn map(name: &'static str, map_type: MapType, key_size: u32, value_size: u32, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type,
        key_size,
        value_size,
        max_entries: n,
        flags: 0,
        btf: None,
        inner: None,
    }
}

/// A case: file name, source, program type, the kernel's verdict, our expected verdict.
pub struct Case {
    pub name: String,
    pub src: String,
    pub prog_type: ProgramType,
    pub kernel_accepts: bool,
    pub we_accept: bool,
    /// `# since: X.Y`: the kernel accepts it from X.Y on (the verdict recorded is 6.18's);
    /// the static verifier must reject it for older targets and accept it for X.Y.
    pub since: Option<KernelVersion>,
    /// `# until: X.Y`: kernels before X.Y accept it (the verdict recorded, a reject, is
    /// 6.18's: a rule X.Y tightened); the static verifier must accept it for the line before
    /// X.Y and reject it for X.Y.
    pub until: Option<KernelVersion>,
    /// `# target: X.Y`: verified for X.Y only (a case where a newer kernel's verifier is the
    /// stricter one, e.g. 6.18's links through `-=` spreading a lossy refinement).
    pub target: Option<KernelVersion>,
    /// `# section: NAME`: loaded with the `expected_attach_type` libbpf gives ELF section
    /// NAME (`xdp/devmap`: `BPF_XDP_DEVMAP`).
    pub attach: Option<u32>,
    /// `# btf: vmlinux`: verified with the running kernel's BTF (`/sys/kernel/btf/vmlinux`,
    /// `VerifyInput::vmlinux`): it reads kernel structures through BTF pointers.
    pub btf: bool,
    /// `# flags: N`: loaded with `prog_flags` N (1: `BPF_F_STRICT_ALIGNMENT`, 2:
    /// `BPF_F_ANY_ALIGNMENT`) and verified with the same (`VerifyInput::with_prog_flags`).
    pub prog_flags: u32,
    /// `# license: TEXT`: the program's licence (default `GPL`), given to both sides.
    pub license: String,
    /// `# cpus: N`: verified for a machine of N possible CPUs
    /// (`VerifyInput::possible_cpus`); the live test gives the running machine's instead.
    pub cpus: Option<u32>,
}

/// Why the `# btf: vmlinux` cases cannot be checked here (`None`: they can): no BTF of the
/// running kernel. They name kernel types, members and sizes by name (`btf_id(struct X)`,
/// `offsetof(struct X, m)`, `sizeof(struct X)`: `ebpf_dsl::asm::resolve_btf_names`), so any
/// build's BTF serves. Such cases are skipped, each named on the output.
pub fn btf_cases_skip_reason() -> Option<String> {
    (!Path::new("/sys/kernel/btf/vmlinux").exists()).then(|| "no /sys/kernel/btf/vmlinux".into())
}

/// The text of case `c` to assemble: for a `# btf: vmlinux` case, its type ids, offsets and
/// sizes by name resolved against `vmlinux` (the running kernel's BTF).
pub fn case_source(c: &Case, vmlinux: Option<&ebpf_dsl::btf::Btf>) -> String {
    match (c.btf, vmlinux) {
        (true, Some(btf)) => ebpf_dsl::asm::resolve_btf_names(&c.src, btf)
            .unwrap_or_else(|d| panic!("{}: kernel types by name: {d:?}", c.name)),
        _ => c.src.clone(),
    }
}

/// The value of the header line `# key: value`.
pub fn header(src: &str, key: &str) -> Option<String> {
    src.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}:")))
        .map(|v| v.trim().to_string())
}

/// Every `*.s` case of `dir`, sorted by name.
pub fn cases(dir: &Path) -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let src = std::fs::read_to_string(&p).expect("read case");
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let verdict = |key: &str| {
                header(&src, key).map(|v| match v.as_str() {
                    "accept" => true,
                    "reject" => false,
                    other => panic!("{name}: `# {key}: {other}` is neither accept nor reject"),
                })
            };
            let kernel_accepts =
                verdict("kernel").unwrap_or_else(|| panic!("{name}: no `# kernel:` line"));
            let prog_type = header(&src, "type")
                .map(|t| ProgramType::from_name(&t).unwrap_or_else(|| panic!("{name}: type {t}")))
                .unwrap_or(ProgramType::Xdp);
            let since = header(&src, "since")
                .map(|v| KernelVersion::parse(&v).unwrap_or_else(|| panic!("{name}: since {v}")));
            let until = header(&src, "until")
                .map(|v| KernelVersion::parse(&v).unwrap_or_else(|| panic!("{name}: until {v}")));
            assert!(
                until.is_none() || (!kernel_accepts && since.is_none()),
                "{name}: `# until:` is for a recorded reject without `# since:`"
            );
            let target = header(&src, "target")
                .map(|v| KernelVersion::parse(&v).unwrap_or_else(|| panic!("{name}: target {v}")));
            let attach = header(&src, "section").map(|s| {
                ebpf_dsl::spec::expected_attach_type_of_section(&s)
                    .unwrap_or_else(|| panic!("{name}: section {s} has no expected attach type"))
            });
            let prog_flags = header(&src, "flags").map_or(0, |v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name}: flags {v} is not a number"))
            });
            let cpus = header(&src, "cpus").map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name}: cpus {v} is not a number"))
            });
            Case {
                cpus,
                license: header(&src, "license").unwrap_or_else(|| "GPL".to_string()),
                prog_flags,
                btf: header(&src, "btf").is_some_and(|v| v == "vmlinux"),
                attach,
                target,
                since,
                until,
                we_accept: verdict("ours").unwrap_or(kernel_accepts),
                name,
                src,
                prog_type,
                kernel_accepts,
            }
        })
        .collect()
}

/// The maps the cases name: `m`, `h`, `x`, `pa`, `q`, `pc`, `pe`, `cg`, `ro`, `wo`, `sk`, `mm`,
/// `hm`, `sm` and `sh` (README.md).
pub fn rule_maps() -> Vec<MapSpec> {
    vec![
        map("m", MapType::Array, 4, 16, 1),
        map("h", MapType::Hash, 8, 8, 16),
        map("x", MapType::Xskmap, 4, 4, 4),
        map("pa", MapType::ProgArray, 4, 4, 4),
        map("q", MapType::Queue, 0, 8, 4),
        map("pc", MapType::PercpuArray, 4, 8, 1),
        map("pe", MapType::PerfEventArray, 4, 4, 4),
        map("cg", MapType::CgroupArray, 4, 4, 4),
        MapSpec {
            flags: 1 << 7, // BPF_F_RDONLY_PROG
            ..map("ro", MapType::Array, 4, 16, 1)
        },
        MapSpec {
            flags: 1 << 8, // BPF_F_WRONLY_PROG
            ..map("wo", MapType::Array, 4, 16, 1)
        },
        MapSpec {
            inner: Some(ebpf_dsl::spec::InnerMap::of(&map(
                "",
                MapType::Array,
                4,
                8,
                1,
            ))),
            ..map("mm", MapType::ArrayOfMaps, 4, 4, 2)
        },
        MapSpec {
            inner: Some(ebpf_dsl::spec::InnerMap::of(&map(
                "",
                MapType::Hash,
                8,
                8,
                4,
            ))),
            ..map("hm", MapType::HashOfMaps, 4, 4, 4)
        },
        // Socket storage: the kernel needs BTF (an int key), BPF_F_NO_PREALLOC, no entries.
        MapSpec {
            flags: 1, // BPF_F_NO_PREALLOC
            btf: Some(MapBtf {
                key: |b| Some(i32::btf_type(b)),
                value: |b| Some(u64::btf_type(b)),
            }),
            ..map("sk", MapType::SkStorage, 4, 8, 0)
        },
        map("sm", MapType::Sockmap, 4, 4, 4),
        // A value with a lock: `struct { u32 cnt; struct bpf_spin_lock l; u64 data; }`, with
        // BTF (the kernel needs it to know where the lock is).
        MapSpec {
            btf: Some(MapBtf {
                key: |b| Some(u32::btf_type(b)),
                value: |b| Some(lock_value(b)),
            }),
            ..map("sl", MapType::Hash, 4, 16, 4)
        },
        map("sh", MapType::Sockhash, 4, 4, 4),
    ]
}

/// The value type of map `sl`: a `u32`, a `bpf_spin_lock` at offset 4, a `u64` at 8.
fn lock_value(b: &mut ebpf_dsl::btf::Btf) -> u32 {
    use ebpf_dsl::btf::{BpfSpinLock, Kind, Member, Type};
    let lock = BpfSpinLock::btf_type(b);
    let cnt = u32::btf_type(b);
    let data = u64::btf_type(b);
    let m = |name: &str, ty, off: u32| Member {
        name: name.into(),
        ty,
        bit_offset: off * 8,
        bitfield_size: 0,
    };
    b.add(Type::new(
        "sl_value",
        Kind::Struct {
            size: 16,
            members: vec![m("cnt", cnt, 0), m("l", lock, 4), m("data", data, 8)],
        },
    ))
}

/// The verifier's input for case `c` assembled as `a`, with `maps` (the rule maps and the
/// case's own `.map` declarations): its program type, data, locks, timers, global functions,
/// attach type, load flags, licence, and `vmlinux` when the case names kernel types (`# btf:
/// vmlinux`). The target kernel is the caller's.
///
/// `func_info` is [`ebpf_dsl::btf::loader_func_info`] of the case: given to the verifier when
/// the harness's load passes BTF (`loader_passes_btf`: a callback or a global function; the
/// cases load without source lines), as the kernel then judges the case with it.
#[allow(dead_code)] // Not every test that includes this file builds inputs.
pub fn case_input<'a>(
    c: &'a Case,
    a: &'a Assembled,
    maps: &'a [MapSpec],
    vmlinux: Option<&'a ebpf_dsl::btf::Btf>,
    func_info: &'a [ebpf_dsl::btf::SubprogFunc],
) -> VerifyInput<'a> {
    let mut input = VerifyInput::new(&a.insns, c.prog_type)
        .with_maps(&a.relocations, maps)
        .with_data(&a.data)
        .with_spin_locks(&a.spin_locks)
        .with_timers(&a.timers)
        .with_globals(&a.globals)
        .with_attach_type(c.attach)
        .with_prog_flags(c.prog_flags)
        .with_possible_cpus(c.cpus);
    input.license = &c.license;
    if ebpf_dsl::btf::loader_passes_btf(&a.insns, false, &a.globals) {
        input.func_info = Some(func_info);
    }
    if c.btf {
        input.vmlinux = vmlinux;
        input.kallsyms = running_kallsyms();
    }
    input
}

/// The running kernel's symbol names (`/proc/kallsyms`, readable without root; the addresses
/// are not needed), for the `# btf: vmlinux` cases that load a kernel object by its BTF id.
#[allow(dead_code)] // Not every test that includes this file builds inputs.
pub fn running_kallsyms() -> Option<&'static ebpf_dsl::btf::Kallsyms> {
    static SYMS: std::sync::OnceLock<Option<ebpf_dsl::btf::Kallsyms>> = std::sync::OnceLock::new();
    SYMS.get_or_init(|| ebpf_dsl::btf::Kallsyms::running().ok())
        .as_ref()
}
