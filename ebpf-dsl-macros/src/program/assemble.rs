//! Assembling the body with `ebpf_dsl::asm` and mapping its diagnostics onto the body's tokens.

use super::*;

/// Runs the assembler on the rebuilt text; reports every diagnostic on its tokens.
pub(crate) fn assemble(
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
    // `.map` declares a map in a text file; here maps are `defmap!` items.
    let (toks, _) = asm::lexer::lex(&src.text);
    let dot_maps: Vec<_> = toks
        .iter()
        .filter(|t| t.tok == asm::lexer::Tok::Ident(asm::mapdecl::MAP_DIRECTIVE))
        .collect();
    for t in &dot_maps {
        let d = Diagnostic::new(
            asm::DiagKind::Syntax,
            Some(t.span),
            "`.map` declares a map in a text file; in Rust, declare it with `defmap!` and name \
             it by its item (`r1 = MAP ll`)",
        );
        report(&d, &[], errors);
    }
    // `.section` names a text program's ELF section; a macro program is no ELF section.
    let dot_sections: Vec<_> = toks
        .iter()
        .filter(|t| t.tok == asm::lexer::Tok::Ident(".section"))
        .collect();
    for t in &dot_sections {
        let d = Diagnostic::new(
            asm::DiagKind::Syntax,
            Some(t.span),
            "`.section` names the ELF section of a text program; a `defprogram!` program has \
             its type in its declaration, and its load flags and expected attach type in \
             `xsk_runtime::program::LoadOptions`",
        );
        report(&d, &[], errors);
    }
    if !dot_maps.is_empty() || !dot_sections.is_empty() {
        return None;
    }
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
pub(crate) fn map_ident(src: &Source, a: &Assembled, insn_index: usize, symbol: &str) -> Ident {
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

pub(crate) fn is_register(s: &str) -> bool {
    let num = s.strip_prefix('r').or_else(|| s.strip_prefix('w'));
    num.is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// Identifiers written as `NAME ll` (map loads; not labels, whose `NAME ll` is a callback's
/// address), for the fallback expansion.
pub(crate) fn mentioned_maps(src: &Source) -> Vec<Ident> {
    let text = |t: &crate::text::Tok| &src.text[t.start..t.end];
    let labels: Vec<&str> = src
        .toks
        .windows(2)
        .filter(|w| text(&w[1]) == ":")
        .map(|w| text(&w[0]))
        .collect();
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
            && !labels.contains(&at)
        {
            out.push(Ident::new(at, a.span));
        }
    }
    out
}

/// Two referenced maps with the same kernel-visible name would be indistinguishable to the
/// loader, which matches relocations to maps by that name.
pub(crate) fn check_kernel_names(a: &Assembled, facts: &Facts, src: &Source, errors: &mut Errors) {
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
