//! Snippets: named, parameterised instruction sequences (the XDP module's redirect-to-XSK and
//! bounds-checked header parsing, ...) that the assembler text and `defprogram!` can invoke as a
//! statement, `name!(arg, arg, ...)`, and that the builder API calls as plain functions.
//!
//! A snippet expands to [`Item`]s (data, not text), so the assembler, the macros and the builder
//! share one implementation.

use std::borrow::Cow;

use crate::insn::Reg;
use crate::ir::Item;

/// One argument of a snippet invocation, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SnippetArg {
    /// A register (`r2`).
    Reg(Reg),
    /// An integer, or a named constant the assembler already resolved (`XDP_PASS` -> 2).
    Int(i64),
    /// Any other identifier: a map name, a label, or a name the snippet gives meaning to.
    Ident(Cow<'static, str>),
}

/// Expands the snippet `name` with `args`.
///
/// `unique` is a number distinct for each invocation within one program; snippets use it to
/// make their internal labels unique (e.g. `__xsk_by_queue_3_pass`).
///
/// Returns a message a person understands when the name is unknown or the arguments do not fit
/// (wrong count, a register where a map is expected, ...).
pub fn expand(name: &str, args: &[SnippetArg], unique: usize) -> Result<Vec<Item>, String> {
    let _ = (args, unique);
    Err(format!("unknown snippet `{name}!`"))
}
