//! Global functions: a subprogram whose BTF `FUNC` has linkage `BTF_FUNC_GLOBAL` is verified
//! by the kernel once, on its own, from the types of its arguments, and each call of it only
//! checks the arguments against those types (`btf_prepare_func_args` in `kernel/bpf/btf.c`,
//! `btf_check_func_arg_match` and `do_check_subprogs` in `kernel/bpf/verifier.c`).
//!
//! [`GlobalFunc`] is what the static verifier and a loader need of one: where it starts, its
//! name, how the kernel reads each argument ([`GlobalArg`]) and whether it returns a scalar.
//! [`GlobalFunc::from_btf`] reads it from an object's BTF (the `FUNC`, its `FUNC_PROTO` and the
//! `arg:` decl tags of `__arg_ctx`, `__arg_nonnull`, ...); [`GlobalFunc::add_to`] writes the
//! BTF a loader gives the kernel for it (text programs declare one with `.global_func`, see
//! [`crate::asm`]).

use super::{Btf, Kind, Linkage, Param, Type};
use crate::btf::Types;

/// The decl tag prefix of the main program's `FUNC` naming its exception callback
/// (`exception_callback:NAME`, see [`GlobalFunc::exception_cb`]).
pub const EXCEPTION_CALLBACK_TAG: &str = "exception_callback:";

/// The kernel's limit of arguments (`MAX_BPF_FUNC_REG_ARGS`).
const MAX_ARGS: usize = 5;

/// How the kernel types one argument of a global function (`btf_prepare_func_args`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum GlobalArg {
    /// An integer or enum (`ARG_ANYTHING`): the caller passes any number, the body starts
    /// with an unknown one.
    Scalar,
    /// The program's context (`ARG_PTR_TO_CTX`) by its type: a pointer to the program type's
    /// context structure (`struct xdp_md *`, `struct __sk_buff *`,
    /// [`ProgramType::ctx_struct`](crate::spec::ProgramType::ctx_struct)), tagged
    /// `__arg_ctx` or not; every kernel with global functions reads it so.
    Ctx,
    /// The program's context by its tag: a `void *` tagged `__arg_ctx` (the decl tag
    /// `arg:ctx`). Only a kernel that reads the `arg:` tags (upstream 6.8; the static
    /// verifier assumes it from [`KernelVersion::GLOBAL_ARG_TAGS`](crate::verifier::KernelVersion::GLOBAL_ARG_TAGS))
    /// takes it as the context; an older one ignores the tag and refuses the function
    /// ("arg#0 reference type('UNKNOWN ') size cannot be determined"). [`Ctx`](Self::Ctx)
    /// loads everywhere.
    CtxTagged,
    /// Any other pointer (`ARG_PTR_TO_MEM`): `size` bytes (the size of the pointee) the body
    /// may read and write; NULL unless `nonnull` (`__arg_nonnull`).
    Mem {
        /// The pointee's size in bytes.
        size: u32,
        /// Tagged `__arg_nonnull`: the caller may not pass a pointer that may be NULL.
        nonnull: bool,
    },
    /// A prototype the kernel refuses (`btf_prepare_func_args` fails: a struct passed by
    /// value, a pointer to `void` without a tag, a tag on a number, an unknown or conflicting
    /// tag): every call is refused, with this reason.
    Refused(String),
    /// A kind the static verifier does not model (`__arg_trusted`, `__arg_arena`, a
    /// `struct bpf_dynptr *`, a context pointer of another program type's structure): named.
    NotModelled(String),
}

/// A global function of a program (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalFunc {
    /// Its first instruction (slot) in the program.
    pub insn: u32,
    /// Its name (the `FUNC`'s).
    pub name: String,
    /// Its arguments, `r1` first.
    pub args: Vec<GlobalArg>,
    /// It returns an integer or enum; the kernel refuses a global function that does not
    /// ("Global function ... doesn't return scalar").
    pub returns_scalar: bool,
    /// It is the main program's exception callback (the decl tag
    /// `exception_callback:NAME` on the main program's `FUNC`, see
    /// [`crate::xdp::exception`]): verified on its own even if never called, with a single
    /// number argument (the cookie of `bpf_throw`), never called directly. An entry with
    /// `insn` 0 (the main program's slot) stands for a callback the program does not contain
    /// (the tag names a function libbpf did not load with it: the kernel's "exception callback
    /// type id not found in func_info"); its first argument may be a
    /// [`GlobalArg::Refused`] with another of the kernel's reasons.
    pub exception_cb: bool,
}

impl GlobalFunc {
    /// Why the kernel refuses this prototype, if it does (then every call is refused:
    /// "Caller passes invalid args into func#N"), or names what is not modelled.
    pub fn refusal(&self) -> Option<String> {
        if self.args.len() > MAX_ARGS {
            return Some(format!(
                "the global function {}() has {} arguments, the kernel takes at most {MAX_ARGS}",
                self.name,
                self.args.len()
            ));
        }
        if !self.returns_scalar {
            return Some(format!(
                "the global function {}() does not return a scalar (the kernel's \"Global function {}() doesn't return scalar. Only those are supported.\")",
                self.name, self.name
            ));
        }
        self.args.iter().enumerate().find_map(|(i, a)| match a {
            GlobalArg::Refused(why) => Some(format!("arg#{i} of {}(): {why}", self.name)),
            _ => None,
        })
    }

    /// The global function whose `FUNC` is `func` in `btf`, starting at slot `insn`, for a
    /// program whose context structure is `ctx_struct` (`xdp_md`, `__sk_buff`; empty for a
    /// program type without one); `None` if `func` is not a `FUNC` of global linkage.
    pub fn from_btf(btf: &Btf, func: u32, insn: u32, ctx_struct: &str) -> Option<GlobalFunc> {
        let t = btf.get(func)?;
        let Kind::Func {
            proto,
            linkage: Linkage::Global,
        } = t.kind
        else {
            return None;
        };
        let Some(Kind::FuncProto { ret, params }) = btf.get(proto).map(|p| &p.kind) else {
            return Some(GlobalFunc {
                insn,
                name: t.name.clone(),
                args: vec![GlobalArg::Refused(
                    "its type is not a function prototype".into(),
                )],
                returns_scalar: true,
                exception_cb: false,
            });
        };
        let returns_scalar = is_scalar(btf, skip_mods(btf, *ret));
        let args = params
            .iter()
            .enumerate()
            .map(|(i, p)| arg_of(btf, func, i, p.ty, ctx_struct))
            .collect();
        Some(GlobalFunc {
            insn,
            name: t.name.clone(),
            args,
            returns_scalar,
            exception_cb: false,
        })
    }

    /// Adds this function's `FUNC` (global), its prototype and the `arg:` decl tags the kernel
    /// reads back as these argument kinds to `btf`, for a program whose context structure is
    /// `ctx_struct` ([`ProgramType::ctx_struct`](crate::spec::ProgramType::ctx_struct));
    /// returns the `FUNC`'s id. A [`GlobalArg::Ctx`] is a pointer to that structure (written
    /// empty: the kernel compares its name only), which every kernel takes as the context; a
    /// [`GlobalArg::CtxTagged`], or a context of a program type without a context structure
    /// (`ctx_struct` `None`), a `void *` tagged `arg:ctx`, which only kernels that read the
    /// tags take (6.8 on). Memory is a pointer to a `u8` array of its size (tagged
    /// `arg:nonnull` when it is), a number an `s64`; a refused or unmodelled argument is
    /// written as a `void *` (which the kernel refuses).
    pub fn add_to(&self, btf: &mut Btf, ctx_struct: Option<&str>) -> u32 {
        let int = btf.add(Type::int("int", 4, true));
        let long = btf.add(Type::int("long", 8, true));
        let u8t = btf.add(Type::int("unsigned char", 1, false));
        let void_ptr = btf.add(Type::new("", Kind::Ptr(0)));
        let ctx_ptr = ctx_struct.map(|name| {
            let s = btf.add(Type::new(
                name,
                Kind::Struct {
                    size: 0,
                    members: Vec::new(),
                },
            ));
            btf.add(Type::new("", Kind::Ptr(s)))
        });
        let mut tags = Vec::new();
        let params = self
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let ty = match a {
                    GlobalArg::Scalar => long,
                    GlobalArg::Ctx | GlobalArg::CtxTagged => match (a, ctx_ptr) {
                        (GlobalArg::Ctx, Some(p)) => p,
                        _ => {
                            tags.push((i, "arg:ctx"));
                            void_ptr
                        }
                    },
                    GlobalArg::Mem { size, nonnull } => {
                        if *nonnull {
                            tags.push((i, "arg:nonnull"));
                        }
                        let arr = btf.add(Type::new(
                            "",
                            Kind::Array {
                                elem: u8t,
                                index: int,
                                nelems: *size,
                            },
                        ));
                        btf.add(Type::new("", Kind::Ptr(arr)))
                    }
                    GlobalArg::Refused(_) | GlobalArg::NotModelled(_) => void_ptr,
                };
                Param {
                    name: format!("a{i}"),
                    ty,
                }
            })
            .collect();
        let ret = if self.returns_scalar { int } else { 0 };
        let proto = btf.add(Type::new("", Kind::FuncProto { ret, params }));
        let id = btf.push(Type::new(
            self.name.clone(),
            Kind::Func {
                proto,
                linkage: Linkage::Global,
            },
        ));
        for (i, tag) in tags {
            btf.push(Type::new(
                tag,
                Kind::DeclTag {
                    ty: id,
                    component_idx: i as i32,
                },
            ));
        }
        id
    }
}

/// A subprogram's BTF function info as the static verifier uses it
/// (`VerifyInput::func_info`): where it starts and whether it returns a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubprogFunc {
    /// Its first instruction (slot) in the program.
    pub insn: u32,
    /// Its `FUNC`'s prototype returns an integer or an enum ([`func_returns_scalar`]).
    pub returns_scalar: bool,
}

/// Whether the `FUNC` `func` of `btf` returns an integer or an enum, which the kernel asks of
/// a subprogram with a tail call or LD_ABS/LD_IND (`check_btf_func`: "tail_call is only
/// allowed in functions that return 'int'"); `false` when `func` is not a `FUNC` with a
/// prototype.
pub fn func_returns_scalar(btf: &Btf, func: u32) -> bool {
    let Some(Kind::Func { proto, .. }) = btf.get(func).map(|t| &t.kind) else {
        return false;
    };
    let Some(Kind::FuncProto { ret, .. }) = btf.get(*proto).map(|p| &p.kind) else {
        return false;
    };
    is_scalar(btf, skip_mods(btf, *ret))
}

/// `t` without typedefs, `const`, `volatile`, `restrict` and type tags.
/// `t` under its typedefs and modifiers (`t` itself when the chain is broken).
fn skip_mods(btf: &Btf, t: u32) -> u32 {
    btf.skip_mods(t).unwrap_or(t)
}

fn is_scalar(btf: &Btf, t: u32) -> bool {
    matches!(
        btf.get(t).map(|x| &x.kind),
        Some(Kind::Int { .. } | Kind::Enum { .. } | Kind::Enum64 { .. })
    )
}

/// Argument `i` of `FUNC` `func`, of type `ty`, as `btf_prepare_func_args` types it.
fn arg_of(btf: &Btf, func: u32, i: usize, ty: u32, ctx_struct: &str) -> GlobalArg {
    let mut tags: Vec<&str> = Vec::new();
    for t in &btf.types {
        if let Kind::DeclTag {
            ty: on,
            component_idx,
        } = t.kind
        {
            if on == func && component_idx == i as i32 {
                if let Some(tag) = t.name.strip_prefix("arg:") {
                    tags.push(tag);
                }
            }
        }
    }
    if let Some(bad) = tags
        .iter()
        .find(|t| !matches!(**t, "ctx" | "trusted" | "nonnull" | "nullable" | "arena"))
    {
        return GlobalArg::Refused(format!("unsupported tag `arg:{bad}`"));
    }
    let has = |n: &str| tags.contains(&n);
    let t = skip_mods(btf, ty);
    let Some(Kind::Ptr(pointee)) = btf.get(t).map(|x| &x.kind) else {
        if !tags.is_empty() {
            return GlobalArg::Refused("a pointer tag on an argument that is not a pointer".into());
        }
        if is_scalar(btf, t) {
            return GlobalArg::Scalar;
        }
        return GlobalArg::Refused(
            "an argument type the kernel does not support (only numbers and pointers)".into(),
        );
    };
    let target = skip_mods(btf, *pointee);
    let target_kind = btf.get(target).map(|x| &x.kind);
    // (An anonymous structure is no program type's context.)
    let struct_name = match target_kind {
        Some(Kind::Struct { .. }) => btf
            .get(target)
            .map(|x| x.name.as_str())
            .filter(|n| !n.is_empty()),
        _ => None,
    };
    if has("ctx") || struct_name == Some(ctx_struct) {
        if tags.iter().any(|t| *t != "ctx") {
            return GlobalArg::Refused("`arg:ctx` combined with another tag".into());
        }
        // The program type's own structure is the context, tagged or not (a kernel that
        // ignores the tags types it so); a tagged `void *` only where the tag is read; a
        // pointer to another structure tagged `arg:ctx` depends on the program type's rules.
        if struct_name == Some(ctx_struct) {
            return GlobalArg::Ctx;
        }
        if target == 0 {
            return GlobalArg::CtxTagged;
        }
        return GlobalArg::NotModelled(
            "a context argument of a type other than `void *` or the program's context structure"
                .into(),
        );
    }
    // The kernel's own structure behind the context (`btf_is_projection_of`): the context for
    // 6.12.118 (source read); older kernels' rule not read.
    if matches!(
        (ctx_struct, struct_name),
        ("__sk_buff", Some("sk_buff")) | ("xdp_md", Some("xdp_buff"))
    ) {
        return GlobalArg::NotModelled(format!(
            "a pointer to the kernel's `struct {}` (the context for Linux 6.12; not read for older kernels)",
            struct_name.unwrap_or_default()
        ));
    }
    if struct_name == Some("bpf_dynptr") {
        return GlobalArg::NotModelled("a `struct bpf_dynptr *` argument".into());
    }
    if has("trusted") {
        return GlobalArg::NotModelled("an `__arg_trusted` argument (a kernel object)".into());
    }
    if has("arena") {
        return GlobalArg::NotModelled("an `__arg_arena` argument".into());
    }
    if has("nullable") {
        return GlobalArg::Refused("`arg:nullable` on a pointer to memory".into());
    }
    // A pointee of 0 bytes (an empty structure) has no size either (the kernel's
    // `btf_resolve_size` fails: "size cannot be determined", 6.18.44 checked).
    match btf.size_of(target) {
        Some(size) if target != 0 && size > 0 => GlobalArg::Mem {
            size,
            nonnull: has("nonnull"),
        },
        _ => GlobalArg::Refused(
            "a pointer whose pointee has no size (`void *` without `__arg_ctx`, a function, an incomplete type, an empty structure)".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<GlobalFunc> {
        vec![
            GlobalFunc {
                insn: 7,
                name: "f".into(),
                args: vec![
                    GlobalArg::Ctx,
                    GlobalArg::Scalar,
                    GlobalArg::Mem {
                        size: 12,
                        nonnull: false,
                    },
                    GlobalArg::Mem {
                        size: 4,
                        nonnull: true,
                    },
                    GlobalArg::CtxTagged,
                ],
                returns_scalar: true,
                exception_cb: false,
            },
            GlobalFunc {
                insn: 9,
                name: "g".into(),
                args: Vec::new(),
                returns_scalar: false,
                exception_cb: false,
            },
        ]
    }

    #[test]
    fn what_add_to_writes_from_btf_reads_back() {
        for g in sample() {
            let mut btf = Btf::new();
            let id = g.add_to(&mut btf, Some("xdp_md"));
            let back = Btf::decode(&btf.encode()).expect("decodes");
            assert_eq!(
                GlobalFunc::from_btf(&back, id, g.insn, "xdp_md"),
                Some(g.clone())
            );
        }
    }

    #[test]
    fn a_typed_context_is_a_pointer_to_the_program_types_structure() {
        let g = GlobalFunc {
            insn: 3,
            name: "f".into(),
            args: vec![GlobalArg::Ctx, GlobalArg::CtxTagged],
            returns_scalar: true,
            exception_cb: false,
        };
        let mut btf = Btf::new();
        let id = g.add_to(&mut btf, Some("__sk_buff"));
        let back = Btf::decode(&btf.encode()).expect("decodes");
        let Some(Kind::Func { proto, .. }) = back.get(id).map(|t| &t.kind) else {
            panic!("not a FUNC");
        };
        let Some(Kind::FuncProto { params, .. }) = back.get(*proto).map(|t| &t.kind) else {
            panic!("not a FUNC_PROTO");
        };
        let pointee = |ty: u32| match back.get(ty).map(|t| &t.kind) {
            Some(Kind::Ptr(p)) => *p,
            k => panic!("not a pointer: {k:?}"),
        };
        let s = back.get(pointee(params[0].ty)).expect("a struct");
        assert_eq!(s.name, "__sk_buff");
        assert!(matches!(s.kind, Kind::Struct { .. }));
        assert_eq!(pointee(params[1].ty), 0);
        let tags: Vec<(&str, i32)> = back
            .types
            .iter()
            .filter_map(|t| match t.kind {
                Kind::DeclTag { component_idx, .. } => Some((t.name.as_str(), component_idx)),
                _ => None,
            })
            .collect();
        assert_eq!(tags, vec![("arg:ctx", 1)]);
        // Read for another program type, the (empty) structure is no context, and no memory
        // (the kernel cannot size it); without a context structure, the context is written
        // tagged.
        assert!(matches!(
            GlobalFunc::from_btf(&back, id, 3, "xdp_md").unwrap().args[0],
            GlobalArg::Refused(_)
        ));
        let mut btf = Btf::new();
        let id = g.add_to(&mut btf, None);
        assert_eq!(
            GlobalFunc::from_btf(&btf, id, 3, "").unwrap().args,
            vec![GlobalArg::CtxTagged, GlobalArg::CtxTagged]
        );
    }

    #[test]
    fn the_kernels_prototype_rules() {
        let g = &sample()[1];
        assert!(g.refusal().unwrap().contains("doesn't return scalar"));
        assert_eq!(sample()[0].refusal(), None);
        // A static function is not global; a struct by value, a void pointer, a tag on a
        // number are refused; the program type's context structure is the context.
        let mut btf = Btf::new();
        let int = btf.add(Type::int("int", 4, true));
        let s = btf.add(Type::new(
            "xdp_md",
            Kind::Struct {
                size: 24,
                members: Vec::new(),
            },
        ));
        let ps = btf.add(Type::new("", Kind::Ptr(s)));
        let pv = btf.add(Type::new("", Kind::Ptr(0)));
        let p = |ty| Param {
            name: "a".into(),
            ty,
        };
        let proto = btf.add(Type::new(
            "",
            Kind::FuncProto {
                ret: int,
                params: vec![p(ps), p(s), p(pv), p(int)],
            },
        ));
        let f = btf.push(Type::new(
            "f",
            Kind::Func {
                proto,
                linkage: Linkage::Global,
            },
        ));
        btf.push(Type::new(
            "arg:nonnull",
            Kind::DeclTag {
                ty: f,
                component_idx: 3,
            },
        ));
        let st = btf.push(Type::new(
            "s",
            Kind::Func {
                proto,
                linkage: Linkage::Static,
            },
        ));
        assert_eq!(GlobalFunc::from_btf(&btf, st, 1, "xdp_md"), None);
        let g = GlobalFunc::from_btf(&btf, f, 1, "xdp_md").unwrap();
        assert_eq!(g.args[0], GlobalArg::Ctx);
        assert!(matches!(g.args[1], GlobalArg::Refused(_)));
        assert!(matches!(g.args[2], GlobalArg::Refused(_)));
        assert!(matches!(g.args[3], GlobalArg::Refused(_)));
        assert!(g.refusal().unwrap().starts_with("arg#1 of f(): "));
        // The kernel's structure behind the context is not modelled.
        let mut k = btf.clone();
        let sk = k.add(Type::new(
            "sk_buff",
            Kind::Struct {
                size: 232,
                members: Vec::new(),
            },
        ));
        let psk = k.add(Type::new("", Kind::Ptr(sk)));
        let proto = k.add(Type::new(
            "",
            Kind::FuncProto {
                ret: int,
                params: vec![p(psk)],
            },
        ));
        let f2 = k.push(Type::new(
            "f2",
            Kind::Func {
                proto,
                linkage: Linkage::Global,
            },
        ));
        let g = GlobalFunc::from_btf(&k, f2, 1, "__sk_buff").unwrap();
        assert!(matches!(g.args[0], GlobalArg::NotModelled(_)));
        let g = GlobalFunc::from_btf(&k, f2, 1, "xdp_md").unwrap();
        assert!(matches!(g.args[0], GlobalArg::Mem { size: 232, .. }));
        // For a tc program the same pointer is 24 bytes of memory.
        let g = GlobalFunc::from_btf(&btf, f, 1, "__sk_buff").unwrap();
        assert_eq!(
            g.args[0],
            GlobalArg::Mem {
                size: 24,
                nonnull: false
            }
        );
    }
}
