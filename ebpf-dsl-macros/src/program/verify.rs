//! Running the static verifier at compile time, and the warning when it cannot run.

use super::*;

/// Runs the static verifier on an assembled program with the facts of its maps; reports each
/// rejection on the instruction's tokens.
///
/// It cannot run ([`Verified::Skipped`], with the reason and the token responsible) when the
/// program's instructions are not all known here: an interpolated `{ value }` that rustc
/// computes later, or a map whose sizes only rustc knows (`key = MyStruct`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_verifier(
    a: &Assembled,
    prog_type: ProgramType,
    license: &str,
    kernel: ebpf_dsl::verifier::KernelVersion,
    strict_alignment: bool,
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
    // `xsk-runtime` loads a `ProgramSpec` with its source lines, hence with BTF function info
    // for every function (each returning `int`): the kernel judges a subprogram's tail call
    // and a legacy packet load's with it.
    let func_info = ebpf_dsl::btf::loader_func_info(&insns, &[]);
    let has_lines = a.slot_spans.iter().any(Option::is_some);
    let input = VerifyInput {
        insns: &insns,
        prog_type,
        relocations: &relocations,
        maps: &maps,
        license,
        kernel,
        expected_attach_type: None,
        // `defprogram!` has no global data (`.map ... init=` is for text files).
        data: &[],
        spin_locks: &[],
        timers: &[],
        kptrs: &[],
        // A `ProgramSpec` carries no BTF prototypes: its loader declares every function
        // static, so the static verifier walks each at every call too.
        globals: &[],
        func_info: Some(&func_info[..]).filter(|_| has_lines),
        // No kernel BTF at compile time: reads through BTF pointers are refused, asking for it.
        vmlinux: None,
        kallsyms: None,
        program_types: None,
        strict_alignment,
        // A program built for a JIT-compiled kernel (x86-64 / arm64 default).
        interpreter: false,
        xdp_dev_bound: true,
        unavailable_helpers: &[],
        // Any machine: the CPU number is only known to fit in 32 bits.
        possible_cpus: None,
    };
    // `trust_call_*:` / `trust_begin_*:` ... `trust_end_*:` labels: see `verifier::trust`.
    let verdict = verifier::Trust::from_labels(&a.labels)
        .map_err(|e| vec![e])
        .and_then(|trust| verifier::verify_trusting(&input, &trust));
    match verdict {
        Ok(_) => Verified::Passed,
        Err(errs) => {
            for e in errs {
                let mut text = e.message.clone();
                if matches!(
                    e.rule,
                    verifier::Rule::Unsupported | verifier::Rule::UnknownHelper
                ) {
                    // Say how to skip it in this macro's words.
                    match text.strip_suffix("skip the static verification for this program") {
                        Some(head) => {
                            text =
                                format!("{head}skip it for this program with `verify = structural`")
                        }
                        None if e.rule == verifier::Rule::Unsupported => text.push_str(
                            "; if the kernel accepts this program, skip the static verifier \
                             with `verify = structural`",
                        ),
                        // A helper number the kernel does not have either.
                        None => {}
                    }
                }
                let msg = format!("{text} [verifier: {}]", e.rule.name());
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
pub(crate) enum Verified {
    Passed,
    Rejected,
    /// Not run: why, and the token responsible.
    Skipped(String, Span),
}

/// A compiler warning on stable Rust: the use of a `#[deprecated]` item, with the note as the
/// message, at `span`.
pub(crate) fn warning(msg: &str, span: Span) -> TokenStream {
    let use_it = quote_spanned!(span=> const _: () = STATIC_VERIFIER_SKIPPED;);
    quote! {
        #[deprecated(note = #msg)]
        const STATIC_VERIFIER_SKIPPED: () = ();
        #use_it
    }
}
