//! `defprogram!`: parse the declaration, assemble the body with `ebpf_dsl::asm` (the same code
//! as the text assembler), run the checks and the verifier, and expand to a `const`
//! [`ebpf_dsl::ProgramSpec`].

use crate::errors::Errors;
use crate::names;
use crate::text::Source;
use ebpf_dsl::asm::{self, Assembled, Diagnostic};
use ebpf_dsl::ir::ExternField;
use ebpf_dsl::verifier::{self, VerifyInput};
use ebpf_dsl::{Insn, MapSpec, MapType, ProgramType, RelocKind, Relocation};
use proc_macro2::extra::DelimSpan;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

mod assemble;
mod facts;
mod parse;
mod verify;

pub(crate) use self::facts::Facts;
pub(crate) use self::parse::ProgDecls;
use self::{assemble::*, facts::*, parse::*, verify::*};

/// Expands one `defprogram!` invocation, given the map facts gathered so far. When the
/// verifier needs the facts of a map it has not seen yet, the expansion is a call of that
/// map's facts macro (`MAP! { {facts} input }`), which calls `__defprogram_with_facts!` back.
pub fn expand(input: TokenStream, facts: Facts) -> TokenStream {
    let decls = match syn::parse2::<ProgDecls>(input.clone()) {
        Ok(d) => d,
        Err(e) => return e.to_compile_error(),
    };
    for decl in &decls.0 {
        if let Some(missing) = missing_facts(decl, &facts) {
            let known = &facts.tokens;
            // The probe makes rustc say what is wrong with the name first ("cannot find value",
            // "expected `MapSpec`") when it is no `defmap!` map of this crate.
            // A run-time context (a closure), so that a `MapDef` coerces by `Deref`.
            let probe = quote_spanned! {missing.span()=>
                const _: fn(&'static ::ebpf_dsl::MapSpec) = |p| {
                    let mut _p: [&'static ::ebpf_dsl::MapSpec; 1] = [p];
                    _p = [&#missing];
                };
            };
            return quote! {
                #probe
                #missing! { { #known } #input }
            };
        }
    }
    let mut out = TokenStream::new();
    for decl in decls.0 {
        out.extend(expand_one(decl, &facts));
    }
    out
}

/// `__defprogram_with_facts!`: `{ facts } input`.
pub fn expand_with_facts(input: TokenStream) -> TokenStream {
    let mut iter = input.into_iter();
    let Some(TokenTree::Group(facts)) = iter.next() else {
        return quote!(::core::compile_error!(
            "__defprogram_with_facts! is internal to defprogram!"
        ););
    };
    match Facts::parse(facts.stream()) {
        Ok(f) => expand(iter.collect(), f),
        Err(e) => e.to_compile_error(),
    }
}

pub(crate) fn expand_one(decl: ProgDecl, facts: &Facts) -> TokenStream {
    let mut errors = Errors::new();
    let ProgDecl {
        attrs,
        vis,
        ident,
        prog_type,
        options,
        body,
        body_span,
    } = decl;

    let pt = ProgramType::from_name(&prog_type.to_string());
    if pt.is_none() {
        let known: Vec<&str> = ProgramType::ALL.iter().map(|t| t.name()).collect();
        let hint = names::closest(&prog_type.to_string(), known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        errors.spanned(
            &prog_type,
            format!(
                "unknown program type `{prog_type}`; {hint}known types: {}",
                known.join(", ")
            ),
        );
    }

    let mut license = ("GPL".to_string(), Span::call_site());
    let mut name = (ident.to_string().to_ascii_lowercase(), ident.span(), false);
    let mut verify = Verify::Full;
    let mut kernel = ebpf_dsl::verifier::KernelVersion::DEFAULT;
    let mut strict_alignment = false;
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in &options {
        let k = key.to_string();
        if !OPTIONS.contains(&k.as_str()) {
            let hint = names::closest(&k, OPTIONS.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            errors.spanned(
                key,
                format!(
                    "unknown program option `{k}`; {hint}the options are: license = \"GPL\", \
                     name = \"...\", verify = full | structural, kernel = \"6.12\", \
                     alignment = strict | default"
                ),
            );
            continue;
        }
        if seen.contains(&k) {
            errors.spanned(
                key,
                format!("duplicate option `{k}`: each option may be given once"),
            );
            continue;
        }
        seen.push(k.clone());
        match (k.as_str(), value) {
            ("license", OptValue::Str(s)) => {
                license = (s.value(), s.span());
                if s.value().contains('\0') {
                    errors.spanned(s, "the license string cannot contain a NUL byte");
                }
            }
            ("name", OptValue::Str(s)) => name = (s.value(), s.span(), true),
            ("kernel", OptValue::Str(s)) => {
                match ebpf_dsl::verifier::KernelVersion::parse(&s.value()) {
                    // An older target than the oldest supported one: the reason and a hint.
                    Some(v) => match v.check_supported() {
                        Ok(()) => kernel = v,
                        Err(why) => errors.spanned(s, why),
                    },
                    None => errors.spanned(
                        s,
                        "`kernel` is the oldest kernel version the program must load on, e.g. \
                     `kernel = \"6.12\"` (a stable line as audited: default 6.6, 6.1 at the \
                     oldest) or a release such as `kernel = \"6.1.130\"`: the static verifier \
                     then assumes what that version's verifier proves",
                    ),
                }
            }
            ("alignment", OptValue::Ident(i)) if i == "strict" => strict_alignment = true,
            ("alignment", OptValue::Ident(i)) if i == "default" => strict_alignment = false,
            ("alignment", v) => errors.spanned(
                v.tokens(),
                "`alignment` is `default` (the kernel's on x86-64 and arm64: only stack \
                 accesses and atomics must be aligned) or `strict` (verify as a load with \
                 BPF_F_STRICT_ALIGNMENT: every load and store aligned to its size, packet \
                 pointers counting NET_IP_ALIGN = 2)",
            ),
            ("verify", OptValue::Ident(i)) if i == "full" => verify = Verify::Full,
            ("verify", OptValue::Ident(i)) if i == "structural" => verify = Verify::Structural,
            ("verify", v) => errors.spanned(
                v.tokens(),
                "`verify` is `full` (the default: structural checks and the static verifier) or \
                 `structural` (skip the static verifier, for a program the kernel accepts but it \
                 cannot prove)",
            ),
            (_, v) => errors.spanned(
                v.tokens(),
                format!("`{k}` takes a string literal, e.g. `{k} = \"...\"`"),
            ),
        }
    }
    let _ = license.1;
    if let Err(msg) = names::check_obj_name(&name.0) {
        let how = if name.2 {
            String::new()
        } else {
            " (the default name is the item's name in lower case); give a valid one with \
             `name = \"...\"`"
                .to_string()
        };
        errors.at(name.1, format!("program name `{}`: {msg}{how}", name.0));
    }

    // Assemble.
    let src = Source::from_tokens(body, body_span.close(), &mut errors);
    let mut assembled = assemble(&src, &ident, &body_span, &mut errors);
    if let Some(a) = &assembled {
        check_kernel_names(a, facts, &src, &mut errors);
        if let Some(g) = a.globals.first() {
            // A `ProgramSpec` carries no prototypes: its loader makes every function static.
            errors.at(
                body_span.open(),
                format!(
                    "`.global_func {}`: a defprogram! program is loaded with every function \
                     static (a ProgramSpec carries no prototypes); declare global functions in \
                     a text program, loaded with `LoadOptions::globals`",
                    g.name
                ),
            );
            assembled = None;
        }
    }
    let mut skipped_warning = TokenStream::new();
    if let (Some(a), Verify::Full, Some(pt)) = (&assembled, verify, pt) {
        match run_verifier(
            a,
            pt,
            &license.0,
            kernel,
            strict_alignment,
            facts,
            &src,
            &body_span,
            &mut errors,
        ) {
            Verified::Passed => {}
            Verified::Rejected => assembled = None,
            Verified::Skipped(why, span) => {
                skipped_warning = warning(&why, span);
            }
        }
    }

    let mut consts = TokenStream::new();
    let mut insns_ts = Vec::new();
    let mut relocs_ts = Vec::new();
    let mut map_idents: Vec<Ident> = Vec::new();
    let mut lines_ts = Vec::new();
    if let Some(a) = &assembled {
        lines_ts = source_lines(&src, a);
        // Map references: the Rust items, resolved by rustc.
        for r in &a.relocations {
            let sym = r.symbol.to_string();
            let map = map_ident(&src, a, r.insn_index, &sym);
            let k = match map_idents.iter().position(|m| *m == sym) {
                Some(k) => k,
                None => {
                    map_idents.push(map);
                    map_idents.len() - 1
                }
            };
            let idx = r.insn_index;
            let kind = match r.kind {
                RelocKind::MapFd => quote!(::ebpf_dsl::RelocKind::MapFd),
                RelocKind::MapValue { offset } => {
                    quote!(::ebpf_dsl::RelocKind::MapValue { offset: #offset })
                }
            };
            relocs_ts.push(quote! {
                ::ebpf_dsl::Relocation {
                    insn_index: #idx,
                    symbol: ::std::borrow::Cow::Borrowed(MAPS[#k].name_str()),
                    kind: #kind,
                }
            });
        }
        // Interpolated values: rustc evaluates them, and checks their range.
        let mut fields: Vec<[Option<TokenStream>; 2]> = vec![[None, None]; a.insns.len()];
        for (n, ext) in a.externs.iter().enumerate() {
            let span = ext
                .span
                .or_else(|| a.slot_spans.get(ext.insn_index).copied().flatten());
            let Some(group) = span
                .and_then(|s| src.group_at(s.start, s.end, &ext.name))
                .cloned()
            else {
                errors.spanned(
                    &ident,
                    format!("interpolated value `{}`: no source", ext.name),
                );
                continue;
            };
            let c = format_ident!("__EBPF_DSL_EXTERN_{}", n);
            let expr = group.expr.clone();
            let gs = group.span;
            let (lo, hi, what) = match ext.field {
                ExternField::Imm32 => (
                    i32::MIN as i128,
                    u32::MAX as i128,
                    "a 32-bit immediate (-2^31 ..= 2^32-1; values above 2^31-1 are stored as \
                     their two's complement, as LLVM does)",
                ),
                ExternField::Off16 => (
                    i16::MIN as i128,
                    i16::MAX as i128,
                    "a 16-bit signed offset (-32768 ..= 32767)",
                ),
                ExternField::Imm64 => (
                    i64::MIN as i128,
                    u64::MAX as i128,
                    "a 64-bit constant (-2^63 ..= 2^64-1)",
                ),
            };
            let text = expr.to_string();
            let msg = format!("the interpolated value `{{ {text} }}` does not fit {what}");
            // `assert!` reads its message as a format string.
            let msg = msg.replace('{', "{{").replace('}', "}}");
            consts.extend(quote_spanned! {gs=>
                #[allow(non_upper_case_globals, clippy::unnecessary_cast)]
                const #c: i128 = (#expr) as i128;
                const _: () = ::core::assert!(#c >= #lo && #c <= #hi, #msg);
            });
            let i = ext.insn_index;
            // The assembler's checks on a literal divisor or shift amount, for a value only
            // rustc knows.
            if let (ExternField::Imm32, Some(insn)) = (ext.field, a.insns.get(i)) {
                consts.extend(operand_assertion(insn, &c, &text, gs));
            }
            match ext.field {
                ExternField::Imm32 => {
                    if let Some(f) = fields.get_mut(i) {
                        f[1] = Some(quote!(#c as i32));
                    }
                }
                ExternField::Off16 => {
                    if let Some(f) = fields.get_mut(i) {
                        f[0] = Some(quote!(#c as i16));
                    }
                }
                ExternField::Imm64 => {
                    if let Some(f) = fields.get_mut(i) {
                        f[1] = Some(quote!(#c as u64 as u32 as i32));
                    }
                    if let Some(f) = fields.get_mut(i + 1) {
                        f[1] = Some(quote!((#c as u64 >> 32) as u32 as i32));
                    }
                }
            }
        }
        for (insn, [off, imm]) in a.insns.iter().zip(fields) {
            insns_ts.push(insn_tokens(insn, off, imm));
        }
    } else {
        // Still name the maps the body mentions in `ld_imm64`, so that an unknown map item is
        // reported alongside the assembler's errors. rustc stops before name resolution once a
        // macro has emitted `compile_error!`, so the `const` alone would not do it: each map's
        // facts macro is also invoked with nothing to expand (a `defmap!` map's expands to
        // nothing), and an unknown name fails macro resolution, which rustc still reports.
        for m in mentioned_maps(&src) {
            if !map_idents.contains(&m) {
                skipped_warning.extend(quote_spanned!(m.span()=> #m! { {} }));
                map_idents.push(m);
            }
        }
    }

    let errs = errors.to_compile_errors();
    let variant = pt
        .map(|t| {
            let v = Ident::new(&format!("{t:?}"), prog_type.span());
            quote!(::ebpf_dsl::ProgramType::#v)
        })
        .unwrap_or_else(|| quote!(::ebpf_dsl::ProgramType::Xdp));
    let name = &name.0;
    let license = &license.0;
    if !errors.is_empty() {
        insns_ts.clear();
        relocs_ts.clear();
        lines_ts.clear();
        consts = TokenStream::new();
    }
    quote! {
        #errs
        #(#attrs)*
        #vis const #ident: ::ebpf_dsl::ProgramSpec = {
            #skipped_warning
            #consts
            const INSNS: &[::ebpf_dsl::Insn] = &[#(#insns_ts),*];
            const RELOCATIONS: &[::ebpf_dsl::Relocation] = &[#(#relocs_ts),*];
            const MAPS: &[::ebpf_dsl::MapSpec] = &[#(#map_idents.to_spec()),*];
            const LINES: &[::ebpf_dsl::btf::SourceLine] = &[#(#lines_ts),*];
            ::ebpf_dsl::ProgramSpec {
                name: ::std::borrow::Cow::Borrowed(#name),
                prog_type: #variant,
                license: ::std::borrow::Cow::Borrowed(#license),
                insns: ::std::borrow::Cow::Borrowed(INSNS),
                relocations: ::std::borrow::Cow::Borrowed(RELOCATIONS),
                maps: ::std::borrow::Cow::Borrowed(MAPS),
                lines: ::std::borrow::Cow::Borrowed(LINES),
            }
        };
    }
}

/// Each slot's Rust line (its first token's), column and source text, as `SourceLine`s; the
/// file is `file!()` at the invocation.
fn source_lines(src: &Source, a: &Assembled) -> Vec<TokenStream> {
    let mut out = Vec::new();
    for (i, span) in a.slot_spans.iter().enumerate() {
        let Some(span) = span else { continue };
        let Some((first, _)) = src.spans(span.start, span.end) else {
            continue;
        };
        let at = first.start();
        let (line, col) = (at.line as u32, at.column as u32 + 1);
        let text = src.text.get(span.start..span.end).unwrap_or("").trim();
        let insn = i as u32;
        out.push(quote! {
            ::ebpf_dsl::btf::SourceLine {
                insn: #insn,
                file: ::std::borrow::Cow::Borrowed(::core::file!()),
                line: #line,
                col: #col,
                text: ::std::borrow::Cow::Borrowed(#text),
            }
        });
    }
    out
}

/// For an interpolated immediate of `insn`: the `const` assertion of the check the assembler
/// makes on a literal — a divisor is not 0 (the kernel: `div by zero`), a shift amount is
/// below the operand width (`invalid shift`).
fn operand_assertion(insn: &Insn, c: &Ident, text: &str, span: Span) -> TokenStream {
    use ebpf_dsl::insn::{AluOp, Class};
    let class = insn.class();
    if !matches!(class, Class::Alu | Class::Alu64) || insn.code & 0x08 != 0 {
        return TokenStream::new();
    }
    let width: i128 = if class == Class::Alu64 { 64 } else { 32 };
    let (cond, msg) =
        match AluOp::from_code(insn.code) {
            Some(op @ (AluOp::Div | AluOp::Mod)) => (
                quote!(#c != 0),
                format!(
                "the interpolated value `{{ {text} }}` is 0: {} by the constant 0 is rejected by \
                 the kernel (`div by zero`); divide by a register to get eBPF's defined result 0",
                if op == AluOp::Div { "division" } else { "modulo" }
            ),
            ),
            Some(AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) => (
                quote!(#c >= 0 && #c < #width),
                format!(
                    "the interpolated value `{{ {text} }}` is out of range for a shift of a \
                 {width}-bit operand (0 to {}); the kernel rejects it as `invalid shift`",
                    width - 1
                ),
            ),
            _ => return TokenStream::new(),
        };
    let msg = msg.replace('{', "{{").replace('}', "}}");
    quote_spanned! {span=>
        const _: () = ::core::assert!(#cond, #msg);
    }
}

/// One slot as a `const` expression; `off` / `imm` replace the fields filled by rustc.
pub(crate) fn insn_tokens(
    insn: &Insn,
    off: Option<TokenStream>,
    imm: Option<TokenStream>,
) -> TokenStream {
    let code = insn.code;
    let regs = insn.regs;
    let off = off.unwrap_or_else(|| {
        let o = insn.off;
        quote!(#o)
    });
    let imm = imm.unwrap_or_else(|| {
        let i = insn.imm;
        quote!(#i)
    });
    quote!(::ebpf_dsl::Insn { code: #code, regs: #regs, off: #off, imm: #imm })
}
