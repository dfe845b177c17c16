//! The assembler: LLVM / kernel pseudo-C assembly text to eBPF instructions.
//!
//! Stages, each its own module (as in dynasm-rs): [`lexer`] (text to tokens with spans),
//! [`parser`] (tokens to symbolic [`Item`](crate::ir::Item)s, one file per construct; see its
//! docs for the grammar and our extensions),
//! [`resolve()`] (items to instruction slots: labels to distances, map names to relocations),
//! [`check()`] (structural checks mirroring the kernel verifier's early rejections), and
//! [`diag`] (errors with spans, rendered like a compiler's).
//!
//! Three directives describe the program rather than its code: `.map` declares a map
//! ([`mapdecl`]), `.section NAME` names the program's ELF section ([`section`]: `xdp.frags`,
//! `xdp/devmap`, ... with the load flags and expected attach type they imply), and
//! `.global_func NAME(ARGS)` makes a function global, verified once from its argument types
//! ([`globaldecl`]).
//!
//! The functions here return the detailed [`Diagnostic`]s; [`crate::assemble`] is
//! [`assemble()`] with the crate's one error type, [`crate::Error`] (which `?` also converts
//! `Vec<Diagnostic>` into).
//!
//! The `defprogram!` macro runs exactly this code at compile time; the builder API and the
//! snippets produce [`Item`](crate::ir::Item)s that go through the same [`resolve()`] and [`check()`].
//!
//! ```
//! let a = ebpf_dsl::asm::assemble("r0 = XDP_PASS\nexit").unwrap();
//! assert_eq!(a.insns.len(), 2);
//! assert_eq!(a.insns[0].imm, 2);
//! ```
//!
//! LLVM 19 (`llvm-mc-19 -triple bpfel -mcpu=v4`) is the reference: whatever it accepts and we
//! accept encodes to the same bytes (tested over the conformance corpus vendored in
//! `tests/data/bpf_conformance`). We are stricter where LLVM silently misbehaves: immediates
//! that do not fit 32 bits, `r11`, offsets beyond 16 bits.

use std::borrow::Cow;

pub mod btf_names;
pub mod check;
pub mod diag;
pub mod globaldecl;
pub mod lexer;
pub mod lines;
pub mod mapdecl;
pub mod parser;
pub mod resolve;
pub mod section;

pub use btf_names::{resolve_btf_names, uses_btf_names};
pub use check::check;
pub use diag::{render_all, DiagKind, Diagnostic, LineIndex, MAX_SHOWN};
pub use lines::text_lines;
pub use mapdecl::{
    check_inner, check_spin_lock, declared_maps, inner_map_text, map_directive, map_directive_init,
    parse_inner_map, parse_map_decl, parse_map_declaration, parse_map_flags,
};
pub use parser::parse;
pub use resolve::resolve;
pub use section::{parse_section_name, section_directive};

use crate::ir::{ExternField, Span};
use crate::isa::insn::Insn;
use crate::spec::{MapSpec, ProgramSpec, ProgramType, Relocation};

/// A field left at 0 by [`resolve()`] because an interpolated value (`{ NAME }` in the text,
/// [`crate::ir::ItemKind::Extern`]) gives it; the embedder (`defprogram!`) fills it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExternSlot {
    /// The slot (for [`ExternField::Imm64`], the first of the `ld_imm64` pair).
    pub insn_index: usize,
    /// Which field.
    pub field: ExternField,
    /// The text between the braces (a Rust expression for the macro).
    pub name: String,
    /// Where it is in the source.
    pub span: Option<Span>,
}

/// An assembled program: instruction slots plus what a loader or embedder must still fill.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Assembled {
    /// The slots, `ld_imm64` as two.
    pub insns: Vec<Insn>,
    /// Map references (`r1 = xsks ll`), to be patched with map fds at load time.
    pub relocations: Vec<Relocation>,
    /// Fields given by interpolated values.
    pub externs: Vec<ExternSlot>,
    /// Every label and the slot it names, in definition order.
    pub labels: Vec<(String, usize)>,
    /// The source span of each slot's statement (`None` for builder-made items).
    pub slot_spans: Vec<Option<Span>>,
    /// The maps the text declares with `.map` ([`mapdecl`]), in source order.
    pub maps: Vec<MapSpec>,
    /// The initial contents those declarations give (`init=HEX`), in source order: a loader
    /// writes them into the maps, `asm --elf` into the data sections.
    pub data: Vec<crate::spec::GlobalData>,
    /// The ELF section the text names with `.section NAME` ([`section`]; `None`: the plain
    /// section of the program type): it may carry load facts beyond the type (`xdp.frags`,
    /// `xdp/devmap`, ...).
    pub section: Option<String>,
    /// Where the values of the declared maps hold a `struct bpf_spin_lock` (`spin_lock=` in
    /// their `.map` declarations): what the verifier takes as `VerifyInput::spin_locks` and a
    /// loader describes in the maps' BTF (`elf::ObjectBtf::for_spin_locks`).
    pub spin_locks: Vec<crate::btf::MapSpinLock>,
    /// Where the values of the declared maps hold a `struct bpf_timer` (`timer=` in their
    /// `.map` declarations): what the verifier takes as `VerifyInput::timers` and a loader
    /// describes in the maps' BTF (`elf::ObjectBtf::for_specials`).
    pub timers: Vec<crate::btf::MapTimer>,
    /// The functions the text declares global with `.global_func` ([`globaldecl`]), at their
    /// labels: what the verifier takes as `VerifyInput::globals` and a loader writes into the
    /// program's BTF.
    pub globals: Vec<crate::btf::GlobalFunc>,
}

impl Assembled {
    /// The raw program bytes: 8 per slot, little endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        crate::isa::insn::to_bytes(&self.insns)
    }

    /// A [`ProgramSpec`] for the loader, with this program's instructions and relocations;
    /// its maps are `maps` and then the `.map` declarations ([`Assembled::maps`]) of names
    /// `maps` does not describe. The maps' initial contents ([`Assembled::data`]) are not
    /// part of a spec: take them first and give them to the loader (`Loader::data`) or to an
    /// object ([`crate::elf::Object::data`]).
    pub fn into_program_spec(
        self,
        name: impl Into<Cow<'static, str>>,
        prog_type: ProgramType,
        license: impl Into<Cow<'static, str>>,
        maps: Vec<MapSpec>,
    ) -> ProgramSpec {
        ProgramSpec {
            name: name.into(),
            prog_type,
            license: license.into(),
            insns: Cow::Owned(self.insns),
            relocations: Cow::Owned(self.relocations),
            maps: Cow::Owned({
                let mut maps = maps;
                for m in self.maps {
                    if !maps.iter().any(|o| o.name == m.name) {
                        maps.push(m);
                    }
                }
                maps
            }),
            lines: Default::default(),
        }
    }
}

/// Parses and resolves `src` without the structural checks: every instruction LLVM would
/// encode, encoded the same way (including shifts by out-of-range constants).
///
/// The one limit that still applies is the kernel's program size ([`crate::spec::MAX_INSNS`]):
/// no kernel loads a longer program.
pub fn assemble_unchecked(src: &str) -> Result<Assembled, Vec<Diagnostic>> {
    let mut resolver = resolve::Resolver::default();
    let errs = parser::parse_each(src, |item| resolver.push(item));
    if !errs.is_empty() {
        return Err(errs);
    }
    let (a, errs) = resolver.finish();
    if !errs.is_empty() {
        return Err(refine_all(src, errs));
    }
    match crate::spec::too_many_insns(a.insns.len()) {
        Some(msg) => Err(vec![Diagnostic::new(
            DiagKind::TooManyInstructions,
            None,
            msg,
        )]),
        None => Ok(a),
    }
}

/// Parses, resolves and checks `src`, reporting all errors at once. Interpolated `{ values }`
/// are errors here: only `defprogram!` can fill them.
///
/// Statements that fail to parse are left out and the rest still goes through resolve and
/// check; findings about control flow (which depend on every slot being there and every jump
/// resolved) are then dropped, as they could be consequences of the earlier errors.
pub fn assemble(src: &str) -> Result<Assembled, Vec<Diagnostic>> {
    // Items go to the resolver as they are parsed: memory stays near the size of the program,
    // not of a list of every token and item.
    let mut resolver = resolve::Resolver::default();
    let mut errs = parser::parse_each(src, |item| resolver.push(item));
    let parse_failed = !errs.is_empty();
    let (a, resolve_errs) = resolver.finish();
    let resolve_failed = !resolve_errs.is_empty();
    errs.extend(resolve_errs.into_iter().filter(|d| {
        // A jump distance is meaningless when statements are missing.
        !(parse_failed && d.kind == DiagKind::JumpRange)
    }));
    errs.extend(a.externs.iter().map(|e| {
        Diagnostic::new(
            DiagKind::UnresolvedExtern,
            e.span,
            format!(
                "unresolved value {{{}}}: only defprogram! can interpolate Rust constants",
                e.name
            ),
        )
        .at_insn(e.insn_index)
    }));
    let control_flow = |k: DiagKind| {
        matches!(
            k,
            DiagKind::FallOffEnd
                | DiagKind::JumpOutOfProgram
                | DiagKind::JumpIntoLdImm64
                | DiagKind::EmptyProgram
                | DiagKind::TooManyInstructions
        )
    };
    errs.extend(
        check(&a)
            .into_iter()
            .filter(|d| !((parse_failed || resolve_failed) && control_flow(d.kind))),
    );
    if errs.is_empty() {
        Ok(a)
    } else {
        let mut errs = refine_all(src, errs);
        errs.sort_by_key(|d| (d.span.map(|s| s.start), d.insn_index));
        Err(errs)
    }
}

/// The helper or named constant closest to `word`, if it is close enough to be a likely typo
/// (an edit distance of at most a third of the word, at least 1; case is ignored; see
/// [`crate::names::closest`], which the macros use too):
/// `bpf_redirect_mapp` → `bpf_redirect_map`, `XDP_PAS` → `XDP_PASS`.
///
/// ```
/// use ebpf_dsl::asm::suggest;
/// assert_eq!(suggest("bpf_redirect_mapp"), Some("bpf_redirect_map"));
/// assert_eq!(suggest("xdp_pass"), Some("XDP_PASS"));
/// assert_eq!(suggest("xsks"), None);
/// ```
pub fn suggest(word: &str) -> Option<&'static str> {
    let helpers = crate::isa::helpers::HELPERS.iter().map(|h| h.name);
    let consts = crate::isa::consts::CONSTS.iter().map(|c| c.name);
    crate::names::closest(word, helpers.chain(consts))
}

/// Appends `; did you mean `X`?` to each [`DiagKind::UnknownName`] whose word (the text under
/// its span in `src`) is a likely typo of a helper or constant name ([`suggest`]).
pub fn add_suggestions(src: &str, diags: &mut [Diagnostic]) {
    for d in diags.iter_mut().filter(|d| d.kind == DiagKind::UnknownName) {
        let word = d.span.and_then(|s| src.get(s.start..s.end));
        if let Some(best) = word.and_then(suggest) {
            if !d.message.contains("did you mean") {
                d.message.push_str(&format!("; did you mean `{best}`?"));
            }
        }
    }
}

fn refine_all(src: &str, errs: Vec<Diagnostic>) -> Vec<Diagnostic> {
    errs.into_iter().map(|d| refine(src, d)).collect()
}

/// Narrows a statement-wide span to the operand a diagnostic is about, by re-lexing the
/// statement: the jump target, the immediate, the destination register, the `{value}`.
pub fn refine(src: &str, mut d: Diagnostic) -> Diagnostic {
    let Some(span) = d.span else { return d };
    let Some(text) = src.get(span.start..span.end) else {
        return d;
    };
    let (toks, _) = lexer::lex(text);
    let toks: Vec<_> = toks
        .into_iter()
        .filter(|t| t.tok != lexer::Tok::Sep)
        .collect();
    // A snippet statement's span covers many instructions; there is no operand to narrow to.
    if matches!(
        (toks.first().map(|t| &t.tok), toks.get(1).map(|t| &t.tok)),
        (Some(lexer::Tok::Ident(_)), Some(lexer::Tok::Punct('!')))
    ) {
        return d;
    }
    let at = |t: &lexer::Token| Span::new(span.start + t.span.start, span.start + t.span.end);
    let pick = match d.kind {
        DiagKind::UndefinedLabel
        | DiagKind::JumpRange
        | DiagKind::JumpOutOfProgram
        | DiagKind::JumpIntoLdImm64 => toks.last().map(|t| {
            // Include a sign in front of a numeric distance.
            let n = toks.len();
            match (n >= 2).then(|| &toks[n - 2]) {
                Some(prev)
                    if matches!(prev.tok, lexer::Tok::Punct('+' | '-'))
                        && matches!(t.tok, lexer::Tok::Int(_)) =>
                {
                    at(prev).to(at(t))
                }
                // A numeric local label reference, `1f` / `1b`.
                Some(prev)
                    if matches!(prev.tok, lexer::Tok::Int(_))
                        && matches!(t.tok, lexer::Tok::Ident("f" | "b"))
                        && prev.span.end == t.span.start =>
                {
                    at(prev).to(at(t))
                }
                _ => at(t),
            }
        }),
        DiagKind::ShiftRange | DiagKind::DivisionByZero => {
            // The immediate: everything after the assignment operator.
            toks.iter()
                .position(|t| t.tok == lexer::Tok::Punct('='))
                .and_then(|p| {
                    let first = toks.get(p + 1)?;
                    Some(at(first).to(at(toks.last()?)))
                })
        }
        DiagKind::WriteToR10 => toks.first().map(at),
        DiagKind::UnresolvedExtern => toks
            .iter()
            .find(|t| matches!(t.tok, lexer::Tok::Extern(_)))
            .map(at),
        DiagKind::DuplicateLabel => toks.first().map(at),
        _ => None,
    };
    if let Some(p) = pick {
        d.span = Some(p);
    }
    d
}

#[cfg(test)]
mod tests;
