//! Kernel type facts by name in the text syntax: `btf_id(struct sock_common)`,
//! `offsetof(struct sk_buff, len)` and `sizeof(struct tcp_sock)` stand for numbers of the
//! kernel's BTF (a type id, a member's byte offset, a type's size), so that a program does not
//! name one kernel build's ids and layouts:
//!
//! ```text
//! r2 = btf_id(struct sock_common)
//! call bpf_rdonly_cast
//! r2 = *(u16 *)(r0 + offsetof(struct sock_common, skc_family))
//! ```
//!
//! * `btf_id(struct NAME)`, `btf_id(union NAME)`, `btf_id(enum NAME)`, `btf_id(typedef NAME)`:
//!   the id of the first type of that kind and name; `btf_id(NAME)` without a keyword: an
//!   integer type (`btf_id(int)`, `btf_id(unsigned int)`); `btf_id(var NAME)`: a kernel
//!   variable's `VAR` (the `imm` of `ld_pseudo rN, 3, btf_id(var NAME)`, a `__ksym` variable's
//!   address, `BPF_PSEUDO_BTF_ID`); `btf_id(func NAME)`: a kernel function's `FUNC` (the same
//!   load gives read-only memory of 0 bytes at its address);
//! * `offsetof(struct NAME, a.b.c)` (or `union`): the byte offset of the member, through
//!   nested members (named or anonymous: `offsetof(struct sk_buff, sk)` finds `sk` in its
//!   anonymous union); not a bitfield;
//! * `sizeof(struct NAME)` (any of the forms of `btf_id`): the type's size in bytes.
//!
//! They are resolved against a given BTF ([`resolve_btf_names`]: the kernel's, the one the
//! static verifier is given, `check --btf`, or the running kernel's for `load`) before the text
//! is assembled: each is replaced by its decimal number where it stands, so it may be an
//! immediate or a memory offset. Comment lines (`#`, `;`, `//`) are left alone.

use super::diag::{DiagKind, Diagnostic};
use crate::btf::{Btf, Kind};
use crate::ir::Span;

/// The three forms.
const FORMS: [&str; 3] = ["btf_id(", "offsetof(", "sizeof("];

/// Whether `src` uses a kernel type fact by name (outside comment lines), so needs a BTF.
pub fn uses_btf_names(src: &str) -> bool {
    src.lines()
        .filter(|l| !is_comment(l))
        .map(|l| l.split(';').next().unwrap_or(l))
        .map(|l| l.split("//").next().unwrap_or(l))
        .any(|l| FORMS.iter().any(|f| find_form(l, f).is_some()))
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with(';') || t.starts_with("//")
}

/// The first place `form` (`"sizeof("`, ...) starts in `line` as a word of its own.
fn find_form(line: &str, form: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = line[from..].find(form) {
        let at = from + i;
        let before = line[..at].chars().next_back();
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(at);
        }
        from = at + form.len();
    }
    None
}

/// `src` with every `btf_id(...)`, `offsetof(...)` and `sizeof(...)` replaced by its number in
/// `btf`; diagnostics (kind [`DiagKind::UnknownName`], spans in `src`) for those that name no
/// type or member of it.
pub fn resolve_btf_names(src: &str, btf: &Btf) -> Result<String, Vec<Diagnostic>> {
    let mut out = String::with_capacity(src.len());
    let mut errs = Vec::new();
    let mut line_start = 0;
    for line in src.split_inclusive('\n') {
        if is_comment(line) {
            out.push_str(line);
            line_start += line.len();
            continue;
        }
        let mut rest = 0;
        // A trailing comment (`;`, `//`) is left alone.
        let code_end = [line.find(';'), line.find("//")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(line.len());
        loop {
            let next = FORMS
                .iter()
                .filter_map(|f| find_form(&line[rest..code_end], f).map(|i| (rest + i, *f)))
                .min_by_key(|(i, _)| *i);
            let Some((at, form)) = next else { break };
            let args_start = at + form.len();
            let Some(close) = line[args_start..].find(')') else {
                errs.push(Diagnostic::new(
                    DiagKind::Syntax,
                    Some(Span::new(
                        line_start + at,
                        line_start + line.trim_end().len(),
                    )),
                    format!("`{form}` without its closing `)`"),
                ));
                break;
            };
            let args = &line[args_start..args_start + close];
            let end = args_start + close + 1;
            out.push_str(&line[rest..at]);
            match evaluate(form, args, btf) {
                Ok(n) => out.push_str(&n.to_string()),
                Err(m) => {
                    errs.push(Diagnostic::new(
                        DiagKind::UnknownName,
                        Some(Span::new(line_start + at, line_start + end)),
                        m,
                    ));
                    out.push('0');
                }
            }
            rest = end;
        }
        out.push_str(&line[rest..]);
        line_start += line.len();
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// The number `form(args)` stands for in `btf`.
fn evaluate(form: &str, args: &str, btf: &Btf) -> Result<u64, String> {
    match form {
        "btf_id(" => type_id(args.trim(), btf).map(u64::from),
        "sizeof(" => {
            let id = type_id(args.trim(), btf)?;
            btf.size_of(id)
                .map(u64::from)
                .ok_or_else(|| format!("sizeof({}): the type has no size", args.trim()))
        }
        _ => {
            let Some((ty, path)) = args.split_once(',') else {
                return Err(format!(
                    "offsetof({args}) takes a type and a member: `offsetof(struct sk_buff, len)`"
                ));
            };
            let id = type_id(ty.trim(), btf)?;
            member_offset(btf, id, path.trim()).map(u64::from)
        }
    }
}

/// The id of the type `spec` names (`struct NAME`, `union NAME`, `enum NAME`, `typedef NAME`,
/// `var NAME`, `func NAME`, or an integer type's name).
fn type_id(spec: &str, btf: &Btf) -> Result<u32, String> {
    let (kinds, name): (&[u32], &str) = match spec.split_once(char::is_whitespace) {
        Some(("struct", n)) => (&[4], n.trim()),
        Some(("union", n)) => (&[5], n.trim()),
        Some(("enum", n)) => (&[6, 19], n.trim()),
        Some(("typedef", n)) => (&[8], n.trim()),
        Some(("var", n)) => (&[14], n.trim()),
        Some(("func", n)) => (&[12], n.trim()),
        _ => (&[1], spec),
    };
    kinds
        .iter()
        .find_map(|&k| btf.find(name, k))
        .ok_or_else(|| format!("the kernel's BTF has no {spec}"))
}

/// The byte offset of the member at `path` (`a.b.c`) in type `id`, through anonymous members.
fn member_offset(btf: &Btf, id: u32, path: &str) -> Result<u32, String> {
    let mut id = id;
    let mut total = 0;
    for name in path.split('.') {
        let name = name.trim();
        let (off, ty) = find_member(btf, id, name, 0)
            .ok_or_else(|| format!("{} has no member `{name}`", describe(btf, id)))?;
        if off % 8 != 0 {
            return Err(format!("`{name}` is a bitfield: it has no byte offset"));
        }
        total += off / 8;
        id = ty;
    }
    Ok(total)
}

/// The bit offset and type of member `name` of struct or union `id` (after typedefs and
/// qualifiers), looking into anonymous members.
fn find_member(btf: &Btf, id: u32, name: &str, depth: u32) -> Option<(u32, u32)> {
    if depth > 16 {
        return None;
    }
    let mut id = id;
    for _ in 0..32 {
        match btf.get(id)?.kind {
            Kind::Typedef(n) | Kind::Volatile(n) | Kind::Const(n) | Kind::Restrict(n) => id = n,
            _ => break,
        }
    }
    let (Kind::Struct { members, .. } | Kind::Union { members, .. }) = &btf.get(id)?.kind else {
        return None;
    };
    if let Some(m) = members.iter().find(|m| m.name == name) {
        if m.bitfield_size != 0 {
            return Some((m.bit_offset | 1, m.ty));
        }
        return Some((m.bit_offset, m.ty));
    }
    members
        .iter()
        .filter(|m| m.name.is_empty())
        .find_map(|m| find_member(btf, m.ty, name, depth + 1).map(|(o, t)| (m.bit_offset + o, t)))
}

fn describe(btf: &Btf, id: u32) -> String {
    match btf.get(id) {
        Some(t) if !t.name.is_empty() => format!("type `{}` (id {id})", t.name),
        _ => format!("type id {id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::btf::{BtfType, Member, Type};

    fn kernel() -> Btf {
        let mut b = Btf::new();
        let int = b.add(Type::new(
            "int",
            Kind::Int {
                size: 4,
                encoding: crate::btf::INT_SIGNED,
                offset: 0,
                bits: 32,
            },
        ));
        let u16_ = u16::btf_type(&mut b);
        let common = b.add(Type::new(
            "sock_common",
            Kind::Struct {
                size: 24,
                members: vec![
                    Member::at("skc_hash", int, 0),
                    Member::at("skc_family", u16_, 16),
                ],
            },
        ));
        let anon = b.add(Type::new(
            "",
            Kind::Union {
                size: 24,
                members: vec![Member::at("a", int, 0), Member::at("common", common, 0)],
            },
        ));
        let mut bits = Member::at("flag", int, 0);
        bits.bit_offset = 33;
        bits.bitfield_size = 1;
        b.add(Type::new(
            "bpf_prog_active",
            Kind::Var {
                ty: int,
                linkage: crate::btf::Linkage::Global,
            },
        ));
        b.add(Type::new(
            "sk_buff",
            Kind::Struct {
                size: 64,
                members: vec![Member::at("len", int, 8), Member::at("", anon, 16), bits],
            },
        ));
        b
    }

    #[test]
    fn ids_offsets_and_sizes_are_replaced_where_they_stand() {
        let b = kernel();
        let src = "# btf_id(struct nope) in a comment\nr2 = btf_id(struct sock_common)\nr3 = *(u32 *)(r1 + offsetof(struct sk_buff, len))\nr4 = *(u16 *)(r1 + offsetof(struct sk_buff, common.skc_family))\nr5 = sizeof(struct sk_buff) ; sizeof(union x)\nr6 = btf_id(int)\nmy_sizeof(x)\n";
        assert!(uses_btf_names(src));
        let out = resolve_btf_names(src, &b).unwrap();
        let common = b.find("sock_common", 4).unwrap();
        let int = b.find("int", 1).unwrap();
        assert_eq!(
            out,
            format!("# btf_id(struct nope) in a comment\nr2 = {common}\nr3 = *(u32 *)(r1 + 8)\nr4 = *(u16 *)(r1 + 32)\nr5 = 64 ; sizeof(union x)\nr6 = {int}\nmy_sizeof(x)\n")
        );
        assert!(!uses_btf_names(
            "r0 = 0\n# sizeof(struct x)\nexit ; btf_id(int)"
        ));
        // A kernel variable's VAR, not a type of the same name.
        let var = b.find("bpf_prog_active", 14).unwrap();
        assert_eq!(
            resolve_btf_names("ld_pseudo r1, 3, btf_id(var bpf_prog_active)\n", &b).unwrap(),
            format!("ld_pseudo r1, 3, {var}\n")
        );
        assert!(resolve_btf_names("r1 = btf_id(var sk_buff)\n", &b).is_err());
    }

    #[test]
    fn unknown_types_members_and_bitfields_are_diagnosed_at_their_place() {
        let b = kernel();
        let src = "r2 = btf_id(struct nope)\nr3 = offsetof(struct sk_buff, nope)\nr4 = offsetof(struct sk_buff, flag)\nr5 = offsetof(struct sk_buff)\nr6 = sizeof(struct sk_buff";
        let errs = resolve_btf_names(src, &b).unwrap_err();
        let msgs: Vec<_> = errs.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(errs.len(), 5, "{msgs:?}");
        assert!(msgs[0].contains("no struct nope"), "{msgs:?}");
        assert!(msgs[1].contains("no member `nope`"), "{msgs:?}");
        assert!(msgs[2].contains("bitfield"), "{msgs:?}");
        assert!(msgs[3].contains("takes a type and a member"), "{msgs:?}");
        assert!(msgs[4].contains("closing"), "{msgs:?}");
        assert_eq!(errs[0].line_col(src), Some((1, 6)));
        assert_eq!(errs[1].line_col(src), Some((2, 6)));
    }
}
