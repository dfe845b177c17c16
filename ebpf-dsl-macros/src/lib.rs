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
    let decls = syn::parse_macro_input!(input as program::ProgDecls);
    program::expand(decls).into()
}
