//! `defmap!` and `defprogram!`: eBPF maps and programs written inline in Rust source,
//! assembled and verified at compile time.
#![deny(missing_docs)]

mod consteval;
mod errors;
mod map;
mod names;

use proc_macro::TokenStream;

/// Declares eBPF maps as `const` [`MapSpec`](../ebpf_dsl/spec/struct.MapSpec.html) items.
#[proc_macro]
pub fn defmap(input: TokenStream) -> TokenStream {
    let decls = syn::parse_macro_input!(input as map::MapDecls);
    map::expand(decls).into()
}
