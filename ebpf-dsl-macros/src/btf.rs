//! `#[derive(Btf)]`: a `#[repr(C)]` struct's BTF description (`ebpf_dsl::btf::BtfType`), its
//! fields at the offsets rustc lays them out.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields};

/// The impl, or the errors.
pub fn derive(input: DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let mut repr_c = false;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|m| {
            if m.path.is_ident("C") {
                repr_c = true;
            }
            Ok(())
        });
    }
    if !input.generics.params.is_empty() {
        return syn::Error::new(
            input.generics.span(),
            "#[derive(Btf)] does not support generic types: BTF describes one concrete layout",
        )
        .to_compile_error();
    }
    let Data::Struct(data) = &input.data else {
        return syn::Error::new(
            ident.span(),
            "#[derive(Btf)] is for `#[repr(C)]` structs (enums and unions are not supported)",
        )
        .to_compile_error();
    };
    if !repr_c {
        return syn::Error::new(
            ident.span(),
            format!(
                "#[derive(Btf)] needs `#[repr(C)]` on `{ident}`: the kernel reads the fields at \
                 C's offsets, and Rust's default layout may reorder them"
            ),
        )
        .to_compile_error();
    }
    let mut members = Vec::new();
    let fields: Vec<_> = match &data.fields {
        Fields::Named(f) => f.named.iter().collect(),
        Fields::Unnamed(f) => f.unnamed.iter().collect(),
        Fields::Unit => Vec::new(),
    };
    for (i, f) in fields.iter().enumerate() {
        let ty = &f.ty;
        let (btf_name, access) = match &f.ident {
            Some(id) => {
                let name = id.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                (name, quote!(#id))
            }
            None => {
                let idx = syn::Index::from(i);
                (format!("_{i}"), quote!(#idx))
            }
        };
        members.push(quote_spanned! {ty.span()=>
            ::ebpf_dsl::btf::Member {
                name: ::std::string::String::from(#btf_name),
                ty: <#ty as ::ebpf_dsl::btf::BtfType>::btf_type(btf),
                bit_offset: (::core::mem::offset_of!(#ident, #access) * 8) as u32,
                bitfield_size: 0,
            }
        });
    }
    let name = ident.to_string();
    quote! {
        impl ::ebpf_dsl::btf::BtfType for #ident {
            fn btf_type(btf: &mut ::ebpf_dsl::btf::Btf) -> u32 {
                let members = ::std::vec![#(#members),*];
                btf.add(::ebpf_dsl::btf::Type::new(
                    #name,
                    ::ebpf_dsl::btf::Kind::Struct {
                        size: ::core::mem::size_of::<#ident>() as u32,
                        members,
                    },
                ))
            }
        }
    }
}
