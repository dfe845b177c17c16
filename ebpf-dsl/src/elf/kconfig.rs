//! `__kconfig` externs (`extern int LINUX_KERNEL_VERSION __kconfig;`, `extern bool
//! CONFIG_X __kconfig __weak;`): as libbpf does, the object gets a `.kconfig` array map of
//! one entry, read-only for the program (`BPF_F_RDONLY_PROG`) and frozen, whose contents
//! are the target kernel's values, so the verifier knows them; each `ld_imm64` of an extern
//! becomes a load of its address in that map.
//!
//! The layout is libbpf's (`bpf_object__collect_externs`): the externs sorted by alignment
//! (largest first), then size (smallest first), then name, each at the next offset aligned
//! for it. The values (`bpf_object__resolve_externs`): `LINUX_KERNEL_VERSION` is
//! `KERNEL_VERSION(major, minor, patch)` of the target; `LINUX_HAS_SYSCALL_WRAPPER` and
//! `LINUX_HAS_BPF_COOKIE` what that version has (4.17 and 5.15 on; the wrapper only with
//! `CONFIG_KPROBE_EVENTS` when the configuration is given: libbpf probes it with a kprobe);
//! any other weak `LINUX_`
//! one 0; `CONFIG_*` ones from the target's kernel configuration text ([`Kconfig::config`],
//! the lines of a `.config`: `CONFIG_X=y|n|m`, numbers, quoted strings), typed as libbpf
//! types them (bool, char, integers of 1 to 8 bytes, `enum libbpf_tristate`, char arrays).
//! An extern that gets no value is 0 when weak and an error when strong, as libbpf fails the
//! load then.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::core_spec::skip;
use crate::btf::{Btf, Kind, Linkage};
use crate::spec::{GlobalData, MapSpec, MapType, BPF_F_RDONLY_PROG};

/// The name of the map (and data section) holding the `__kconfig` externs.
pub const KCONFIG_MAP: &str = ".kconfig";

/// The largest `.kconfig` map taken (64 MiB, as a global-data section; the kernel's array
/// values are smaller).
const MAX_KCONFIG: u64 = 1 << 26;

/// What a target kernel gives the `__kconfig` externs of an object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Kconfig {
    /// The kernel's version: major, minor, patch (`LINUX_KERNEL_VERSION` is
    /// `major << 16 | minor << 8 | min(patch, 255)`).
    pub version: (u32, u32, u32),
    /// The kernel's configuration, as in `/boot/config-$(uname -r)` or `/proc/config.gz`
    /// (uncompressed): `CONFIG_NAME=value` lines, others ignored.
    pub config: String,
}

impl Kconfig {
    /// `LINUX_KERNEL_VERSION`: libbpf's `KERNEL_VERSION(major, minor, patch)`.
    pub fn kernel_version_code(&self) -> u64 {
        let (a, b, c) = self.version;
        (u64::from(a) << 16) + (u64::from(b) << 8) + u64::from(c.min(255))
    }

    fn at_least(&self, major: u32, minor: u32) -> bool {
        (self.version.0, self.version.1) >= (major, minor)
    }

    /// `LINUX_HAS_SYSCALL_WRAPPER`: libbpf sets it from a probe that creates a kprobe on the
    /// syscall's wrapper (`__x64_sys_bpf`, 4.17 on), through the kprobe PMU or tracefs'
    /// `kprobe_events`: both need `CONFIG_KPROBE_EVENTS`. A configuration that does not set
    /// it (a kernel without kprobes) gets 0, as libbpf writes there; without a
    /// configuration, the version decides.
    fn syscall_wrapper(&self) -> bool {
        let kprobes = self.config.trim().is_empty()
            || self
                .config
                .lines()
                .any(|l| l.trim() == "CONFIG_KPROBE_EVENTS=y");
        self.at_least(4, 17) && kprobes
    }
}

/// libbpf's `enum kcfg_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KType {
    Bool,
    Char,
    Int { signed: bool },
    Tristate,
    CharArr,
}

/// `find_kcfg_type`.
fn ktype(btf: &Btf, id: u32) -> Option<KType> {
    ktype_in(btf, id, 0)
}

/// [`ktype`] at array nesting `depth` (bounded: an array of itself is no type, not a stack
/// overflow).
fn ktype_in(btf: &Btf, id: u32, depth: u32) -> Option<KType> {
    if depth > 8 {
        return None;
    }
    let (sid, k) = skip(btf, id)?;
    match k {
        Kind::Int { size, encoding, .. } => {
            if encoding & crate::btf::INT_BOOL != 0 {
                return (*size == 1).then_some(KType::Bool);
            }
            if *size == 1 {
                return Some(KType::Char);
            }
            (matches!(size, 2 | 4 | 8)).then_some(KType::Int {
                signed: encoding & crate::btf::INT_SIGNED != 0,
            })
        }
        Kind::Enum { size: 4, .. } | Kind::Enum64 { .. }
            if btf.get(sid).is_some_and(|t| t.name == "libbpf_tristate") =>
        {
            Some(KType::Tristate)
        }
        Kind::Array { elem, nelems, .. } if *nelems > 0 => {
            (ktype_in(btf, *elem, depth + 1) == Some(KType::Char)).then_some(KType::CharArr)
        }
        _ => None,
    }
}

/// `btf__align_of` for the types a kconfig extern may have.
fn align_of(btf: &Btf, id: u32) -> Option<u32> {
    match skip(btf, id)?.1 {
        Kind::Int { size, .. } | Kind::Enum { size, .. } | Kind::Enum64 { size, .. } => {
            Some((*size).clamp(1, 8))
        }
        // A kconfig array is of chars ([`ktype`] says so first): its element is no array.
        Kind::Array { elem, .. } => match skip(btf, *elem)?.1 {
            Kind::Int { size, .. } => Some((*size).clamp(1, 8)),
            _ => None,
        },
        _ => None,
    }
}

/// One extern of `.kconfig`.
struct Ext {
    name: String,
    weak: bool,
    ty: KType,
    size: u32,
    align: u32,
    off: u32,
    set: bool,
}

/// The `.kconfig` map of an object: its spec, its contents and each extern's offset in it.
pub(super) struct KconfigMap {
    pub map: MapSpec,
    pub data: GlobalData,
    pub offsets: BTreeMap<String, u32>,
}

/// The `.kconfig` map of the object whose BTF is `btf`, whose extern symbols are `externs`
/// (name, weak): `Ok(None)` when it has no `.kconfig` externs; an error naming the extern
/// libbpf would fail on (or all of them without `kconfig`).
pub(super) fn kconfig_map(
    btf: &Btf,
    externs: &[(String, bool)],
    kconfig: Option<&Kconfig>,
) -> Result<Option<KconfigMap>, String> {
    let Some(sec) = btf
        .types
        .iter()
        .find(|t| t.name == KCONFIG_MAP && matches!(t.kind, Kind::Datasec { .. }))
    else {
        return Ok(None);
    };
    let Kind::Datasec { vars, .. } = &sec.kind else {
        return Ok(None);
    };
    let mut exts = Vec::new();
    for v in vars {
        let Some(t) = btf.get(v.ty) else { continue };
        let Kind::Var { ty, linkage } = t.kind else {
            return Err(format!("`{}` in .kconfig is no variable", t.name));
        };
        if linkage != Linkage::Extern {
            continue;
        }
        let Some(&(_, weak)) = externs.iter().find(|(n, _)| *n == t.name) else {
            continue;
        };
        let kt = ktype(btf, ty)
            .ok_or_else(|| format!("extern (kcfg) `{}`: type is unsupported", t.name))?;
        let size = btf
            .size_of(ty)
            .filter(|s| *s > 0)
            .ok_or_else(|| format!("extern (kcfg) `{}`: no size", t.name))?;
        let align =
            align_of(btf, ty).ok_or_else(|| format!("extern (kcfg) `{}`: no alignment", t.name))?;
        exts.push(Ext {
            name: t.name.clone(),
            weak,
            ty: kt,
            size,
            align,
            off: 0,
            set: false,
        });
    }
    if exts.is_empty() {
        return Ok(None);
    }
    let Some(kc) = kconfig else {
        return Err(format!(
            "the `__kconfig` externs ({}) need the target kernel's version and configuration",
            exts.iter()
                .map(|e| e.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    exts.sort_by(|a, b| {
        b.align
            .cmp(&a.align)
            .then(a.size.cmp(&b.size))
            .then(a.name.cmp(&b.name))
    });
    // The sizes come from the object's BTF (`char CONFIG_X[N]`): the layout is summed wide
    // and bounded as a global-data section is, before anything is allocated for it.
    let mut off = 0u64;
    for e in &mut exts {
        let at = off.div_ceil(u64::from(e.align)) * u64::from(e.align);
        off = at + u64::from(e.size);
        if off > MAX_KCONFIG {
            return Err(format!(
                "the `__kconfig` externs take over {MAX_KCONFIG} bytes (`{}` ends at {off})",
                e.name
            ));
        }
        e.off = at as u32;
    }
    let mut bytes = vec![0u8; off as usize];
    for e in &mut exts {
        let virt = match e.name.as_str() {
            "LINUX_KERNEL_VERSION" => Some(kc.kernel_version_code()),
            "LINUX_HAS_SYSCALL_WRAPPER" => Some(u64::from(kc.syscall_wrapper())),
            "LINUX_HAS_BPF_COOKIE" => Some(u64::from(kc.at_least(5, 15))),
            n if n.starts_with("CONFIG_") => None,
            n if n.starts_with("LINUX_") && e.weak => Some(0),
            n => return Err(format!("extern (kcfg) `{n}`: unrecognized virtual extern")),
        };
        if let Some(v) = virt {
            set_num(e, &mut bytes, v)?;
        }
    }
    for line in kc.config.lines() {
        if !line.starts_with("CONFIG_") {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .ok_or_else(|| format!("kernel config line `{line}`: no `=`"))?;
        if value.is_empty() {
            return Err(format!("kernel config line `{line}`: no value"));
        }
        let Some(e) = exts.iter_mut().find(|e| e.name == name && !e.set) else {
            continue;
        };
        set_config(e, &mut bytes, value)?;
    }
    if let Some(e) = exts.iter().find(|e| !e.set && !e.weak) {
        return Err(format!(
            "extern `{}` (strong): not resolved (the target's configuration does not set it)",
            e.name
        ));
    }
    let offsets = exts.iter().map(|e| (e.name.clone(), e.off)).collect();
    let map = MapSpec {
        name: Cow::Borrowed(KCONFIG_MAP),
        map_type: MapType::Array,
        key_size: 4,
        value_size: off as u32,
        max_entries: 1,
        flags: BPF_F_RDONLY_PROG,
        btf: None,
        inner: None,
    };
    let data = GlobalData {
        map: KCONFIG_MAP.into(),
        section: KCONFIG_MAP.into(),
        bytes,
        read_only: true,
    };
    Ok(Some(KconfigMap { map, data, offsets }))
}

/// `set_kcfg_value_num`.
fn set_num(e: &mut Ext, bytes: &mut [u8], v: u64) -> Result<(), String> {
    let fits = match e.ty {
        KType::Bool => v <= 1,
        KType::Int { .. } | KType::Char => true,
        _ => {
            return Err(format!(
                "extern (kcfg) `{}`: value {v} implies an integer, char or bool type",
                e.name
            ))
        }
    };
    let bits = e.size * 8;
    let in_range = e.size == 8
        || match e.ty {
            KType::Int { signed: true } => v.wrapping_add(1 << (bits - 1)) < 1 << bits,
            _ => v >> bits == 0,
        };
    if !fits || !in_range {
        return Err(format!(
            "extern (kcfg) `{}`: value {v} does not fit in {} bytes",
            e.name, e.size
        ));
    }
    let o = e.off as usize;
    bytes[o..o + e.size as usize].copy_from_slice(&v.to_le_bytes()[..e.size as usize]);
    e.set = true;
    Ok(())
}

/// `bpf_object__process_kconfig_line` for one value.
fn set_config(e: &mut Ext, bytes: &mut [u8], value: &str) -> Result<(), String> {
    let o = e.off as usize;
    let c = value.as_bytes()[0];
    match c {
        b'y' | b'n' | b'm' => {
            let v = match (e.ty, c) {
                (KType::Bool, b'm') => {
                    return Err(format!(
                        "extern (kcfg) `{}`: value `m` implies tristate or char type",
                        e.name
                    ))
                }
                (KType::Bool, _) => u8::from(c == b'y'),
                (KType::Tristate, b'y') => 1,
                (KType::Tristate, b'm') => 2,
                (KType::Tristate, _) => 0,
                (KType::Char, _) => c,
                _ => {
                    return Err(format!(
                        "extern (kcfg) `{}`: value `{}` implies bool, tristate or char type",
                        e.name, c as char
                    ))
                }
            };
            // A tristate is an `enum` of 4 (or 8) bytes, little endian.
            bytes[o] = v;
            e.set = true;
        }
        b'"' => {
            if e.ty != KType::CharArr || value.len() < 2 || !value.ends_with('"') {
                return Err(format!(
                    "extern (kcfg) `{}`: string value {value} for another type",
                    e.name
                ));
            }
            let s = &value.as_bytes()[1..value.len() - 1];
            let n = s.len().min(e.size as usize - 1);
            bytes[o..o + n].copy_from_slice(&s[..n]);
            bytes[o + n] = 0;
            e.set = true;
        }
        _ => {
            let v = parse_u64(value).ok_or_else(|| {
                format!(
                    "extern (kcfg) `{}`: value `{value}` isn't a valid integer",
                    e.name
                )
            })?;
            if !matches!(e.ty, KType::Int { .. } | KType::Char) {
                return Err(format!(
                    "extern (kcfg) `{}`: value `{value}` implies integer type",
                    e.name
                ));
            }
            set_num(e, bytes, v)?;
        }
    }
    Ok(())
}

/// `strtoull(value, &end, 0)` consuming all of `value`: decimal, `0x` hex, `0` octal, with a
/// leading `-` negating (as strtoull does).
fn parse_u64(value: &str) -> Option<u64> {
    let (neg, s) = match value.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    let v = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u64::from_str_radix(h, 16).ok()?
    } else if s.len() > 1 && s.starts_with('0') {
        u64::from_str_radix(&s[1..], 8).ok()?
    } else {
        s.parse().ok()?
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::{Enumerator, Type, VarSecInfo};

    /// An object's BTF with `.kconfig` externs: `int LINUX_KERNEL_VERSION`, `bool
    /// CONFIG_BPF_JIT`, `enum libbpf_tristate CONFIG_TRI`, `char CONFIG_NAME[4]`, `u64
    /// CONFIG_HZ`, `bool CONFIG_MISSING` (weak).
    fn object() -> (Btf, Vec<(String, bool)>) {
        let mut b = Btf::new();
        let int = b.push(Type::new(
            "int",
            Kind::Int {
                size: 4,
                encoding: crate::btf::INT_SIGNED,
                offset: 0,
                bits: 32,
            },
        ));
        let boolean = b.push(Type::new(
            "_Bool",
            Kind::Int {
                size: 1,
                encoding: crate::btf::INT_BOOL,
                offset: 0,
                bits: 8,
            },
        ));
        let tri = b.push(Type::new(
            "libbpf_tristate",
            Kind::Enum {
                size: 4,
                signed: false,
                values: vec![Enumerator {
                    name: "TRI_NO".into(),
                    value: 0,
                }],
            },
        ));
        let ch = b.push(Type::new(
            "char",
            Kind::Int {
                size: 1,
                encoding: crate::btf::INT_SIGNED,
                offset: 0,
                bits: 8,
            },
        ));
        let arr = b.push(Type::new(
            "",
            Kind::Array {
                elem: ch,
                index: int,
                nelems: 4,
            },
        ));
        let u64t = b.push(Type::int("unsigned long long", 8, false));
        let names = [
            ("LINUX_KERNEL_VERSION", int),
            ("CONFIG_BPF_JIT", boolean),
            ("CONFIG_TRI", tri),
            ("CONFIG_NAME", arr),
            ("CONFIG_HZ", u64t),
            ("CONFIG_MISSING", boolean),
        ];
        let mut vars = Vec::new();
        for (n, ty) in names {
            let v = b.push(Type::new(
                n,
                Kind::Var {
                    ty,
                    linkage: Linkage::Extern,
                },
            ));
            vars.push(VarSecInfo {
                ty: v,
                offset: 0,
                size: 0,
            });
        }
        b.push(Type::new(KCONFIG_MAP, Kind::Datasec { size: 0, vars }));
        let externs = names
            .iter()
            .map(|(n, _)| (n.to_string(), *n == "CONFIG_MISSING"))
            .collect();
        (b, externs)
    }

    #[test]
    fn externs_are_laid_out_and_filled_as_libbpf_does() {
        let (btf, externs) = object();
        let kc = Kconfig {
            version: (6, 18, 300),
            config: "# comment\nCONFIG_BPF_JIT=y\nCONFIG_TRI=m\nCONFIG_NAME=\"hostname\"\nCONFIG_HZ=0x3e8\n# CONFIG_MISSING is not set\n".into(),
        };
        let m = kconfig_map(&btf, &externs, Some(&kc)).unwrap().unwrap();
        // Align 8 first (HZ), then 4 (version, tristate: by size, then name), then 1.
        let off = |n: &str| m.offsets[n] as usize;
        assert_eq!(off("CONFIG_HZ"), 0);
        assert_eq!(off("CONFIG_TRI"), 8);
        assert_eq!(off("LINUX_KERNEL_VERSION"), 12);
        assert_eq!(off("CONFIG_BPF_JIT"), 16);
        assert_eq!(off("CONFIG_MISSING"), 17);
        assert_eq!(off("CONFIG_NAME"), 18);
        assert_eq!(m.map.value_size, 22);
        assert_eq!(m.map.flags, BPF_F_RDONLY_PROG);
        let b = &m.data.bytes;
        assert!(m.data.read_only);
        assert_eq!(u64::from_le_bytes(b[0..8].try_into().unwrap()), 1000);
        assert_eq!(b[8], 2);
        // The patch level is capped at 255.
        assert_eq!(
            u32::from_le_bytes(b[12..16].try_into().unwrap()),
            (6 << 16) + (18 << 8) + 255
        );
        assert_eq!((b[16], b[17]), (1, 0));
        assert_eq!(&b[18..22], b"hos\0");
    }

    #[test]
    fn the_syscall_wrapper_needs_kprobe_events() {
        let kc = |v, config: &str| Kconfig {
            version: v,
            config: config.into(),
        };
        assert!(kc((6, 18, 0), "").syscall_wrapper());
        assert!(!kc((4, 16, 0), "").syscall_wrapper());
        assert!(kc((6, 18, 0), "CONFIG_KPROBES=y\nCONFIG_KPROBE_EVENTS=y\n").syscall_wrapper());
        // A kernel without kprobes (this Firecracker VM's): libbpf's probe fails, it writes 0.
        assert!(!kc((6, 18, 0), "# CONFIG_KPROBES is not set\nCONFIG_HZ=1000\n").syscall_wrapper());
    }

    #[test]
    fn what_libbpf_refuses_is_an_error() {
        let (btf, externs) = object();
        // No target configuration at all.
        let e = kconfig_map(&btf, &externs, None).err().unwrap();
        assert!(e.contains("LINUX_KERNEL_VERSION"), "{e}");
        // A strong CONFIG_ extern the configuration does not set.
        let kc = Kconfig {
            version: (6, 1, 0),
            config: "CONFIG_BPF_JIT=y\n".into(),
        };
        let e = kconfig_map(&btf, &externs, Some(&kc)).err().unwrap();
        assert!(e.contains("not resolved"), "{e}");
        // `m` for a bool.
        let kc = Kconfig {
            version: (6, 1, 0),
            config: "CONFIG_BPF_JIT=m\n".into(),
        };
        let e = kconfig_map(&btf, &externs, Some(&kc)).err().unwrap();
        assert!(e.contains("tristate"), "{e}");
    }

    /// Char arrays of the object's sizes (found by tests/fuzz_elf.rs: two `char CONFIG_X[4e9]`
    /// overflowed the layout's sum, one asked for a 4 GB map): a clear refusal.
    #[test]
    fn huge_externs_are_refused() {
        let (mut btf, externs) = object();
        for t in &mut btf.types {
            if let Kind::Array { nelems, .. } = &mut t.kind {
                *nelems = 4_000_000_000;
            }
        }
        // Two of them: CONFIG_BPF_JIT's type becomes the same huge array.
        let arr = btf.find("CONFIG_NAME", 14).unwrap();
        let arr_ty = match btf.get(arr).unwrap().kind {
            Kind::Var { ty, .. } => ty,
            _ => unreachable!(),
        };
        let kc = Kconfig {
            version: (6, 18, 0),
            config: String::new(),
        };
        let e = kconfig_map(&btf, &externs, Some(&kc)).err().unwrap();
        assert!(e.contains("take over 67108864 bytes"), "{e}");
        for t in &mut btf.types {
            if let Kind::Var { ty, .. } = &mut t.kind {
                if t.name == "CONFIG_BPF_JIT" {
                    *ty = arr_ty;
                }
            }
        }
        let e = kconfig_map(&btf, &externs, Some(&kc)).err().unwrap();
        assert!(e.contains("take over 67108864 bytes"), "{e}");
    }

    /// A char array extern whose element is the array itself: refused as no kconfig type
    /// (the recursion on it overflowed the stack).
    #[test]
    fn an_array_of_itself_is_no_type() {
        let (mut btf, externs) = object();
        let var = btf.find("CONFIG_NAME", 14).unwrap();
        let Kind::Var { ty: arr, .. } = btf.get(var).unwrap().kind else {
            unreachable!()
        };
        if let Kind::Array { elem, .. } = &mut btf.types[arr as usize - 1].kind {
            *elem = arr;
        }
        let kc = Kconfig::default();
        let e = kconfig_map(&btf, &externs, Some(&kc)).err().unwrap();
        assert!(e.contains("`CONFIG_NAME`: type is unsupported"), "{e}");
    }

    #[test]
    fn numbers_parse_as_strtoull() {
        assert_eq!(parse_u64("100"), Some(100));
        assert_eq!(parse_u64("0x10"), Some(16));
        assert_eq!(parse_u64("010"), Some(8));
        assert_eq!(parse_u64("-1"), Some(u64::MAX));
        assert_eq!(parse_u64("12a"), None);
    }
}
