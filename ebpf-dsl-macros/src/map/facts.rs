//! The hidden facts macro through which `defprogram!` learns a map's type and sizes.

use super::*;

/// The hidden `macro_rules!` through which `defprogram!` learns this map's type and sizes
/// for its verifier: `defprogram!` expands to `NAME! { {facts so far} input }`, and this
/// macro calls `__defprogram_with_facts!` back with its own facts appended. It is imported
/// under the map's own name in the macro namespace (no clash with the `const`), so wherever
/// the `const` is in scope by `use`, so are its facts. Macros cannot be exported beyond the
/// crate this way: `pub` maps get a `pub(crate)` facts macro.
pub(crate) fn facts_macro(
    cfgs: &[&Attribute],
    vis: &Visibility,
    ident: &Ident,
    map_type: Option<MapType>,
    known: [Option<u64>; 4],
    name: &str,
    inner: Option<(MapType, [Option<u64>; 4])>,
) -> TokenStream {
    let hidden = format_ident!("__ebpf_dsl_map_facts_{}", ident);
    let ty = Ident::new(map_type.map_or("unknown", |t| t.name()), ident.span());
    let nums = known.map(|k| match k {
        Some(n) => {
            let n = proc_macro2::Literal::u64_unsuffixed(n);
            quote!(#n)
        }
        None => quote!(_),
    });
    let [k, v, m, f] = nums;
    // A map of maps: its inner maps' facts as a group after the name.
    let inner = inner.map(|(t, known)| {
        let ty = Ident::new(t.name(), ident.span());
        let [k, v, m, f] = known.map(|k| match k {
            Some(n) => {
                let n = proc_macro2::Literal::u64_unsuffixed(n);
                quote!(#n)
            }
            None => quote!(_),
        });
        quote!((#ty #k #v #m #f))
    });
    let use_vis = match vis {
        Visibility::Public(_) => quote!(pub(crate)),
        other => quote!(#other),
    };
    let bare = Ident::new(&ident.to_string(), Span::call_site());
    quote! {
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(unused_macros, non_snake_case)]
        macro_rules! #hidden {
            ({ $($facts:tt)* } $($rest:tt)*) => {
                ::ebpf_dsl_macros::__defprogram_with_facts! {
                    { $($facts)* (#bare #ty #k #v #m #f #name #inner) } $($rest)*
                }
            };
        }
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(unused_imports)]
        #use_vis use #hidden as #ident;
    }
}
