//! The `.global_func` directive: a function of the program is global (BTF linkage
//! `BTF_FUNC_GLOBAL`), with the argument types the kernel verifies it from.
//!
//! ```text
//! .global_func NAME(ARG, ...) [-> int | void | ptr] [exception_callback]
//! ARG := scalar | ctx [tagged] | mem SIZE [nonnull]
//! ```
//!
//! `exception_callback` makes the function the main program's exception callback (what
//! `__exception_cb(NAME)` on the main function declares in C, see [`crate::xdp::exception`]):
//! a loader writes the decl tag `exception_callback:NAME` on the main program's `FUNC`, and the
//! function is verified on its own even if nothing calls it (the kernel wants
//! `NAME(scalar)`).
//!
//! `NAME` is a label of the program that a `call NAME` targets. A global function is verified
//! once, on its own, as the kernel does (`do_check_subprogs`): `r1`... start as its arguments
//! say (`scalar`: an unknown number; `ctx`: the context; `mem SIZE`: `SIZE` bytes of memory
//! that may be NULL, `mem SIZE nonnull`: that may not), and it must return a number. A loader
//! writes `ctx` as a pointer to the program type's context structure (`struct xdp_md *`,
//! `struct __sk_buff *`), which every kernel takes; `ctx tagged` as a `void *` tagged
//! `__arg_ctx` ([`GlobalArg::CtxTagged`]), which kernels before 6.8 refuse (the verifier
//! refuses it for targets before 6.12). Each call
//! only checks the arguments against those types (a number; the unmodified context; NULL or
//! `SIZE` readable and writable bytes of the stack, a map value, the packet or another such
//! argument, whose stack bytes the call then clobbers), and `r0` is an unknown number after
//! it. The return type is `int` unless given: `void` and `ptr` are what the kernel refuses
//! ("doesn't return scalar"), for tests. With no `.global_func`, every function is static and
//! walked at each call, as before.
//!
//! The directive emits no instruction; [`resolve()`](crate::asm::resolve()) puts the function
//! in [`Assembled::globals`](crate::asm::Assembled::globals), which the verifier takes as
//! `VerifyInput::globals` and a loader writes into the program's BTF
//! ([`crate::btf::program_btf_with_globals`]).
//!
//! ```
//! let a = ebpf_dsl::asm::assemble(
//!     ".global_func f(ctx, mem 8 nonnull)\nr2 = r10\nr2 += -8\ncall f\nexit\nf:\nr0 = 0\nexit\n",
//! )
//! .unwrap();
//! assert_eq!(a.globals[0].insn, 4);
//! assert_eq!(a.globals[0].args.len(), 2);
//! ```

use crate::btf::{GlobalArg, GlobalFunc};

/// The directive's word.
pub const GLOBAL_FUNC_DIRECTIVE: &str = ".global_func";

/// The syntax, for messages.
pub const GLOBAL_FUNC_SYNTAX: &str =
    ".global_func NAME(ARG, ...) [-> int|void|ptr] [exception_callback] with ARG one of scalar, ctx [tagged], mem SIZE [nonnull]";

/// The word after the prototype that makes the function the exception callback.
pub const EXCEPTION_CALLBACK_WORD: &str = "exception_callback";

/// Parses what follows `.global_func` (see the module docs); the function's `insn` is 0 until
/// [`resolve()`](crate::asm::resolve()) finds its label.
pub fn parse_global_func(text: &str) -> Result<GlobalFunc, String> {
    let text = text.trim();
    let open = text
        .find('(')
        .ok_or("missing `(` after the function's name")?;
    let close = text.rfind(')').ok_or("missing `)` after the arguments")?;
    if close < open {
        return Err("`)` before `(`".into());
    }
    let name = text[..open].trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        || name.starts_with(|c: char| c.is_ascii_digit())
    {
        return Err(format!("`{name}` is not a function (label) name"));
    }
    let inside = text[open + 1..close].trim();
    let mut args = Vec::new();
    if !inside.is_empty() && inside != "void" {
        for a in inside.split(',') {
            let words: Vec<&str> = a.split_whitespace().collect();
            args.push(match words.as_slice() {
                ["scalar"] => GlobalArg::Scalar,
                ["ctx"] => GlobalArg::Ctx,
                ["ctx", "tagged"] => GlobalArg::CtxTagged,
                ["mem", size, rest @ ..] => {
                    let size: u32 = size
                        .parse()
                        .ok()
                        .filter(|s| *s > 0 && *s <= 1 << 29)
                        .ok_or_else(|| {
                            format!("`mem {size}`: the size is a number of bytes from 1 to 2^29")
                        })?;
                    let nonnull = match rest {
                        [] => false,
                        ["nonnull"] => true,
                        _ => {
                            return Err(format!(
                                "`{}`: after `mem SIZE` only `nonnull` may follow",
                                a.trim()
                            ))
                        }
                    };
                    GlobalArg::Mem { size, nonnull }
                }
                _ => return Err(format!("unknown argument type `{}`", a.trim())),
            });
        }
    }
    if args.len() > 5 {
        return Err(format!(
            "{} arguments: a function takes at most 5 (r1-r5)",
            args.len()
        ));
    }
    let after = text[close + 1..].trim();
    let (after, exception_cb) = match after.strip_suffix(EXCEPTION_CALLBACK_WORD) {
        Some(rest) if rest.is_empty() || rest.ends_with(char::is_whitespace) => (rest.trim(), true),
        _ => (after, false),
    };
    let returns_scalar = match after {
        "" => true,
        rest => match rest.strip_prefix("->").map(str::trim) {
            Some("int") => true,
            Some("void" | "ptr") => false,
            _ => {
                return Err(format!(
                    "`{rest}`: the return type is `-> int`, `-> void` or `-> ptr`, then `{EXCEPTION_CALLBACK_WORD}` may follow"
                ))
            }
        },
    };
    Ok(GlobalFunc {
        insn: 0,
        name: name.to_string(),
        args,
        returns_scalar,
        exception_cb,
    })
}

/// The `.global_func` line declaring `g` global at label `label`, if the directive can say
/// its prototype (`None` for an argument the kernel refuses or this verifier does not model):
/// what [`parse_global_func`] reads back.
pub fn global_func_directive(g: &GlobalFunc, label: &str) -> Option<String> {
    let mut args = Vec::new();
    for a in &g.args {
        args.push(match a {
            GlobalArg::Scalar => "scalar".to_string(),
            GlobalArg::Ctx => "ctx".to_string(),
            GlobalArg::CtxTagged => "ctx tagged".to_string(),
            GlobalArg::Mem {
                size,
                nonnull: false,
            } if *size > 0 => format!("mem {size}"),
            GlobalArg::Mem {
                size,
                nonnull: true,
            } if *size > 0 => format!("mem {size} nonnull"),
            _ => return None,
        });
    }
    let ret = if g.returns_scalar { "" } else { " -> void" };
    let cb = if g.exception_cb {
        format!(" {EXCEPTION_CALLBACK_WORD}")
    } else {
        String::new()
    };
    Some(format!(
        "{GLOBAL_FUNC_DIRECTIVE} {label}({}){ret}{cb}",
        args.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_directive_parses_and_refuses_clearly() {
        let g =
            parse_global_func(" f(ctx, scalar, mem 12, mem 4 nonnull, ctx tagged) -> int").unwrap();
        assert_eq!(g.name, "f");
        assert_eq!(
            g.args,
            vec![
                GlobalArg::Ctx,
                GlobalArg::Scalar,
                GlobalArg::Mem {
                    size: 12,
                    nonnull: false
                },
                GlobalArg::Mem {
                    size: 4,
                    nonnull: true
                },
                GlobalArg::CtxTagged
            ]
        );
        assert!(g.returns_scalar);
        let line = global_func_directive(&g, "f").unwrap();
        assert_eq!(
            line,
            ".global_func f(ctx, scalar, mem 12, mem 4 nonnull, ctx tagged)"
        );
        assert_eq!(
            parse_global_func(line.strip_prefix(GLOBAL_FUNC_DIRECTIVE).unwrap()),
            Ok(g)
        );
        assert!(!parse_global_func("g() -> void").unwrap().returns_scalar);
        let cb = parse_global_func("cb(scalar) exception_callback").unwrap();
        assert!(cb.exception_cb && cb.returns_scalar);
        let line = global_func_directive(&cb, "cb").unwrap();
        assert_eq!(line, ".global_func cb(scalar) exception_callback");
        let cb = parse_global_func("cb(scalar) -> void exception_callback").unwrap();
        assert!(cb.exception_cb && !cb.returns_scalar);
        assert!(!parse_global_func("g(scalar)").unwrap().exception_cb);
        assert!(parse_global_func("g(void)").unwrap().args.is_empty());
        for (bad, why) in [
            ("g", "missing `(`"),
            ("g(mem)", "unknown argument type `mem`"),
            ("g(mem 0)", "the size is a number of bytes"),
            ("g(mem 4 maybe)", "only `nonnull` may follow"),
            ("g(ptr)", "unknown argument type `ptr`"),
            ("g() -> long", "the return type is"),
            ("g() xexception_callback", "the return type is"),
            ("1g()", "is not a function"),
            (
                "g(scalar, scalar, scalar, scalar, scalar, scalar)",
                "at most 5",
            ),
        ] {
            let e = parse_global_func(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn the_label_gives_the_function_and_an_unknown_one_is_an_error() {
        let a = crate::asm::assemble("call f\nexit\n.global_func f(scalar)\nf:\nr0 = r1\nexit\n")
            .unwrap();
        assert_eq!(a.globals.len(), 1);
        assert_eq!((a.globals[0].insn, a.globals[0].name.as_str()), (2, "f"));
        let e = crate::asm::assemble("r0 = 0\nexit\n.global_func h(scalar)\n").unwrap_err();
        assert!(e[0].message.contains("no label `h`"), "{:?}", e);
        let e = crate::asm::assemble("r0 = 0\nexit\n.global_func h(x)\n").unwrap_err();
        assert!(
            e[0].message.contains("unknown argument type `x`"),
            "{:?}",
            e
        );
        let e = crate::asm::assemble(
            "call f\nexit\n.global_func f()\n.global_func f()\nf:\nr0 = 0\nexit\n",
        )
        .unwrap_err();
        assert!(e[0].message.contains("declared global twice"), "{:?}", e);
    }
}
