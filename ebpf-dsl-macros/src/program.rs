//! `defprogram!`: parse the declaration, assemble the body with `ebpf_dsl::asm` (the same code
//! as the text assembler), run the checks and the verifier, and expand to a `const`
//! [`ebpf_dsl::ProgramSpec`].

use ebpf_dsl::asm::{self, Assembled, Diagnostic};
use ebpf_dsl::ir::ExternField;
use ebpf_dsl::verifier::{self, VerifyInput};
use ebpf_dsl::{Insn, MapSpec, MapType, ProgramType, RelocKind, Relocation};
use proc_macro2::extra::DelimSpan;
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitStr, Token, Visibility};

use crate::errors::Errors;
use crate::names;
use crate::text::Source;

/// Everything one `defprogram!` invocation declares.
pub struct ProgDecls(pub Vec<ProgDecl>);

impl Parse for ProgDecls {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut decls = Vec::new();
        while !input.is_empty() {
            decls.push(input.parse()?);
        }
        Ok(ProgDecls(decls))
    }
}

/// `#[attrs] vis NAME: prog_type(option = value, ...) { body }`
#[derive(Clone)]
pub struct ProgDecl {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    prog_type: Ident,
    options: Vec<(Ident, OptValue)>,
    body: TokenStream,
    body_span: DelimSpan,
}

#[derive(Clone)]
enum OptValue {
    Str(LitStr),
    Ident(Ident),
    Other(TokenStream),
}

impl OptValue {
    fn tokens(&self) -> TokenStream {
        match self {
            OptValue::Str(s) => quote!(#s),
            OptValue::Ident(i) => quote!(#i),
            OptValue::Other(t) => t.clone(),
        }
    }
}

/// The options `defprogram!` understands.
const OPTIONS: &[&str] = &["license", "name", "verify"];

impl Parse for ProgDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `:` and the program type after the program's name, as in \
                 `PASS: xdp { r0 = XDP_PASS; exit; }`",
            )
        })?;
        let prog_type: Ident = input.parse()?;
        let mut options = Vec::new();
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            while !content.is_empty() {
                let key: Ident = content.parse()?;
                content.parse::<Token![=]>()?;
                let value = if content.peek(LitStr) {
                    OptValue::Str(content.parse()?)
                } else if content.peek(Ident)
                    && (content.peek2(Token![,]) || {
                        let f = content.fork();
                        let _: Ident = f.parse()?;
                        f.is_empty()
                    })
                {
                    OptValue::Ident(content.parse()?)
                } else {
                    let mut ts = TokenStream::new();
                    while !content.is_empty() && !content.peek(Token![,]) {
                        let tt: TokenTree = content.parse()?;
                        ts.extend([tt]);
                    }
                    OptValue::Other(ts)
                };
                options.push((key, value));
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
        }
        if !input.peek(syn::token::Brace) {
            return Err(
                input.error("expected the program body in braces: `{ r0 = XDP_PASS; exit; }`")
            );
        }
        let body;
        let brace = syn::braced!(body in input);
        let body: TokenStream = body.parse()?;
        Ok(ProgDecl {
            attrs,
            vis,
            ident,
            prog_type,
            options,
            body,
            body_span: brace.span,
        })
    }
}

/// How much checking `defprogram!` does beyond assembling.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Verify {
    /// The assembler's structural checks and the static verifier (the default).
    Full,
    /// Only the structural checks (`verify = structural`): for programs the kernel accepts but
    /// the static verifier cannot prove safe.
    Structural,
}

/// What `defmap!` told about the maps a program references (through the hidden facts macros):
/// by Rust item name.
#[derive(Clone, Default)]
pub struct Facts {
    maps: Vec<(String, MapFacts)>,
    tokens: TokenStream,
}

/// One map's facts; `None` where only rustc knows the value (`size_of::<T>()`, a `const`).
#[derive(Clone)]
struct MapFacts {
    map_type: Option<MapType>,
    key_size: Option<u32>,
    value_size: Option<u32>,
    max_entries: Option<u32>,
    flags: Option<u32>,
    name: String,
}

impl Facts {
    /// Parses `(NAME map_type key value max flags "name") ...` (`_` for unknown numbers).
    pub fn parse(tokens: TokenStream) -> syn::Result<Facts> {
        let mut maps = Vec::new();
        for tt in tokens.clone() {
            let TokenTree::Group(g) = tt else {
                return Err(syn::Error::new(tt.span(), "malformed map facts"));
            };
            let parts: Vec<TokenTree> = g.stream().into_iter().collect();
            let [TokenTree::Ident(rust), TokenTree::Ident(ty), k, v, m, f, TokenTree::Literal(name)] =
                parts.as_slice()
            else {
                return Err(syn::Error::new(g.span(), "malformed map facts"));
            };
            let num = |t: &TokenTree| t.to_string().parse::<u32>().ok();
            let name = syn::parse2::<LitStr>(name.to_token_stream())?.value();
            maps.push((
                rust.to_string(),
                MapFacts {
                    map_type: MapType::from_name(&ty.to_string()),
                    key_size: num(k),
                    value_size: num(v),
                    max_entries: num(m),
                    flags: num(f),
                    name,
                },
            ));
        }
        Ok(Facts { maps, tokens })
    }

    fn get(&self, rust_name: &str) -> Option<&MapFacts> {
        self.maps
            .iter()
            .find(|(n, _)| n == rust_name)
            .map(|(_, f)| f)
    }

    fn spec(&self, rust_name: &str) -> Option<MapSpec> {
        let f = self.get(rust_name)?;
        Some(MapSpec {
            // The relocations of the assembled text name maps by their Rust names.
            name: rust_name.to_string().into(),
            map_type: f.map_type?,
            key_size: f.key_size?,
            value_size: f.value_size?,
            max_entries: f.max_entries?,
            flags: f.flags?,
        })
    }
}

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
            let probe = quote_spanned! {missing.span()=>
                const _: &::ebpf_dsl::MapSpec = &#missing;
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

/// The first map the program references (with `verify = full`) whose facts are not known yet.
fn missing_facts(decl: &ProgDecl, facts: &Facts) -> Option<Ident> {
    let structural = decl
        .options
        .iter()
        .any(|(k, v)| k == "verify" && matches!(v, OptValue::Ident(i) if i == "structural"));
    if structural {
        return None;
    }
    let mut scratch = Errors::new();
    let src = Source::from_tokens(decl.body.clone(), decl.body_span.close(), &mut scratch);
    let a = assemble(&src, &decl.ident, &decl.body_span, &mut scratch)?;
    a.relocations.iter().find_map(|r| {
        let sym = r.symbol.to_string();
        if facts.get(&sym).is_some() {
            None
        } else {
            Some(map_ident(&src, &a, r.insn_index, &sym))
        }
    })
}

fn expand_one(decl: ProgDecl, facts: &Facts) -> TokenStream {
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
                     name = \"...\", verify = full | structural"
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
    }
    let mut skipped_warning = TokenStream::new();
    if let (Some(a), Verify::Full, Some(pt)) = (&assembled, verify, pt) {
        match run_verifier(a, pt, &license.0, facts, &src, &body_span, &mut errors) {
            Verified::Passed => {}
            Verified::Rejected => assembled = None,
            Verified::Skipped(why, span) => {
                skipped_warning = warning(&format!("{ident}: {why}"), span);
            }
        }
    }

    let mut consts = TokenStream::new();
    let mut insns_ts = Vec::new();
    let mut relocs_ts = Vec::new();
    let mut map_idents: Vec<Ident> = Vec::new();
    if let Some(a) = &assembled {
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
        // reported alongside the assembler's errors.
        for m in mentioned_maps(&src) {
            if !map_idents.contains(&m) {
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
            const MAPS: &[::ebpf_dsl::MapSpec] = &[#(#map_idents),*];
            ::ebpf_dsl::ProgramSpec {
                name: ::std::borrow::Cow::Borrowed(#name),
                prog_type: #variant,
                license: ::std::borrow::Cow::Borrowed(#license),
                insns: ::std::borrow::Cow::Borrowed(INSNS),
                relocations: ::std::borrow::Cow::Borrowed(RELOCATIONS),
                maps: ::std::borrow::Cow::Borrowed(MAPS),
            }
        };
    }
}

/// One slot as a `const` expression; `off` / `imm` replace the fields filled by rustc.
fn insn_tokens(insn: &Insn, off: Option<TokenStream>, imm: Option<TokenStream>) -> TokenStream {
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

/// Runs the assembler on the rebuilt text; reports every diagnostic on its tokens.
fn assemble(
    src: &Source,
    ident: &Ident,
    body_span: &DelimSpan,
    errors: &mut Errors,
) -> Option<Assembled> {
    let report = |d: &Diagnostic, slot_spans: &[Option<ebpf_dsl::Span>], errors: &mut Errors| {
        let mut d = asm::refine(&src.text, d.clone());
        // Inside the macro only `;` ends a statement (it sees no newlines).
        d.message = d.message.replace("a newline or `;`", "`;`");
        if d.kind == asm::DiagKind::UnknownName || d.message.contains("neither a kernel helper") {
            if let Some(word) = d.span.and_then(|s| src.text.get(s.start..s.end)) {
                let helpers = ebpf_dsl::helpers::HELPERS.iter().map(|h| h.name);
                let consts = ebpf_dsl::consts::CONSTS.iter().map(|c| c.name);
                if let Some(best) = names::closest(word, helpers.chain(consts)) {
                    d.message.push_str(&format!("; did you mean `{best}`?"));
                }
            }
        }
        let span = d.span.or_else(|| {
            d.insn_index
                .and_then(|i| slot_spans.get(i).copied().flatten())
        });
        match span.and_then(|s| src.spans(s.start, s.end)) {
            Some((first, last)) => errors.range(first, last, &d.message),
            None => match span {
                // A span at the very end of the text: the end of the body.
                Some(_) => errors.at(src.end_span, &d.message),
                None => errors.range(
                    body_span.open(),
                    body_span.close(),
                    format!("program `{ident}`: {}", d.message),
                ),
            },
        }
    };
    let items = match asm::parse(&src.text) {
        Ok(items) => items,
        Err(diags) => {
            for d in &diags {
                report(d, &[], errors);
            }
            return None;
        }
    };
    let assembled = match asm::resolve(&items) {
        Ok(a) => a,
        Err(diags) => {
            for d in &diags {
                report(d, &[], errors);
            }
            return None;
        }
    };
    let diags = asm::check(&assembled);
    for d in &diags {
        report(d, &assembled.slot_spans, errors);
    }
    if diags.is_empty() {
        Some(assembled)
    } else {
        None
    }
}

/// The Rust identifier naming the map of the relocation at `insn_index`: the token spelling
/// `symbol` inside that instruction's source (so rustc's errors point at it).
fn map_ident(src: &Source, a: &Assembled, insn_index: usize, symbol: &str) -> Ident {
    let span = a.slot_spans.get(insn_index).copied().flatten();
    let found = span.and_then(|s| {
        src.toks
            .iter()
            .filter(|t| t.start >= s.start && t.end <= s.end)
            .find(|t| &src.text[t.start..t.end] == symbol)
            .or_else(|| {
                src.toks
                    .iter()
                    .find(|t| &src.text[t.start..t.end] == symbol)
            })
            .map(|t| t.span)
    });
    let found = found.or_else(|| {
        src.toks
            .iter()
            .find(|t| &src.text[t.start..t.end] == symbol)
            .map(|t| t.span)
    });
    Ident::new(symbol, found.unwrap_or_else(Span::call_site))
}

fn is_register(s: &str) -> bool {
    let num = s.strip_prefix('r').or_else(|| s.strip_prefix('w'));
    num.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Identifiers written as `NAME ll` (map loads), for the fallback expansion.
fn mentioned_maps(src: &Source) -> Vec<Ident> {
    let mut out = Vec::new();
    for w in src.toks.windows(2) {
        let (a, b) = (&w[0], &w[1]);
        let at = &src.text[a.start..a.end];
        if &src.text[b.start..b.end] == "ll"
            && at
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && !is_register(at)
            && at.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && ebpf_dsl::consts::CONSTS.iter().all(|c| c.name != at)
        {
            out.push(Ident::new(at, a.span));
        }
    }
    out
}

/// Runs the static verifier on an assembled program with the facts of its maps; reports each
/// rejection on the instruction's tokens. Returns false if it rejected the program.
///
/// It is skipped (returning true) when the program's instructions are not all known here: an
/// interpolated `{ value }` (rustc computes it later) or a map whose sizes only rustc knows
/// (`key = MyStruct`, `max_entries = SOME_CONST`).
fn run_verifier(
    a: &Assembled,
    prog_type: ProgramType,
    license: &str,
    facts: &Facts,
    src: &Source,
    body_span: &DelimSpan,
    errors: &mut Errors,
) -> Verified {
    const HOW: &str = "the kernel's verifier still judges it at load time; write \
                       `verify = structural` to say that this is intended";
    // Interpolated values the macro can evaluate itself (`{ 8 * 2 }`, `{ -8 }`) are patched
    // in; any other keeps the verifier from running.
    let mut insns = a.insns.clone();
    let unknown = a.externs.iter().find(|ext| {
        let value = ext
            .span
            .and_then(|s| src.group_at(s.start, s.end, &ext.name))
            .and_then(|g| syn::parse2::<syn::Expr>(g.expr.clone()).ok())
            .and_then(|e| crate::consteval::eval(&e));
        let Some(v) = value else { return true };
        let i = ext.insn_index;
        match ext.field {
            ExternField::Imm32 if (i32::MIN as i128..=u32::MAX as i128).contains(&v) => {
                insns[i].imm = v as i32;
            }
            ExternField::Off16 if (i16::MIN as i128..=i16::MAX as i128).contains(&v) => {
                insns[i].off = v as i16;
            }
            ExternField::Imm64
                if (i64::MIN as i128..=u64::MAX as i128).contains(&v) && i + 1 < insns.len() =>
            {
                insns[i].imm = v as u64 as u32 as i32;
                insns[i + 1].imm = ((v as u64) >> 32) as u32 as i32;
            }
            // Out of range: the expansion's assertion reports it.
            _ => return true,
        }
        false
    });
    if let Some(ext) = unknown {
        let span = ext
            .span
            .and_then(|s| src.group_at(s.start, s.end, &ext.name))
            .map_or(body_span.open(), |g| g.span);
        return Verified::Skipped(
            format!(
                "the static verifier did not run: the interpolated value `{{ {} }}` is computed \
                 by rustc after the macro has run; {HOW}",
                ext.name
            ),
            span,
        );
    }
    let mut maps = Vec::new();
    for r in &a.relocations {
        let sym = r.symbol.to_string();
        if maps.iter().any(|m: &MapSpec| m.name == sym) {
            continue;
        }
        match facts.spec(&sym) {
            Some(spec) => maps.push(spec),
            None => {
                let f = facts.get(&sym);
                let what = match f {
                    Some(f) if f.key_size.is_none() => "key size",
                    Some(f) if f.value_size.is_none() => "value size",
                    Some(f) if f.max_entries.is_none() => "max_entries",
                    Some(f) if f.flags.is_none() => "flags",
                    _ => "type",
                };
                return Verified::Skipped(
                    format!(
                        "the static verifier did not run: the {what} of map `{sym}` is computed \
                         by rustc (a type or a const), after the macro has run; give the size as a \
                         literal in `defmap!` too (e.g. `key = FlowKey, key_size = 12`) to have \
                         the program verified, or accept that {HOW}"
                    ),
                    map_ident(src, a, r.insn_index, &sym).span(),
                );
            }
        }
    }
    let relocations: Vec<Relocation> = a.relocations.clone();
    let input = VerifyInput {
        insns: &insns,
        prog_type,
        relocations: &relocations,
        maps: &maps,
        license,
    };
    match verifier::verify(&input) {
        Ok(_) => Verified::Passed,
        Err(errs) => {
            for e in errs {
                let hint = if e.rule == verifier::Rule::Unsupported {
                    "; if the kernel accepts this program, skip the static verifier with \
                     `verify = structural`"
                } else {
                    ""
                };
                let msg = format!("{} [verifier: {}]{hint}", e.message, e.rule.name());
                let span = a.slot_spans.get(e.insn_index).copied().flatten();
                match span.and_then(|s| src.spans(s.start, s.end)) {
                    Some((first, last)) => errors.range(first, last, msg),
                    None => errors.range(body_span.open(), body_span.close(), msg),
                }
            }
            Verified::Rejected
        }
    }
}

/// What became of the static verification.
enum Verified {
    Passed,
    Rejected,
    /// Not run: why, and the token responsible.
    Skipped(String, Span),
}

/// A compiler warning on stable Rust: the use of a `#[deprecated]` item, with the note as the
/// message, at `span`.
fn warning(msg: &str, span: Span) -> TokenStream {
    let use_it = quote_spanned!(span=> const _: () = __EBPF_DSL_WARNING;);
    quote! {
        #[deprecated(note = #msg)]
        const __EBPF_DSL_WARNING: () = ();
        #use_it
    }
}

/// Two referenced maps with the same kernel-visible name would be indistinguishable to the
/// loader, which matches relocations to maps by that name.
fn check_kernel_names(a: &Assembled, facts: &Facts, src: &Source, errors: &mut Errors) {
    let mut seen: Vec<(String, String)> = Vec::new();
    for r in &a.relocations {
        let rust = r.symbol.to_string();
        let Some(f) = facts.get(&rust) else { continue };
        if seen.iter().any(|(r2, _)| *r2 == rust) {
            continue;
        }
        if let Some((other, _)) = seen.iter().find(|(_, n)| *n == f.name) {
            let at = map_ident(src, a, r.insn_index, &rust);
            errors.spanned(
                &at,
                format!(
                    "maps `{other}` and `{rust}` have the same kernel name `{}`; the loader finds \
                     a program's maps by that name: give one of them another `name = \"...\"`",
                    f.name
                ),
            );
        }
        seen.push((rust, f.name.clone()));
    }
}
