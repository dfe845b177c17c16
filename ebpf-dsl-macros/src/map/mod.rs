//! `defmap!`: parse the declarations, check them against the kernel's `map_alloc_check` rules,
//! and expand each to a `const` [`ebpf_dsl::MapDef`] (a typed [`ebpf_dsl::MapSpec`]).

use crate::consteval;
use crate::errors::Errors;
use crate::names;
use ebpf_dsl::MapType;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitStr, Token, Type, Visibility};

mod facts;
mod inner;
mod parse;
mod rules;

pub(crate) use self::parse::MapDecls;
use self::{facts::*, inner::*, parse::*, rules::*};

/// Expands one `defmap!` invocation: the consts, or the errors (plus fallback consts so that
/// code using the maps does not drown the real error in follow-on errors).
pub fn expand(decls: MapDecls) -> TokenStream {
    let mut out = TokenStream::new();
    for decl in decls.0 {
        out.extend(expand_one(decl));
    }
    out
}

pub(crate) fn expand_one(decl: MapDecl) -> TokenStream {
    let mut errors = Errors::new();
    let MapDecl {
        attrs,
        vis,
        ident,
        map_type,
        options,
    } = decl;

    // The map type.
    let mt = MapType::from_name(&map_type.to_string());
    if mt.is_none() {
        let known: Vec<&str> = MapType::ALL.iter().map(|t| t.name()).collect();
        let hint = names::closest(&map_type.to_string(), known.iter().copied())
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        errors.spanned(
            &map_type,
            format!(
                "unknown map type `{map_type}`; {hint}known types: {}",
                known.join(", ")
            ),
        );
    }

    // Types whose creation needs more than a MapSpec can say.
    let unsupported = match mt {
        Some(
            MapType::SkStorage
            | MapType::InodeStorage
            | MapType::TaskStorage
            | MapType::CgrpStorage
            | MapType::StructOps,
        ) => Some(
            "needs BTF type ids at creation (`btf_key_type_id`, `btf_value_type_id`), which \
             ebpf-dsl does not generate",
        ),
        _ => None,
    };
    if let (Some(why), Some(t)) = (unsupported, mt) {
        errors.spanned(
            &map_type,
            format!(
                "`{}` maps cannot be declared with defmap!: the kernel {why}",
                t.name()
            ),
        );
    }

    // Options: unknown and duplicates.
    let mut seen: Vec<(String, Span)> = Vec::new();
    let mut get = std::collections::HashMap::new();
    for opt in &options {
        let k = opt.key.to_string();
        if !OPTIONS.contains(&k.as_str()) {
            let hint = names::closest(&k, OPTIONS.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            errors.spanned(
                &opt.key,
                format!(
                    "unknown map option `{k}`; {hint}the options are: {}",
                    OPTIONS.join(", ")
                ),
            );
            continue;
        }
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == k) {
            let _ = first;
            errors.spanned(
                &opt.key,
                format!("duplicate option `{k}`: each option may be given once"),
            );
            continue;
        }
        seen.push((k.clone(), opt.key.span()));
        get.insert(k, opt);
    }

    // Key and value sizes.
    // `key = T, key_size = N` together: N for the checks (and defprogram!'s verifier), and an
    // assertion that T is N bytes.
    let mut size_asserts = TokenStream::new();
    let mut size_of = |ty_opt: &str, size_opt: &str| -> Option<Value> {
        match (get.get(ty_opt), get.get(size_opt)) {
            (Some(t), Some(s)) => match (&t.value, &s.value) {
                (OptValue::Type(ty), OptValue::Expr(e)) => {
                    let v = expr_value(e, &mut errors);
                    let n = v.to_u32_tokens();
                    let msg = format!(
                        "{ident}: `{ty_opt} = {}` is not `{size_opt} = {}` bytes",
                        ty.to_token_stream(),
                        e.to_token_stream()
                    )
                    .replace('{', "{{")
                    .replace('}', "}}");
                    size_asserts.extend(quote_spanned! {ty.span()=>
                        const _: () = ::core::assert!(
                            ::core::mem::size_of::<#ty>() == (#n) as usize,
                            #msg
                        );
                    });
                    Some(v)
                }
                _ => None,
            },
            (Some(t), None) => match &t.value {
                OptValue::Type(ty) => Some(match primitive_size(ty) {
                    Some(n) => Value::Known(n, ty.to_token_stream()),
                    None => Value::Rust {
                        expr: quote_spanned!(ty.span()=> ::core::mem::size_of::<#ty>() as u32),
                        span: ty.span(),
                        text: format!("size_of::<{}>()", ty.to_token_stream()),
                    },
                }),
                _ => None,
            },
            (None, Some(s)) => match &s.value {
                OptValue::Expr(e) => Some(expr_value(e, &mut errors)),
                _ => None,
            },
            (None, None) => None,
        }
    };
    let key = size_of("key", "key_size");
    let value = size_of("value", "value_size");
    let max_entries = get.get("max_entries").and_then(|o| match &o.value {
        OptValue::Expr(e) => Some(expr_value(e, &mut errors)),
        _ => None,
    });

    // Flags: `BPF_F_*` names resolved here, anything else left to rustc.
    let flags = get.get("flags").and_then(|o| match &o.value {
        OptValue::Expr(e) => flags_value(e, &mut errors),
        _ => None,
    });

    // The kernel-visible name.
    let (name, name_span) = match get.get("name") {
        Some(MapOption {
            value: OptValue::Str(s),
            ..
        }) => (s.value(), s.span()),
        _ => (ident.to_string().to_ascii_lowercase(), ident.span()),
    };
    if let Err(msg) = names::check_obj_name(&name) {
        let from = if get.contains_key("name") {
            String::new()
        } else {
            " (the default name is the item's name in lower case); give a valid one with \
             `name = \"...\"`"
                .to_string()
        };
        errors.at(name_span, format!("map name `{name}`: {msg}{from}"));
    }

    let inner = inner_shape(&map_type, mt, get.get("inner").copied(), &mut errors);

    let mut asserts = TokenStream::new();
    let mut fields = (quote!(0u32), quote!(0u32), quote!(0u32), quote!(0u32));
    // What the macro itself knows, for `defprogram!`'s verifier (None: only rustc knows).
    let mut known: [Option<u64>; 4] = [None, None, None, Some(0)];
    if let Some(mt) = mt {
        let r = rules(mt);
        let tname = mt.name().to_ascii_uppercase();
        let resolve =
            |v: Option<Value>, default: Option<u64>, what: &str, errors: &mut Errors| match (
                v, default,
            ) {
                (Some(v), _) => Some(v),
                (None, Some(d)) => Some(Value::Known(d, map_type.to_token_stream())),
                (None, None) => {
                    errors.spanned(&map_type, format!("{tname} maps need {what}"));
                    None
                }
            };
        let key = resolve(
            key,
            r.key_default,
            "a key: add `key = Type` (e.g. `key = u32`) or `key_size = N`",
            &mut errors,
        );
        let value = resolve(
            value,
            r.value_default,
            "a value: add `value = Type` (e.g. `value = u64`) or `value_size = N`",
            &mut errors,
        );
        let max_entries = resolve(
            max_entries,
            r.max_entries_default,
            "a capacity: add `max_entries = N`",
            &mut errors,
        );
        // A map whose every attribute the macro knows is checked below by the kernel's rules
        // themselves (`MapSpec::creation_check`). Otherwise the values rustc alone knows get
        // const assertions, and those the macro knows errors, by the subset of the rules
        // `rules` has (never stricter than the kernel's).
        let all_known = [&key, &value, &max_entries]
            .iter()
            .all(|v| v.as_ref().is_some_and(|v| v.known().is_some()))
            && flags.as_ref().is_none_or(|(f, _, _)| f.known().is_some())
            && inner
                .facts
                .is_none_or(|(_, facts)| facts.iter().all(Option::is_some));
        for (v, rs, what) in [
            (&key, &r.key, "key size"),
            (&value, &r.value, "value size"),
            (&max_entries, &r.max_entries, "max_entries"),
        ] {
            let Some(v) = v else { continue };
            for (rule, msg) in rs {
                match v {
                    Value::Known(n, tokens) => {
                        if !all_known && !rule.holds(*n) {
                            let shown = if what == "max_entries" {
                                format!("this map has max_entries = {n}")
                            } else {
                                format!("this {what} is {n} bytes")
                            };
                            errors.spanned(tokens, format!("{msg}; {shown}"));
                        }
                    }
                    Value::Rust { expr, span, text } => {
                        let test = rule.const_test(expr);
                        let msg = format!("{ident}: {msg}; `{text}` breaks this rule");
                        asserts.extend(quote_spanned! {*span=>
                            const _: () = ::core::assert!(#test, #msg);
                        });
                    }
                }
            }
        }
        if let (Some(mask), Some((bits, span, tokens))) = (r.flags_mask, &flags) {
            match bits {
                Value::Known(..) if all_known => {}
                Value::Known(b, _) => {
                    let bad = (*b as u32) & !mask;
                    if *b > u32::MAX as u64 || bad != 0 {
                        errors.spanned(
                            tokens,
                            format!(
                                "{tname} maps do not accept the flag(s) {} (the kernel returns \
                                 EINVAL); allowed: {}",
                                flag_names(bad),
                                flag_names(mask)
                            ),
                        );
                    }
                }
                Value::Rust { expr, .. } => {
                    let msg = format!(
                        "{ident}: {tname} maps accept only these flags: {}",
                        flag_names(mask)
                    );
                    asserts.extend(quote_spanned! {*span=>
                        const _: () = ::core::assert!((#expr) & !#mask == 0, #msg);
                    });
                }
            }
        }
        if let (true, true, Some(k), Some(v), Some(m)) =
            (all_known, errors.is_empty(), &key, &value, &max_entries)
        {
            kernel_check(
                mt,
                &name,
                [k, v, m],
                flags.as_ref().map(|(f, _, t)| (f, t)),
                &inner,
                &map_type,
                name_span,
                &mut errors,
            );
        }
        if let (Some(k), Some(v), Some(m)) = (&key, &value, &max_entries) {
            known[0] = k.known();
            known[1] = v.known();
            known[2] = m.known();
            fields = (
                k.to_u32_tokens(),
                v.to_u32_tokens(),
                m.to_u32_tokens(),
                quote!(0u32),
            );
        }
        if let Some((f, _, _)) = &flags {
            fields.3 = f.to_u32_tokens();
            known[3] = f.known();
        }
    }

    let errs = errors.to_compile_errors();
    // The key and value types the item carries (`MapDef<K, V, Kind>`).
    let typed = |opt: &str| match get.get(opt) {
        Some(MapOption {
            value: OptValue::Type(t),
            ..
        }) if errors.is_empty() => quote!(#t),
        _ => quote!(::ebpf_dsl::map_kind::Untyped),
    };
    let (key_ty, value_ty) = (typed("key"), typed("value"));
    let kind = Ident::new(
        &format!("{:?}", mt.unwrap_or(MapType::Array)),
        map_type.span(),
    );
    let variant = mt
        .map(|t| {
            let v = Ident::new(&format!("{t:?}"), map_type.span());
            quote!(::ebpf_dsl::MapType::#v)
        })
        .unwrap_or_else(|| quote!(::ebpf_dsl::MapType::Array));
    let (k, v, m, f) = if errors.is_empty() {
        fields
    } else {
        (quote!(0), quote!(0), quote!(0), quote!(0))
    };
    let asserts = if errors.is_empty() {
        asserts.extend(size_asserts);
        asserts
    } else {
        TokenStream::new()
    };
    let btf = map_btf(&get, errors.is_empty());
    let cfgs: Vec<&Attribute> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
    let facts = facts_macro(
        &cfgs,
        &vis,
        &ident,
        mt,
        if errors.is_empty() { known } else { [None; 4] },
        &name,
        inner.facts.filter(|_| errors.is_empty()),
    );
    let inner = if errors.is_empty() {
        inner.tokens
    } else {
        quote!(::core::option::Option::None)
    };
    quote! {
        #errs
        #(#attrs)*
        #vis const #ident: ::ebpf_dsl::MapDef<#key_ty, #value_ty, ::ebpf_dsl::map_kind::#kind> =
            ::ebpf_dsl::MapDef::new({
                const SPEC: &::ebpf_dsl::MapSpec = &::ebpf_dsl::MapSpec {
                    name: ::std::borrow::Cow::Borrowed(#name),
                    map_type: #variant,
                    key_size: #k,
                    value_size: #v,
                    max_entries: #m,
                    flags: #f,
                    btf: #btf,
                    inner: #inner,
                };
                SPEC
            });
        #asserts
        #facts
    }
}

/// The kernel's `BPF_MAP_CREATE` rules for the map as the macro knows it
/// ([`ebpf_dsl::MapSpec::creation_check`] for the 6.18 reference kernel, the rules the static
/// verifier applies): when its sizes, capacity and flags are all known here, an error on the
/// token of the attribute the kernel refuses.
#[allow(clippy::too_many_arguments)]
fn kernel_check(
    mt: MapType,
    name: &str,
    [k, v, m]: [&Value; 3],
    flags: Option<(&Value, &TokenStream)>,
    inner: &InnerShape,
    map_type: &Ident,
    name_span: Span,
    errors: &mut Errors,
) {
    let (Some(key), Some(value), Some(entries)) = (k.known(), v.known(), m.known()) else {
        return;
    };
    let bits = match flags {
        Some((f, _)) => match f.known().and_then(|b| u32::try_from(b).ok()) {
            Some(b) => b,
            None => return,
        },
        None => 0,
    };
    let inner_map = match inner.facts {
        Some((t, [Some(k), Some(v), Some(m), Some(f)])) => Some(ebpf_dsl::spec::InnerMap {
            map_type: t,
            key_size: k as u32,
            value_size: v as u32,
            max_entries: m as u32,
            flags: f as u32,
        }),
        Some(_) => return,
        None => None,
    };
    let spec = ebpf_dsl::MapSpec {
        name: name.to_string().into(),
        map_type: mt,
        key_size: key as u32,
        value_size: value as u32,
        max_entries: entries as u32,
        flags: bits,
        btf: None,
        inner: inner_map,
    };
    let Err(e) = spec.creation_check(ebpf_dsl::verifier::MAP_CREATE_REFERENCE) else {
        return;
    };
    use ebpf_dsl::verifier::MapAttr;
    let tokens = |v: &Value| match v {
        Value::Known(_, t) => t.clone(),
        Value::Rust { .. } => map_type.to_token_stream(),
    };
    let at = match e.attr {
        MapAttr::KeySize => tokens(k),
        MapAttr::ValueSize => tokens(v),
        MapAttr::MaxEntries => tokens(m),
        MapAttr::Flags => flags.map_or_else(|| map_type.to_token_stream(), |(_, t)| t.clone()),
        MapAttr::Inner => inner
            .span
            .clone()
            .unwrap_or_else(|| map_type.to_token_stream()),
        MapAttr::Type => map_type.to_token_stream(),
        MapAttr::Name => {
            errors.at(name_span, e.message);
            return;
        }
    };
    errors.spanned(at, e.message);
}

/// `Some(MapBtf)` when both `key` and `value` are types (each contributes its BTF when it
/// implements `BtfType`; the loader uses it only when both do), else `None`.
fn map_btf(get: &std::collections::HashMap<String, &MapOption>, ok: bool) -> TokenStream {
    let ty = |k: &str| match get.get(k).map(|o| &o.value) {
        Some(OptValue::Type(t)) => Some(t.clone()),
        _ => None,
    };
    let (Some(k), Some(v), true) = (ty("key"), ty("value"), ok) else {
        return quote!(::core::option::Option::None);
    };
    let probe = |t: &Type| {
        quote! {{
            fn probe(btf: &mut ::ebpf_dsl::btf::Btf) -> ::core::option::Option<u32> {
                #[allow(unused_imports)]
                use ::ebpf_dsl::btf::{ViaBtf as _, ViaNothing as _};
                (&&::ebpf_dsl::btf::Probe::<#t>::NEW).maybe_btf(btf)
            }
            probe
        }}
    };
    let (k, v) = (probe(&k), probe(&v));
    quote!(::core::option::Option::Some(::ebpf_dsl::btf::MapBtf { key: #k, value: #v }))
}

/// An integer option: evaluated here if the macro can, else left to rustc (typed `u32`).
pub(crate) fn expr_value(e: &Expr, errors: &mut Errors) -> Value {
    match consteval::eval(e) {
        Some(n) if (0..=u32::MAX as i128).contains(&n) => {
            Value::Known(n as u64, e.to_token_stream())
        }
        Some(n) => {
            errors.spanned(
                e,
                format!("{n} does not fit the kernel's 32-bit unsigned field"),
            );
            Value::Known(0, e.to_token_stream())
        }
        None => Value::Rust {
            expr: quote_spanned!(e.span()=> (#e)),
            span: e.span(),
            text: e.to_token_stream().to_string(),
        },
    }
}

/// `flags = BPF_F_NO_PREALLOC | BPF_F_NUMA_NODE`, `flags = 0x80`, or a Rust expression.
pub(crate) fn flags_value(e: &Expr, errors: &mut Errors) -> Option<(Value, Span, TokenStream)> {
    fn known(e: &Expr, errors: &mut Errors) -> Option<Option<u64>> {
        match e {
            Expr::Binary(b) if matches!(b.op, syn::BinOp::BitOr(_)) => {
                let l = known(&b.left, errors)?;
                let r = known(&b.right, errors)?;
                Some(l.zip(r).map(|(l, r)| l | r))
            }
            Expr::Paren(p) => known(&p.expr, errors),
            Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
                let id = p
                    .path
                    .get_ident()
                    .map(|i| i.to_string())
                    .unwrap_or_default();
                if let Some((_, v)) = MAP_FLAGS.iter().find(|(n, _)| *n == id) {
                    Some(Some(*v as u64))
                } else if id.starts_with("BPF_F_") {
                    let hint = names::closest(&id, MAP_FLAGS.iter().map(|(n, _)| *n))
                        .map(|s| format!("did you mean `{s}`? "))
                        .unwrap_or_default();
                    errors.spanned(
                        e,
                        format!(
                            "unknown map flag `{id}`; {hint}the map-creation flags are: {}",
                            flag_names(u32::MAX)
                        ),
                    );
                    None
                } else {
                    Some(None)
                }
            }
            _ => Some(consteval::eval(e).and_then(|n| u64::try_from(n).ok())),
        }
    }
    let span = e.span();
    match known(e, errors)? {
        Some(n) => Some((
            Value::Known(n, e.to_token_stream()),
            span,
            e.to_token_stream(),
        )),
        None => Some((
            Value::Rust {
                expr: flags_tokens(e),
                span,
                text: e.to_token_stream().to_string(),
            },
            span,
            e.to_token_stream(),
        )),
    }
}

/// A flags expression for rustc, with the `BPF_F_*` names the macro knows replaced by values.
pub(crate) fn flags_tokens(e: &Expr) -> TokenStream {
    match e {
        Expr::Binary(b) if matches!(b.op, syn::BinOp::BitOr(_)) => {
            let l = flags_tokens(&b.left);
            let r = flags_tokens(&b.right);
            quote!((#l | #r))
        }
        Expr::Paren(p) => flags_tokens(&p.expr),
        Expr::Path(p) if p.qself.is_none() && p.path.get_ident().is_some() => {
            let id = p
                .path
                .get_ident()
                .map(|i| i.to_string())
                .unwrap_or_default();
            match MAP_FLAGS.iter().find(|(n, _)| *n == id) {
                Some((_, v)) => quote_spanned!(e.span()=> #v),
                None => quote_spanned!(e.span()=> (#e)),
            }
        }
        _ => quote_spanned!(e.span()=> (#e)),
    }
}
