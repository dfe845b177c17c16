//! The instrument of `MapSpec::creation_check` (the static verifier's `BPF_MAP_CREATE` rules,
//! `ebpf-dsl/src/verifier/map_create.rs`): for every map type, a grid of specs (key size ×
//! value size × max_entries with the edge values of the type's rules, and every map flag alone
//! and in pairs on a shape the type takes) is created on the running kernel
//! (`xsk_runtime::maps::Map::create`, the runtime's own path: a map of maps' template first,
//! the local storage maps with BTF for their key and value), and whether the kernel creates
//! each is compared with whether `creation_check` for the running kernel (its release, as the
//! other instruments target it) accepts it. A table of the counts per type is printed; every
//! disagreement fails the test, except those of the classes listed in `documented`, which
//! depend on this machine rather than on the spec (each printed with its reason and counted):
//!
//! - `arena`: a kernel that refuses every arena (EPERM whatever the attributes: the
//!   reference kernel as deployed here; `bpf_jit_supports_arena`, its build): decided per
//!   spec by the kernel's errno, EPERM;
//! - `nr_cpus`: a `cpumap` over this kernel's `NR_CPUS` (`/sys/devices/system/cpu/kernel_max`
//!   + 1) and within the 8,192 the static check allows (E2BIG);
//! - `memory`: ENOMEM (memlock, memcg, vmalloc): the grid keeps its allocations small, so
//!   none is expected.
//!
//! The errno is compared too: every refusal both agree on must fail with the errno
//! `creation_check` names.
//!
//! Needs root (CAP_BPF, CAP_NET_ADMIN); skipped with a message otherwise, unless `CI=true`.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ebpf_dsl::btf::{Btf, MapBtf, MaybeBtfFn, Type};
use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::verifier::{KernelVersion, MAP_CREATE_REFERENCE};
use ebpf_dsl::{MapSpec, MapType};
use xsk_runtime::error::errno_name;
use xsk_runtime::maps::Map;
use xsk_testkit::kernel_tests;

use ebpf_dsl::spec::map_flags::{
    BPF_F_MMAPABLE as MMAPABLE, BPF_F_NO_PREALLOC as NO_PREALLOC, BPF_F_NUMA_NODE as NUMA,
    BPF_F_RDONLY as RDONLY, BPF_F_RDONLY_PROG as RDONLY_PROG,
    BPF_F_STACK_BUILD_ID as STACK_BUILD_ID, BPF_F_WRONLY as WRONLY,
    BPF_F_WRONLY_PROG as WRONLY_PROG,
};
/// `KMALLOC_MAX_SIZE` with 4 KiB pages.
const KM: u32 = 4 << 20;

/// The kernel `creation_check` is asked about: the running one (its release, as the other
/// instruments target it), the reference kernel when the release cannot be read.
fn target() -> KernelVersion {
    KernelVersion::running().unwrap_or(MAP_CREATE_REFERENCE)
}

/// A shape the type takes: key, value, max_entries, the flags it requires.
fn base(t: MapType) -> (u32, u32, u32, u32) {
    use MapType as M;
    match t {
        M::Hash | M::PercpuHash | M::LruHash | M::LruPercpuHash => (4, 8, 16, 0),
        M::Array | M::PercpuArray | M::ReuseportSockarray => (4, 8, 16, 0),
        M::ProgArray | M::PerfEventArray | M::CgroupArray | M::ArrayOfMaps => (4, 4, 16, 0),
        M::HashOfMaps => (4, 4, 16, 0),
        M::StackTrace => (4, 8, 16, 0),
        M::LpmTrie => (8, 8, 16, NO_PREALLOC),
        M::Devmap | M::DevmapHash | M::Sockmap | M::Sockhash | M::Cpumap | M::Xskmap => {
            (4, 4, 16, 0)
        }
        M::CgroupStorage | M::PercpuCgroupStorage => (8, 8, 0, 0),
        M::Queue | M::Stack | M::BloomFilter => (0, 8, 16, 0),
        M::SkStorage | M::InodeStorage | M::TaskStorage | M::CgrpStorage => (4, 8, 0, NO_PREALLOC),
        M::StructOps => (4, 8, 1, 0),
        M::Ringbuf | M::UserRingbuf => (0, 0, 4096, 0),
        M::Arena => (0, 0, 1, MMAPABLE),
    }
}

/// The edge values of each attribute for a type: the common ones and the type's limits.
fn edges(t: MapType) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    use MapType as M;
    let mut keys = vec![0, 1, 4, 8, 16];
    let mut values = vec![0, 1, 4, 8, 12, 16];
    let mut entries = vec![0, 1, 16];
    match t {
        M::Array | M::PercpuArray => values.extend([32760, 32768, 32769, 1 << 20, 1 << 31]),
        M::Hash | M::PercpuHash | M::LruHash | M::LruPercpuHash | M::HashOfMaps => {
            keys.extend([512, 513, 4096]);
            values.extend([32768, 32769, KM - 48 - 5, KM - 48 - 4]);
            entries.extend([1 << 27 | 1, (1 << 31) + 1, u32::MAX]);
        }
        M::LpmTrie => {
            keys.extend([5, 260, 261]);
            values.extend([KM - 256 - 40, KM - 256 - 24, KM - 256 - 23]);
        }
        M::BloomFilter | M::Queue | M::Stack => values.extend([KM, KM + 1]),
        M::Ringbuf | M::UserRingbuf => entries.extend([2048, 4096, 8192, 12288, 1 << 20]),
        M::CgroupStorage | M::PercpuCgroupStorage => {
            values.extend([32768, 32769, 65407, 65408]);
        }
        M::SkStorage | M::InodeStorage | M::TaskStorage | M::CgrpStorage => {
            values.extend([65407, 65408]);
        }
        M::StackTrace => {
            values.extend([1016, 1024]);
            entries.push((1 << 31) + 1);
        }
        M::Cpumap => entries.extend([256, 257, 8192, 8193]),
        M::Sockhash => {
            keys.extend([512, 513]);
            entries.push((1 << 27) + 1);
        }
        M::Sockmap => entries.push(1 << 31),
        M::DevmapHash => entries.push((1 << 31) + 1),
        M::Arena => entries.extend([1 << 20, (1 << 20) + 1]),
        _ => {}
    }
    (keys, values, entries)
}

/// Whether creating `s` could allocate more than 64 MiB were the kernel to take it (such
/// specs are left out: memory is not what is compared), unless the static check refuses it
/// (the kernel then refuses it before allocating, or the grid has found a disagreement).
fn too_big(s: &MapSpec) -> bool {
    use MapType as M;
    if s.creation_check(target()).is_err() {
        return false;
    }
    let per = match s.map_type {
        // `max_entries` is a size in bytes or pages, or is not used.
        M::Ringbuf | M::UserRingbuf => return s.max_entries > 1 << 26,
        M::Arena => return false,
        M::CgroupStorage
        | M::PercpuCgroupStorage
        | M::SkStorage
        | M::InodeStorage
        | M::TaskStorage
        | M::CgrpStorage => return false,
        M::BloomFilter => 1,
        _ => u64::from(s.key_size) + u64::from(s.value_size) + 64,
    };
    per * u64::from(s.max_entries.max(1)) > 64 << 20
}

/// Specs the grid makes for `t`.
fn grid(t: MapType) -> Vec<MapSpec> {
    let (k0, v0, m0, f0) = base(t);
    let mk = |k, v, m, f| MapSpec {
        name: Cow::Borrowed("grid"),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: m,
        flags: f,
        btf: None,
        inner: None,
    };
    let mut out = Vec::new();
    let (keys, values, entries) = edges(t);
    for &k in &keys {
        for &v in &values {
            for &m in &entries {
                // The limits of max_entries with the base sizes only (they are checked before
                // any allocation); the sizes' limits with few entries.
                let small = m <= 16 || m == m0;
                if !small && (k, v) != (k0, v0) {
                    continue;
                }
                out.push(mk(k, v, m, f0));
            }
        }
    }
    // Every flag bit alone and every pair, on the base shape (and with the base's required
    // flags, and without them).
    let bits: Vec<u32> = (0..21).map(|b| 1 << b).collect();
    out.push(mk(k0, v0, m0, 0));
    for (i, &a) in bits.iter().enumerate() {
        out.push(mk(k0, v0, m0, a));
        out.push(mk(k0, v0, m0, a | f0));
        for &b in &bits[i + 1..] {
            out.push(mk(k0, v0, m0, a | b | f0));
        }
    }
    for f in [
        RDONLY | WRONLY,
        RDONLY_PROG | WRONLY_PROG,
        RDONLY | WRONLY_PROG | NUMA,
    ] {
        out.push(mk(k0, v0, m0, f | f0));
    }
    if t == MapType::StackTrace {
        for v in [40, 32 * 127, 32 * 128] {
            out.push(mk(4, v, 16, STACK_BUILD_ID));
        }
    }
    // Names: the kernel's characters, others (xsk-runtime replaces them by `_`), and one too
    // long (which it refuses); on a shape the type takes (the kernel checks the name after
    // the type's allocation).
    for name in [
        "",
        "a.b_C9",
        "fifteen_chars_x",
        "bad-name",
        "sp ace",
        "sixteen_chars_xx",
    ] {
        out.push(MapSpec {
            name: Cow::Owned(name.to_string()),
            ..mk(k0, v0, m0, f0)
        });
    }
    out.retain(|s| !too_big(s));
    out.sort_by_key(|s| {
        (
            s.key_size,
            s.value_size,
            s.max_entries,
            s.flags,
            s.name.clone(),
        )
    });
    out.dedup();
    // A map of maps holds maps of one shape: the template is each type's base shape (and a
    // few it refuses), the outer map its own base.
    if matches!(t, MapType::ArrayOfMaps | MapType::HashOfMaps) {
        let mut with_inner: Vec<MapSpec> = out
            .into_iter()
            .map(|s| MapSpec {
                inner: Some(InnerMap::of(&mk_of(MapType::Array, 4, 8, 4, 0))),
                ..s
            })
            .collect();
        // The local storage maps need BTF, which an inner map's spec cannot carry (an ELF
        // object's loader gives the object's): left out.
        let needs_btf = |t| {
            matches!(
                t,
                MapType::SkStorage
                    | MapType::InodeStorage
                    | MapType::TaskStorage
                    | MapType::CgrpStorage
            )
        };
        for it in MapType::ALL.iter().copied().filter(|&t| !needs_btf(t)) {
            let (k, v, m, f) = base(it);
            for m in [m, 0] {
                with_inner.push(MapSpec {
                    inner: Some(InnerMap::of(&mk_of(it, k, v, m, f))),
                    ..mk(k0, v0, m0, 0)
                });
            }
        }
        return with_inner;
    }
    out
}

fn mk_of(t: MapType, k: u32, v: u32, m: u32, f: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed("inner"),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: m,
        flags: f,
        btf: None,
        inner: None,
    }
}

/// An `int` of `N` bytes (the local storage maps' key is a 4-byte int).
fn int_type<const N: u8>(btf: &mut Btf) -> Option<u32> {
    Some(btf.add(Type::int(format!("int{N}"), N, true)))
}

/// `u8[N]`.
fn bytes_type<const N: u32>(btf: &mut Btf) -> Option<u32> {
    let u8_id = btf.add(Type::int("unsigned char", 1, false));
    Some(btf.add_array(u8_id, N))
}

/// The BTF the loader of an object gives a local storage map: an int key, a value of its
/// size (`None`: a size the grid does not use).
fn storage_btf(key: u32, value: u32) -> Option<MapBtf> {
    let key: MaybeBtfFn = match key {
        1 => int_type::<1>,
        4 => int_type::<4>,
        8 => int_type::<8>,
        16 => int_type::<16>,
        _ => return None,
    };
    macro_rules! value {
        ($($n:literal),*) => {
            match value {
                $($n => bytes_type::<$n> as MaybeBtfFn,)*
                _ => return None,
            }
        };
    }
    let value = value!(1, 4, 8, 12, 16, 65407, 65408);
    Some(MapBtf { key, value })
}

/// Why a disagreement is not the static check's: `Some(class)` for the documented ones.
fn documented(s: &MapSpec, errno: Option<i32>, nr_cpus: u32) -> Option<&'static str> {
    match errno {
        Some(libc::EPERM)
            if s.map_type == MapType::Arena
                || s.inner.is_some_and(|i| i.map_type == MapType::Arena) =>
        {
            Some("arena")
        }
        Some(libc::E2BIG) if s.map_type == MapType::Cpumap && s.max_entries > nr_cpus => {
            Some("nr_cpus")
        }
        Some(libc::ENOMEM) => Some("memory"),
        _ => None,
    }
}

/// Why the kernel's errno for a refusal of `s` is not the errno `ours` of the rule that
/// refuses it (`errno` -1: no errno, the runtime refused before `BPF_MAP_CREATE`).
fn errno_unseen(s: &MapSpec, errno: i32, ours: &str) -> Option<&'static str> {
    let storage = matches!(
        s.map_type,
        MapType::SkStorage | MapType::InodeStorage | MapType::TaskStorage | MapType::CgrpStorage
    );
    if errno == -1 && s.name.chars().count() > 15 {
        Some("a name of more than 15 characters: refused by xsk-runtime before BPF_MAP_CREATE")
    } else if errno == -1
        && s.inner
            .is_some_and(|i| matches!(i.map_type, MapType::ArrayOfMaps | MapType::HashOfMaps))
    {
        Some("an inner map of maps: refused by xsk-runtime before BPF_MAP_CREATE (`InnerMap::check`; the kernel's EINVAL)")
    } else if errno == -1 && s.inner.is_some() && s.value_size != 4 {
        Some("refused by xsk-runtime before BPF_MAP_CREATE (a map of maps' value_size is not 4: `asm::check_inner`)")
    } else if documented(s, Some(errno), u32::MAX) == Some("arena") {
        Some("an arena on this kernel: EPERM before any check of the attributes")
    } else if storage && errno == libc::EINVAL && ours == "E2BIG" {
        Some("a local storage map the kernel refuses with its BTF (E2BIG): the runtime tries again without BTF, which fails with EINVAL")
    } else {
        None
    }
}

/// Per type: specs, both accept, both refuse, refusals whose errno differs, documented
/// disagreements, other disagreements.
#[derive(Default)]
struct Counts {
    specs: usize,
    both_ok: usize,
    both_refuse: usize,
    errno_differs: usize,
    documented: usize,
    disagree: usize,
}

fn creation_check_agrees_with_bpf_map_create() {
    let nr_cpus = std::fs::read_to_string("/sys/devices/system/cpu/kernel_max")
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
        .map_or(8192, |m| m + 1);
    let target = target();
    println!(
        "checking for Linux {}.{}.{} (the reference: {}.{}); this kernel's NR_CPUS: {nr_cpus}",
        target.major,
        target.minor,
        target.patch,
        MAP_CREATE_REFERENCE.major,
        MAP_CREATE_REFERENCE.minor
    );
    let mut table: BTreeMap<u32, (MapType, Counts)> = BTreeMap::new();
    let mut doc: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut bad = Vec::new();
    let mut errno_bad = Vec::new();
    let mut unseen: BTreeMap<&str, usize> = BTreeMap::new();
    for &t in MapType::ALL {
        let c = &mut table.entry(t.as_u32()).or_insert((t, Counts::default())).1;
        for mut s in grid(t) {
            if matches!(
                t,
                MapType::SkStorage
                    | MapType::InodeStorage
                    | MapType::TaskStorage
                    | MapType::CgrpStorage
            ) {
                s.btf = storage_btf(s.key_size, s.value_size);
            }
            let ours = s.creation_check(target);
            let kernel = Map::create(&s);
            let errno = kernel.as_ref().err().map(|e| e.errno().unwrap_or(-1));
            let shape = format!(
                "{t} `{}` key {} value {} max_entries {} flags {:#x}{}",
                s.name,
                s.key_size,
                s.value_size,
                s.max_entries,
                s.flags,
                s.inner
                    .map(|i| format!(
                        " inner {} {}/{}/{}/{:#x}",
                        i.map_type, i.key_size, i.value_size, i.max_entries, i.flags
                    ))
                    .unwrap_or_default()
            );
            c.specs += 1;
            match (&ours, errno) {
                (Ok(()), None) => c.both_ok += 1,
                (Err(e), Some(n)) => {
                    c.both_refuse += 1;
                    if let Some(why) = errno_unseen(&s, n, e.errno) {
                        *unseen.entry(why).or_default() += 1;
                    } else if e.errno != errno_name(n) && !(e.errno == "ENOTSUPP" && n == 524) {
                        c.errno_differs += 1;
                        errno_bad.push(format!(
                            "{shape}: kernel {}, creation_check {} ({})",
                            errno_name(n),
                            e.errno,
                            e.message
                        ));
                    }
                }
                (Ok(()), Some(n)) => match documented(&s, Some(n), nr_cpus) {
                    Some(class) => {
                        c.documented += 1;
                        doc.entry(class)
                            .or_default()
                            .push(format!("{shape}: kernel {}", errno_name(n)));
                    }
                    None => {
                        c.disagree += 1;
                        bad.push(format!(
                            "{shape}: the kernel refuses ({}: {}), creation_check accepts",
                            errno_name(n),
                            kernel
                                .as_ref()
                                .err()
                                .map(|e| e.to_string())
                                .unwrap_or_default()
                        ));
                    }
                },
                (Err(e), None) => {
                    c.disagree += 1;
                    bad.push(format!(
                        "{shape}: the kernel creates it, creation_check refuses: {e}"
                    ));
                }
            }
        }
    }
    println!(
        "{:<22} {:>6} {:>8} {:>11} {:>13} {:>10} {:>9}",
        "map type", "specs", "both ok", "both refuse", "errno differs", "documented", "disagree"
    );
    let mut total = Counts::default();
    for (t, c) in table.values() {
        println!(
            "{:<22} {:>6} {:>8} {:>11} {:>13} {:>10} {:>9}",
            t.name(),
            c.specs,
            c.both_ok,
            c.both_refuse,
            c.errno_differs,
            c.documented,
            c.disagree
        );
        total.specs += c.specs;
        total.both_ok += c.both_ok;
        total.both_refuse += c.both_refuse;
        total.errno_differs += c.errno_differs;
        total.documented += c.documented;
        total.disagree += c.disagree;
    }
    println!(
        "{:<22} {:>6} {:>8} {:>11} {:>13} {:>10} {:>9}",
        "total",
        total.specs,
        total.both_ok,
        total.both_refuse,
        total.errno_differs,
        total.documented,
        total.disagree
    );
    let reasons = [
        (
            "arena",
            "this kernel refuses every arena (EPERM whatever the attributes: its build); creation_check models a kernel with arenas",
        ),
        (
            "nr_cpus",
            "a cpumap over this kernel's NR_CPUS (its build setting); creation_check refuses only over 8192, the largest NR_CPUS",
        ),
        (
            "memory",
            "ENOMEM: the memory this machine has or lets the caller lock, not a rule of the spec",
        ),
    ];
    for (class, specs) in &doc {
        let why = reasons.iter().find(|(c, _)| c == class).map_or("", |r| r.1);
        println!("documented `{class}` ({} specs): {why}", specs.len());
        for s in specs.iter().take(3) {
            println!("    e.g. {s}");
        }
    }
    for (why, n) in &unseen {
        println!("errno not compared ({n} refusals): {why}");
    }
    for e in &errno_bad {
        println!("errno differs: {e}");
    }
    for e in &bad {
        println!("DISAGREEMENT: {e}");
    }
    assert!(
        bad.is_empty(),
        "{} specs where creation_check and BPF_MAP_CREATE disagree",
        bad.len()
    );
    assert!(
        errno_bad.is_empty(),
        "{} refusals with another errno",
        errno_bad.len()
    );
    assert!(
        !doc.contains_key("memory"),
        "ENOMEM: the grid should allocate little"
    );
}

kernel_tests! {
    privileged: [creation_check_agrees_with_bpf_map_create],
}
