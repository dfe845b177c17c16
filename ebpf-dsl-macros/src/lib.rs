//! `defmap!` and `defprogram!`: eBPF maps and programs written inline in Rust source,
//! assembled and verified at compile time.
#![deny(missing_docs)]

mod consteval;
mod errors;
mod map;
mod names;
mod program;
mod text;

use proc_macro::TokenStream;

/// Declares eBPF maps as `const` [`MapSpec`](../ebpf_dsl/spec/struct.MapSpec.html) items.
#[proc_macro]
pub fn defmap(input: TokenStream) -> TokenStream {
    let decls = syn::parse_macro_input!(input as map::MapDecls);
    map::expand(decls).into()
}

/// Declares eBPF programs as `const` [`ProgramSpec`](../ebpf_dsl/spec/struct.ProgramSpec.html)
/// items, assembled and checked at compile time.
#[proc_macro]
pub fn defprogram(input: TokenStream) -> TokenStream {
    program::expand(input.into(), program::Facts::default()).into()
}

/// Internal: `defprogram!` again, with the facts of the maps gathered so far
/// (`{ (NAME type key value max flags "name") ... } input`). Called by the hidden macros
/// `defmap!` emits.
#[doc(hidden)]
#[proc_macro]
pub fn __defprogram_with_facts(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let mut iter = input.into_iter();
    let Some(proc_macro2::TokenTree::Group(facts)) = iter.next() else {
        return quote::quote!(::core::compile_error!("malformed internal macro input");).into();
    };
    match program::Facts::parse(facts.stream()) {
        Ok(f) => program::expand(iter.collect(), f).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
