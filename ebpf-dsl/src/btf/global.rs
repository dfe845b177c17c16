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
    /// The program's context (`ARG_PTR_TO_CTX`): a pointer to the program type's context
    /// structure (`struct xdp_md *`, `struct __sk_buff *`) or a pointer tagged `__arg_ctx`.
    Ctx,
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
    /// program whose context structure is `ctx_struct` (`xdp_md`, `__sk_buff`); `None` if
    /// `func` is not a `FUNC` of global linkage.
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
    /// reads back as these argument kinds to `btf`; returns the `FUNC`'s id. A context is a
    /// `void *` tagged `arg:ctx`, memory a pointer to a `u8` array of its size (tagged
    /// `arg:nonnull` when it is), a number an `s64`; a refused or unmodelled argument is
    /// written as a `void *` (which the kernel refuses).
    pub fn add_to(&self, btf: &mut Btf) -> u32 {
        let int = btf.add(Type::int("int", 4, true));
        let long = btf.add(Type::int("long", 8, true));
        let u8t = btf.add(Type::int("unsigned char", 1, false));
        let void_ptr = btf.add(Type::new("", Kind::Ptr(0)));
        let mut tags = Vec::new();
        let params = self
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let ty = match a {
                    GlobalArg::Scalar => long,
                    GlobalArg::Ctx => {
                        tags.push((i, "arg:ctx"));
                        void_ptr
                    }
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
    let struct_name = match target_kind {
        Some(Kind::Struct { .. }) => btf.get(target).map(|x| x.name.as_str()),
        _ => None,
    };
    if has("ctx") || struct_name == Some(ctx_struct) {
        if tags.iter().any(|t| *t != "ctx") {
            return GlobalArg::Refused("`arg:ctx` combined with another tag".into());
        }
        // A tagged `void *` or the program type's own structure is the context; a pointer to
        // another structure tagged `arg:ctx` depends on the program type's rules.
        if target == 0 || struct_name == Some(ctx_struct) {
            return GlobalArg::Ctx;
        }
        return GlobalArg::NotModelled(
            "a context argument of a type other than `void *` or the program's context structure"
                .into(),
        );
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
    match btf.size_of(target) {
        Some(size) if target != 0 => GlobalArg::Mem {
            size,
            nonnull: has("nonnull"),
        },
        _ => GlobalArg::Refused(
            "a pointer whose pointee has no size (`void *` without `__arg_ctx`, a function, an incomplete type)".into(),
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
            let id = g.add_to(&mut btf);
            let back = Btf::decode(&btf.encode()).expect("decodes");
            assert_eq!(
                GlobalFunc::from_btf(&back, id, g.insn, "xdp_md"),
                Some(g.clone())
            );
        }
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
