//! Collecting several compile errors and reporting them at once (dtolnay style): every check
//! pushes its error here instead of returning early, so a user sees all mistakes in one build.

use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;

/// A growing set of `syn::Error`s, combined into one.
#[derive(Default)]
pub struct Errors {
    inner: Option<syn::Error>,
}

impl Errors {
    /// No errors yet.
    pub fn new() -> Errors {
        Errors::default()
    }

    /// Adds an error.
    pub fn push(&mut self, err: syn::Error) {
        match &mut self.inner {
            Some(e) => e.combine(err),
            None => self.inner = Some(err),
        }
    }

    /// Adds an error on `span`.
    pub fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }

    /// Adds an error covering the tokens of `tokens` (first to last).
    pub fn spanned(&mut self, tokens: impl ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }

    /// Adds an error covering the source from `first` to `last`.
    pub fn range(&mut self, first: Span, last: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(span_range(first, last), msg));
    }

    /// True if no error was pushed.
    pub fn is_empty(&self) -> bool {
        self.inner.is_none()
    }

    /// The `compile_error!` invocations of every error (empty if none).
    pub fn to_compile_errors(&self) -> TokenStream {
        match &self.inner {
            Some(e) => e.to_compile_error(),
            None => TokenStream::new(),
        }
    }
}

/// Two placeholder tokens carrying `first` and `last`, for `syn::Error::new_spanned`, which
/// underlines from the first token's start to the last token's end.
pub fn span_range(first: Span, last: Span) -> TokenStream {
    let mut ts = TokenStream::new();
    ts.extend([Ident::new("x", first), Ident::new("x", last)].map(|i| i.into_token_stream()));
    ts
}
