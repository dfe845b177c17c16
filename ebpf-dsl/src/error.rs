//! The crate's one error type, [`Error`]: what a user `?`s into.
//!
//! Each stage keeps its detailed error type, which [`Error`] carries as its payload:
//!
//! | stage | detailed type | [`Error`] variant |
//! |---|---|---|
//! | assembler text, builder items ([`crate::asm`], [`crate::dsl`]) | [`Diagnostic`]s | [`Error::Assemble`] |
//! | decoding raw instructions ([`crate::isa::decode`], [`crate::disasm`]) | [`DecodeError`] | [`Error::Decode`] |
//! | snippet arguments ([`crate::snippet`]) | [`SnippetError`] | [`Error::Snippet`] |
//! | static verifier ([`crate::verifier`]) | [`VerifierError`]s | [`Error::Verify`] |
//!
//! Every detailed type converts with [`From`], so `?` works on any stage's result in a function
//! that returns [`crate::Result`]:
//!
//! ```
//! fn bytes_of(src: &str) -> ebpf_dsl::Result<Vec<u8>> {
//!     // `asm::assemble` returns the detailed `Vec<Diagnostic>`; `?` converts it.
//!     let a = ebpf_dsl::asm::assemble(src)?;
//!     Ok(a.to_bytes())
//! }
//! assert_eq!(bytes_of("r0 = 0\nexit").unwrap().len(), 16);
//! let err = bytes_of("r0 = 0\nfoo r1\nexit").unwrap_err();
//! assert!(matches!(err, ebpf_dsl::Error::Assemble { .. }));
//! ```
//!
//! [`crate::assemble`] (text) attaches the source to the error, so that its `Display` names
//! lines and columns; [`Error::render`] prints it like a compiler, with the source line and
//! carets.

use core::fmt;

use crate::asm::Diagnostic;
use crate::isa::decode::DecodeError;
use crate::snippet::SnippetError;
use crate::verifier::VerifierError;

/// Everything that can go wrong in this crate. The payloads are the stages' detailed types; see
/// the [module docs](self).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The assembler or the builder rejected the program: every problem found, in source
    /// order (for text) or instruction order (for builder items).
    Assemble {
        /// The problems, each with its span in the source and/or its instruction index.
        diagnostics: Vec<Diagnostic>,
        /// The assembly text the spans point into, when the program came from text and the
        /// caller attached it ([`crate::assemble`] does; see [`Error::with_source`]). It lets
        /// `Display` show `line:column` instead of byte offsets.
        source: Option<String>,
    },
    /// Raw instruction bytes that do not decode (an undefined opcode, a reserved field that is
    /// not zero, a truncated `ld_imm64`, a length that is not a multiple of 8).
    Decode(DecodeError),
    /// A snippet invocation with an unknown name or arguments that do not fit.
    Snippet(SnippetError),
    /// The static verifier rejected the program (what the kernel's verifier would reject at
    /// `BPF_PROG_LOAD`).
    Verify(Vec<VerifierError>),
}

impl Error {
    /// The same error with the assembly text its spans point into, so that `Display` shows
    /// line and column numbers. Other variants are returned unchanged.
    pub fn with_source(self, src: &str) -> Error {
        match self {
            Error::Assemble { diagnostics, .. } => Error::Assemble {
                diagnostics,
                source: Some(src.to_string()),
            },
            other => other,
        }
    }

    /// The assembler's diagnostics (empty for the other variants).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Error::Assemble { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }

    /// Renders the error for a person, the way compilers print errors: for an assembler error
    /// with its source, one `file:line:col: error: message` block per problem with the source
    /// line and carets under the offending operand; otherwise one `file: error: ...` line per
    /// problem.
    pub fn render(&self, file: &str) -> String {
        match self {
            Error::Assemble {
                diagnostics,
                source,
            } => match source {
                Some(src) => crate::asm::render_all(diagnostics, src, file, crate::asm::MAX_SHOWN),
                // Without the text, spans mean nothing to a reader: name what there is.
                None => {
                    let mut lines: Vec<String> = diagnostics
                        .iter()
                        .take(crate::asm::MAX_SHOWN)
                        .map(|d| format!("{file}: error: {d}"))
                        .collect();
                    lines.extend(crate::asm::diag::more_line(
                        diagnostics.len(),
                        crate::asm::MAX_SHOWN,
                        file,
                    ));
                    lines.join("\n")
                }
            },
            Error::Verify(errs) => errs
                .iter()
                .map(|e| format!("{file}: error: {e}"))
                .collect::<Vec<_>>()
                .join("\n"),
            other => format!("{file}: error: {other}"),
        }
    }
}

/// Writes `what` failed, then one problem (on the same line) or each of several (one per
/// indented line).
fn list<T>(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    items: &[T],
    mut one: impl FnMut(&mut fmt::Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    match items {
        [] => write!(f, "{what} failed"),
        [only] => {
            write!(f, "{what} failed: ")?;
            one(f, only)
        }
        many => {
            write!(f, "{what} failed with {} errors:", many.len())?;
            for item in many.iter().take(crate::asm::MAX_SHOWN) {
                f.write_str("\n  ")?;
                one(f, item)?;
            }
            if let Some(more) = many
                .len()
                .checked_sub(crate::asm::MAX_SHOWN)
                .filter(|&m| m > 0)
            {
                write!(f, "\n  ... and {more} more")?;
            }
            Ok(())
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Assemble {
                diagnostics,
                source,
            } => {
                // Line starts computed once: linear in the text and the number of problems.
                let index = source.as_deref().map(crate::asm::LineIndex::new);
                list(f, "assembling the program", diagnostics, |f, d| {
                    let at = source
                        .as_deref()
                        .zip(index.as_ref())
                        .zip(d.span)
                        .and_then(|((s, ix), span)| ix.line_col(s, span.start));
                    match at {
                        Some((line, col)) => {
                            write!(f, "line {line}, column {col}: {}", d.message)
                        }
                        None => write!(f, "{d}"),
                    }
                })
            }
            Error::Decode(e) => write!(f, "decoding the program failed: {e}"),
            Error::Snippet(e) => write!(f, "{e}"),
            Error::Verify(errs) => list(f, "static verification", errs, |f, e| write!(f, "{e}")),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Decode(e) => Some(e),
            Error::Snippet(e) => Some(e),
            Error::Assemble { diagnostics, .. } if diagnostics.len() == 1 => Some(&diagnostics[0]),
            Error::Verify(errs) if errs.len() == 1 => Some(&errs[0]),
            _ => None,
        }
    }
}

impl From<Vec<Diagnostic>> for Error {
    fn from(diagnostics: Vec<Diagnostic>) -> Error {
        Error::Assemble {
            diagnostics,
            source: None,
        }
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Error {
        Error::from(vec![d])
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Decode(e)
    }
}

impl From<SnippetError> for Error {
    fn from(e: SnippetError) -> Error {
        Error::Snippet(e)
    }
}

impl From<Vec<VerifierError>> for Error {
    fn from(errs: Vec<VerifierError>) -> Error {
        Error::Verify(errs)
    }
}

impl From<VerifierError> for Error {
    fn from(e: VerifierError) -> Error {
        Error::Verify(vec![e])
    }
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asm::DiagKind;

    #[test]
    fn display_names_lines_with_the_source_and_counts_errors() {
        let src = "r0 = 0\nfoo r1\nr10 = 1\nexit";
        let e = crate::assemble(src).unwrap_err();
        assert_eq!(e.diagnostics().len(), 2);
        let text = e.to_string();
        assert!(
            text.starts_with("assembling the program failed with 2 errors:\n  line 2, column 1: "),
            "{text}"
        );
        assert!(text.contains("\n  line 3, column 1: "), "{text}");
        // Without the source, the instruction index or byte range is named instead.
        let bare = Error::from(crate::asm::assemble(src).unwrap_err());
        assert!(
            bare.to_string()
                .contains("\n  bytes 7..10: unknown instruction `foo`"),
            "{bare}"
        );
        assert_eq!(bare.clone().with_source(src), e);
        assert!(
            bare.render("prog.s")
                .starts_with("prog.s: error: bytes 7..10: "),
            "{}",
            bare.render("prog.s")
        );
        // render: compiler style, the line and carets.
        let r = e.render("prog.s");
        assert!(r.starts_with("prog.s:2:1: error: "), "{r}");
        assert!(r.contains("\nfoo r1\n^^^"), "{r}");
    }

    #[test]
    fn one_problem_reads_as_one_line() {
        let e = crate::assemble("r0 = 1\nr0 /= 0\nexit").unwrap_err();
        assert_eq!(e.diagnostics()[0].kind, DiagKind::DivisionByZero);
        let text = e.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert!(
            text.starts_with("assembling the program failed: line 2, column 7: "),
            "{text}"
        );
        // A single problem is also the error's `source()`.
        let src = std::error::Error::source(&e).expect("source");
        assert_eq!(src.to_string(), e.diagnostics()[0].to_string());
    }

    #[test]
    fn every_stage_converts() {
        fn decode() -> crate::Result<()> {
            crate::isa::decode::decode_bytes(&[0xff; 8])?;
            Ok(())
        }
        let e = decode().unwrap_err();
        assert!(matches!(e, Error::Decode(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("decoding the program failed: slot 0"),
            "{e}"
        );
        assert!(e.diagnostics().is_empty());

        fn snippet() -> crate::Result<()> {
            crate::snippet::expand("no_such_snippet", &[], 0)?;
            Ok(())
        }
        let e = snippet().unwrap_err();
        assert!(matches!(e, Error::Snippet(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("snippet `no_such_snippet!`: no snippet of this name"),
            "{e}"
        );

        fn verify() -> crate::Result<()> {
            use crate::verifier::{verify, VerifyInput};
            // exit without setting r0
            let prog = [crate::Insn::new(0x95, 0, 0, 0, 0)];
            verify(&VerifyInput::new(&prog, crate::ProgramType::Xdp))?;
            Ok(())
        }
        let e = verify().unwrap_err();
        assert!(matches!(e, Error::Verify(_)), "{e:?}");
        assert!(
            e.to_string()
                .starts_with("static verification failed: instruction 0: "),
            "{e}"
        );
        assert!(e.render("p").starts_with("p: error: instruction 0: "));

        // Usable as a boxed std error, across threads (what anyhow and `?` into
        // `Box<dyn Error + Send + Sync>` need).
        fn send_sync<T: Send + Sync + 'static>(_: &T) {}
        send_sync(&e);
        let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(e);
        assert!(boxed.to_string().contains("r0"), "{boxed}");
    }
}
