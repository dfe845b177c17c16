//! The `.ksyms` externs of an object (kfuncs called by name, `__ksym` variables) resolved
//! against the target kernel's BTF, vmlinux's and its loaded modules' ([`SplitBtf`]), as libbpf
//! resolves them before it creates a map or loads a program (`bpf_object__resolve_externs`).
//!
//! An extern is an undefined `NOTYPE` symbol, global or weak, whose BTF `FUNC` or `VAR` (with
//! `extern` linkage) is in the `.ksyms` `DATASEC`. libbpf looks a kfunc up as a `FUNC` of that
//! name in vmlinux, then among each module's own types; a typed `__ksym` variable likewise as a
//! `VAR`; a typeless one (`extern const void x __ksym`) in `/proc/kallsyms`, which this module
//! does not read ([`Found::NotChecked`]). Where it finds one, it checks the object's type
//! against the kernel's (`bpf_core_types_are_compat`: a kfunc's `FUNC_PROTO`, a variable's
//! type).
//!
//! libbpf refuses the whole object ([`KsymResolution::refusal`], in its order: by name) for
//! - a strong kfunc found nowhere: `extern (func ksym) 'X': not found in kernel or module BTFs`;
//! - a kfunc whose prototype is incompatible: libbpf up to 1.2 (the corpus's `kload` links
//!   1.1) refuses it weak or strong, 1.3 and later leave a weak one unresolved; it is refused
//!   here either way (never a false accept against either);
//! - a strong typed variable found nowhere, or a typed variable of an incompatible type.
//!
//! A weak kfunc found nowhere stays unresolved: its calls are poisoned by the reader (see
//! `read.rs`), and rejected by the verifier only where reached. The name looked up is the
//! extern's; a name with a `___flavor` suffix is also looked up without it (libbpf 1.3 and
//! later look up only that essential name): an extern is missing only if neither is found,
//! and the prototype of a flavoured one is not compared (the two libbpf versions would
//! compare different functions).

use crate::btf::{Btf, Kind, Linkage, SplitBtf, Types};

use super::raw::{Elf, STB_GLOBAL, STB_WEAK};
use super::ElfError;

/// `STT_NOTYPE`.
const STT_NOTYPE: u8 = 0;
/// `BTF_KIND_FUNC`.
const KIND_FUNC: u32 = 12;
/// `BTF_KIND_VAR`.
const KIND_VAR: u32 = 14;

/// What a `.ksyms` extern is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KsymKind {
    /// A kfunc (`extern ... f(...) __ksym`): its BTF `FUNC_PROTO`'s id in the object's BTF.
    Func {
        /// The prototype's id in the object's `.BTF`.
        proto: u32,
    },
    /// A typed `__ksym` variable (`extern const struct rq runqueues __ksym`).
    Var {
        /// The variable's type (modifiers and typedefs skipped) in the object's `.BTF`.
        ty: u32,
    },
    /// A typeless `__ksym` variable (`extern const void x __ksym`), an address from
    /// `/proc/kallsyms`.
    Typeless,
}

/// One `.ksyms` extern of an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ksym {
    /// Its name (the symbol's).
    pub name: String,
    /// Declared `__weak`.
    pub weak: bool,
    /// A kfunc or a variable.
    pub kind: KsymKind,
}

/// Where the target kernel has a `.ksyms` extern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Found {
    /// In vmlinux's BTF (`id`) or in a module's (`module`, `id` in its split numbering), with a
    /// compatible type (or one whose check did not conclude: never refused for it).
    At {
        /// `vmlinux` or the module's name.
        btf: String,
        /// The kernel's BTF id of the `FUNC` or `VAR`.
        id: u32,
    },
    /// Found there, but of a type libbpf finds incompatible.
    Incompatible {
        /// `vmlinux` or the module's name.
        btf: String,
        /// The kernel's BTF id of the `FUNC` or `VAR`.
        id: u32,
    },
    /// In none of the BTFs given.
    Missing,
    /// Not looked up: a typeless variable (libbpf reads `/proc/kallsyms` for it).
    NotChecked,
}

/// Every `.ksyms` extern of an object and where the target kernel has it
/// ([`resolve_ksyms`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KsymResolution {
    /// The externs in libbpf's order (by name), each with where it was found.
    pub ksyms: Vec<(Ksym, Found)>,
    /// The names of the module BTFs searched after vmlinux's.
    pub modules: Vec<String>,
}

impl KsymResolution {
    /// libbpf's refusal of the object, the first in its order (see the module docs), worded as
    /// libbpf's warning with where this looked; `None` when libbpf resolves every extern this
    /// checks.
    pub fn refusal(&self) -> Option<String> {
        let searched = self.searched();
        self.ksyms.iter().find_map(|(k, f)| match (&k.kind, f) {
            (KsymKind::Func { .. }, Found::Missing) if !k.weak => Some(format!(
                "extern (func ksym) '{}': not found in kernel or module BTFs ({searched}); \
                 libbpf refuses the object",
                k.name
            )),
            (KsymKind::Func { proto }, Found::Incompatible { btf, id }) => Some(format!(
                "extern (func ksym) '{}': func_proto [{proto}] incompatible with {btf} [{id}]; \
                 libbpf refuses the object",
                k.name
            )),
            (KsymKind::Var { .. }, Found::Missing) if !k.weak => Some(format!(
                "extern (var ksym) '{}': not found in kernel BTF ({searched}); libbpf refuses \
                 the object",
                k.name
            )),
            (KsymKind::Var { ty }, Found::Incompatible { btf, id }) => Some(format!(
                "extern (var ksym) '{}': incompatible types, expected [{ty}], but {btf} has \
                 [{id}]; libbpf refuses the object",
                k.name
            )),
            _ => None,
        })
    }

    /// Where the extern `name` is, if it is one.
    pub fn get(&self, name: &str) -> Option<&(Ksym, Found)> {
        self.ksyms.iter().find(|(k, _)| k.name == name)
    }

    /// The BTFs searched, for messages: vmlinux's and the modules'.
    pub fn searched(&self) -> String {
        match self.modules.len() {
            0 => "searched vmlinux BTF and no module's".to_string(),
            1..=4 => format!(
                "searched vmlinux BTF and the modules {}",
                self.modules.join(", ")
            ),
            n => format!("searched vmlinux BTF and {n} modules' BTF"),
        }
    }
}

/// The `.ksyms` externs of the object in `bytes`, in libbpf's order (by name); none without
/// a `.BTF` this crate decodes. Symbols libbpf would refuse when opening the object (no BTF of
/// that name, a `FUNC` or `VAR` whose linkage is not `extern`, in another section) are left
/// out.
pub fn ksyms(bytes: &[u8]) -> Result<Vec<Ksym>, ElfError> {
    let elf = Elf::parse(bytes)?;
    ksyms_of(&elf).map(|(k, _)| k)
}

/// [`ksyms`] of a parsed object, with the object's BTF (`None` without `.BTF` or externs).
pub(super) fn ksyms_of(elf: &Elf<'_>) -> Result<(Vec<Ksym>, Option<Btf>), ElfError> {
    let names: Vec<(&str, bool)> = elf
        .symbols
        .iter()
        .filter(|y| {
            y.shndx == 0
                && (y.bind == STB_GLOBAL || y.bind == STB_WEAK)
                && y.kind == STT_NOTYPE
                && !y.name.is_empty()
        })
        .map(|y| (y.name.as_str(), y.bind == STB_WEAK))
        .collect();
    let Some(b) = elf.section(".BTF").filter(|_| !names.is_empty()) else {
        return Ok((Vec::new(), None));
    };
    // A `.BTF` this reader cannot decode: no extern is decided here (the reader goes on as
    // without a target for them).
    let Ok(btf) = Btf::decode(b.data) else {
        return Ok((Vec::new(), None));
    };
    let ksyms_sec: Vec<u32> = btf
        .types
        .iter()
        .filter(|t| t.name == ".ksyms")
        .filter_map(|t| match &t.kind {
            Kind::Datasec { vars, .. } => Some(vars.iter().map(|v| v.ty)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut out = Vec::new();
    for (name, weak) in names {
        // libbpf's `find_extern_btf_id`: the first FUNC or VAR of that name.
        let Some(i) = btf
            .types
            .iter()
            .position(|t| t.name == name && matches!(t.kind, Kind::Func { .. } | Kind::Var { .. }))
        else {
            continue;
        };
        let id = i as u32 + 1;
        if !ksyms_sec.contains(&id) {
            continue;
        }
        let kind = match btf.types[i].kind {
            Kind::Func {
                proto,
                linkage: Linkage::Extern,
            } => KsymKind::Func { proto },
            Kind::Var {
                ty,
                linkage: Linkage::Extern,
            } => match super::core_spec::skip(&btf, ty) {
                Some((ty, _)) => KsymKind::Var { ty },
                None if ty == 0 || skips_to_void(&btf, ty) => KsymKind::Typeless,
                None => continue,
            },
            _ => continue,
        };
        out.push(Ksym {
            name: name.to_string(),
            weak,
            kind,
        });
    }
    out.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    Ok((out, Some(btf)))
}

/// libbpf's rewrite of the ld_imm64 at `insns[slot]` (relocated by `r`) when it loads a typed
/// `__ksym` variable (`bpf_object__relocate_data`): where the target kernel's vmlinux BTF has
/// it, `BPF_PSEUDO_BTF_ID` of its `VAR` (`src_reg` 3, `imm` the id, the second `imm` 0:
/// vmlinux's BTF), which the verifier types as the kernel does (`verifier/transfer/ksym.rs`);
/// a weak one the kernel lacks, the constant 0. Whether it rewrote it; anything else (a
/// variable of a module, a typeless one, another extern) is left to the caller, which refuses
/// it ([`extern_data_reason`]).
pub(super) fn var_load(
    elf: &Elf<'_>,
    resolution: Option<&KsymResolution>,
    r: &super::raw::Rel,
    insns: &mut [crate::isa::insn::Insn],
    slot: usize,
) -> bool {
    let Some(y) = elf.symbols.get(r.sym as usize).filter(|y| y.shndx == 0) else {
        return false;
    };
    if r.kind != super::raw::R_BPF_64_64 || slot + 1 >= insns.len() || !insns[slot].is_ld_imm64() {
        return false;
    }
    let (src, imm) = match resolution.and_then(|res| res.get(&y.name)) {
        Some((k, Found::At { btf, id }))
            if btf == "vmlinux" && matches!(k.kind, KsymKind::Var { .. }) =>
        {
            (3, *id as i32)
        }
        Some((k, Found::Missing)) if k.weak && matches!(k.kind, KsymKind::Var { .. }) => (0, 0),
        _ => return false,
    };
    let i = insns[slot];
    insns[slot] = crate::isa::insn::Insn::new(i.code, i.dst(), src, i.off, imm);
    insns[slot + 1].imm = 0;
    true
}

/// Why an ld_imm64 of the extern `name` is refused: a `__ksym` kernel variable (typed:
/// libbpf loads its address as `BPF_PSEUDO_BTF_ID` of the kernel's BTF `VAR`, which the
/// kernel checks against `kallsyms` and types as a pointer to its BTF type; typeless: the
/// `/proc/kallsyms` address as a constant), named with where the target kernel has it,
/// or another extern.
pub(super) fn extern_data_reason(
    elf: &Elf<'_>,
    resolution: Option<&KsymResolution>,
    name: &str,
) -> String {
    let kind = ksyms_of(elf)
        .ok()
        .and_then(|(k, _)| k.into_iter().find(|k| k.name == name))
        .map(|k| k.kind);
    let found = resolution.and_then(|r| r.get(name)).map(|(_, f)| f);
    let place = match found {
        Some(Found::At { btf, id }) => format!(" (the target kernel's {btf} BTF `VAR` {id})"),
        Some(Found::Missing) => " (not in the target kernel's BTF)".to_string(),
        _ => String::new(),
    };
    match kind {
        Some(KsymKind::Var { .. }) => format!(
            "`{name}` is a typed `__ksym` kernel variable{place}: its address is an ld_imm64 \
             `BPF_PSEUDO_BTF_ID` of the kernel's BTF `VAR` (the kernel's `check_pseudo_btf_id`), \
             which this reader writes only for a variable of the target kernel's vmlinux BTF \
             ({}; not supported)",
            match found {
                Some(Found::At { .. }) => "a module's variables are not modelled",
                _ => "give the target kernel's BTF, `--btf`",
            }
        ),
        Some(KsymKind::Typeless) => format!(
            "`{name}` is a typeless `__ksym` kernel variable (`extern const void {name} \
             __ksym`): libbpf loads its `/proc/kallsyms` address, which this verifier does \
             not model (not supported)"
        ),
        _ => format!("`{name}` is an extern symbol (not supported)"),
    }
}

/// The type under the typedefs, `const`, `volatile`, `restrict` and type tags at `id` (`0`:
/// `void`); `None` past 64 of them.
/// Whether `id` is modifiers and typedefs over `void`.
fn skips_to_void(btf: &Btf, id: u32) -> bool {
    btf.skip_mods(id) == Some(0)
}

/// A kernel BTF an extern was found in: vmlinux's, or a module's over it.
enum In<'a> {
    Vmlinux(&'a Btf),
    Module(crate::btf::SplitView<'a>),
}

impl Types for In<'_> {
    fn type_by_id(&self, id: u32) -> Option<&crate::btf::Type> {
        match self {
            In::Vmlinux(b) => b.get(id),
            In::Module(m) => m.type_by_id(id),
        }
    }
}

/// The kernel's `FUNC` or `VAR` (`kind`) named `name`: vmlinux's first, then the first module
/// whose own types have it (libbpf's `find_ksym_btf_id`): its BTF's name, its id, its BTF.
fn find<'a>(
    name: &str,
    kind: u32,
    vmlinux: &'a Btf,
    modules: &'a [SplitBtf],
) -> Option<(String, u32, In<'a>)> {
    if let Some(id) = vmlinux.find(name, kind) {
        return Some(("vmlinux".into(), id, In::Vmlinux(vmlinux)));
    }
    modules.iter().find_map(|m| {
        m.find_own(name, kind)
            .map(|id| (m.name.clone(), id, In::Module(m.over(vmlinux))))
    })
}

/// The type a kernel `FUNC` (its prototype) or `VAR` (its type under modifiers) has.
fn kernel_type(types: &In<'_>, id: u32) -> Option<u32> {
    match types.type_by_id(id)?.kind {
        Kind::Func { proto, .. } => Some(proto),
        Kind::Var { ty, .. } => types.skip_mods(ty),
        _ => None,
    }
}

/// Where the target kernel (`vmlinux`'s BTF and its loaded modules', `modules`) has each
/// `.ksyms` extern of the object in `bytes` (see the module docs).
pub fn resolve_ksyms(
    bytes: &[u8],
    vmlinux: &Btf,
    modules: &[SplitBtf],
) -> Result<KsymResolution, ElfError> {
    let elf = Elf::parse(bytes)?;
    resolve_of(&elf, vmlinux, modules)
}

/// [`resolve_ksyms`] of a parsed object.
pub(super) fn resolve_of(
    elf: &Elf<'_>,
    vmlinux: &Btf,
    modules: &[SplitBtf],
) -> Result<KsymResolution, ElfError> {
    let (ksyms, btf) = ksyms_of(elf)?;
    let mut out = KsymResolution {
        ksyms: Vec::new(),
        modules: modules.iter().map(|m| m.name.clone()).collect(),
    };
    let Some(btf) = btf else {
        return Ok(out);
    };
    for k in ksyms {
        let (kind, local) = match k.kind {
            KsymKind::Func { proto } => (KIND_FUNC, proto),
            KsymKind::Var { ty } => (KIND_VAR, ty),
            KsymKind::Typeless => {
                out.ksyms.push((k, Found::NotChecked));
                continue;
            }
        };
        let essential = super::core_spec::essential(&k.name);
        let flavoured = essential != k.name;
        let hit = find(&k.name, kind, vmlinux, modules).or_else(|| {
            flavoured
                .then(|| find(essential, kind, vmlinux, modules))
                .flatten()
        });
        let found = match hit {
            None => Found::Missing,
            Some((name, id, types)) => {
                let compatible = kernel_type(&types, id)
                    .map(|t| super::core_spec::types_compat(&btf, local, &types, t, 32));
                match compatible {
                    // Refused only where the check concludes, and for one function.
                    Some(Ok(false)) if !flavoured => Found::Incompatible { btf: name, id },
                    _ => Found::At { btf: name, id },
                }
            }
        };
        out.ksyms.push((k, found));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::{Param, Type};

    /// `int f(P)` in a fresh BTF, `P` built by `param`; returns the BTF and the prototype.
    fn proto(param: impl FnOnce(&mut Btf) -> u32) -> (Btf, u32) {
        let mut b = Btf::new();
        let int = b.push(Type::int("int", 4, true));
        let ty = param(&mut b);
        let p = b.push(Type::new(
            "",
            Kind::FuncProto {
                ret: int,
                params: vec![Param {
                    name: "p".into(),
                    ty,
                }],
            },
        ));
        (b, p)
    }

    /// libbpf's `bpf_core_types_are_compat` sees `void` under modifiers as `void`: a kfunc
    /// declared with `const void *` matches the kernel's `void *` (and not an `int *`).
    #[test]
    fn a_pointer_to_const_void_is_compatible_with_a_pointer_to_void() {
        let (local, l) = proto(|b| {
            let c = b.push(Type::new("", Kind::Const(0)));
            b.push(Type::new("", Kind::Ptr(c)))
        });
        let (kernel, k) = proto(|b| b.push(Type::new("", Kind::Ptr(0))));
        assert_eq!(
            crate::elf::core_spec::types_compat(&local, l, &kernel, k, 32),
            Ok(true)
        );
        let (ints, i) = proto(|b| b.push(Type::new("", Kind::Ptr(1))));
        assert_eq!(
            crate::elf::core_spec::types_compat(&local, l, &ints, i, 32),
            Ok(false)
        );
    }
}
