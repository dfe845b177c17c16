//! `inner = TYPE(...)`: the shape of the maps a map of maps (`array_of_maps`, `hash_of_maps`)
//! holds, checked like a map's own options and expanded to an `ebpf_dsl::spec::InnerMap`.

use super::*;

/// The inner shape's expansion and what the macro knows of it (for `defprogram!`'s facts).
pub(crate) struct InnerShape {
    /// `Some(InnerMap { .. })` or `None`.
    pub(crate) tokens: TokenStream,
    /// The inner type and its key size, value size, max_entries and flags where known.
    pub(crate) facts: Option<(MapType, [Option<u64>; 4])>,
    /// The inner map's type, to point at.
    pub(crate) span: Option<TokenStream>,
}

/// The options an inner map takes.
const INNER_OPTIONS: &[&str] = &[
    "key",
    "value",
    "key_size",
    "value_size",
    "max_entries",
    "flags",
];

/// Checks `inner = ...` against the outer map's type `mt` and expands it.
pub(crate) fn inner_shape(
    map_type: &Ident,
    mt: Option<MapType>,
    opt: Option<&MapOption>,
    errors: &mut Errors,
) -> InnerShape {
    let none = InnerShape {
        tokens: quote!(::core::option::Option::None),
        facts: None,
        span: None,
    };
    let of_maps = matches!(mt, Some(MapType::ArrayOfMaps | MapType::HashOfMaps));
    let Some(opt) = opt else {
        if let (true, Some(t)) = (of_maps, mt) {
            errors.spanned(
                map_type,
                format!(
                    "{} maps hold maps of one shape: add it, e.g. `inner = array(value = u64, \
                     max_entries = 16)` (the runtime creates the outer map with a map of that \
                     shape as `inner_map_fd`)",
                    t.name().to_ascii_uppercase()
                ),
            );
        }
        return none;
    };
    let OptValue::Inner {
        map_type: ity,
        options,
        ..
    } = &opt.value
    else {
        return none;
    };
    if !of_maps {
        if let Some(t) = mt {
            errors.spanned(
                &opt.key,
                format!(
                    "`inner` is for maps of maps (array_of_maps, hash_of_maps); {} maps hold no maps",
                    t.name()
                ),
            );
        }
        return none;
    }
    let Some(it) = MapType::from_name(&ity.to_string()) else {
        let known: Vec<&str> = MapType::ALL.iter().map(|t| t.name()).collect();
        let hint = names::closest(&ity.to_string(), known.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        errors.spanned(ity, format!("unknown inner map type `{ity}`{hint}"));
        return none;
    };
    let shape = ebpf_dsl::spec::InnerMap {
        map_type: it,
        key_size: 0,
        value_size: 0,
        max_entries: 0,
        flags: 0,
    };
    if let Err(why) = shape.check() {
        errors.spanned(ity, why);
        return none;
    }
    let mut get = std::collections::HashMap::new();
    for o in options {
        let k = o.key.to_string();
        if !INNER_OPTIONS.contains(&k.as_str()) {
            errors.spanned(
                &o.key,
                format!(
                    "`{k}` is not an inner map option; an inner map takes: {}",
                    INNER_OPTIONS.join(", ")
                ),
            );
            continue;
        }
        if get.insert(k.clone(), o).is_some() {
            errors.spanned(
                &o.key,
                format!("duplicate option `{k}`: each option may be given once"),
            );
        }
    }
    let r = rules(it);
    let tname = format!("inner {}", it.name().to_ascii_uppercase());
    let mut size = |ty_opt: &str, size_opt: &str, default: Option<u64>, what: &str| {
        let v = match (get.get(size_opt), get.get(ty_opt)) {
            (
                Some(MapOption {
                    value: OptValue::Expr(e),
                    ..
                }),
                _,
            ) => Some(expr_value(e, errors)),
            (
                _,
                Some(MapOption {
                    value: OptValue::Type(ty),
                    ..
                }),
            ) => Some(match primitive_size(ty) {
                Some(n) => Value::Known(n, ty.to_token_stream()),
                None => Value::Rust {
                    expr: quote_spanned!(ty.span()=> ::core::mem::size_of::<#ty>() as u32),
                    span: ty.span(),
                    text: format!("size_of::<{}>()", ty.to_token_stream()),
                },
            }),
            _ => default.map(|d| Value::Known(d, ity.to_token_stream())),
        };
        if v.is_none() {
            errors.spanned(ity, format!("{tname} maps need {what}"));
        }
        v
    };
    let key = size(
        "key",
        "key_size",
        r.key_default,
        "a key: add `key = u32` or `key_size = N`",
    );
    let value = size(
        "value",
        "value_size",
        r.value_default,
        "a value: add `value = u64` or `value_size = N`",
    );
    let max_entries = match get.get("max_entries") {
        Some(MapOption {
            value: OptValue::Expr(e),
            ..
        }) => Some(expr_value(e, errors)),
        _ => match r.max_entries_default {
            Some(d) => Some(Value::Known(d, ity.to_token_stream())),
            None => {
                errors.spanned(
                    ity,
                    format!("{tname} maps need a capacity: add `max_entries = N`"),
                );
                None
            }
        },
    };
    let flags = match get.get("flags") {
        Some(MapOption {
            value: OptValue::Expr(e),
            ..
        }) => flags_value(e, errors).map(|(v, _, _)| v),
        _ => Some(Value::Known(0, ity.to_token_stream())),
    };
    // The kernel's rules for the template, on the inner option's token at fault
    // (`MapSpec::creation_check`; the outer map's check names the inner map's type as a whole).
    if let (
        Some(Value::Known(k, kt)),
        Some(Value::Known(v, vt)),
        Some(Value::Known(m, mt_)),
        Some(Value::Known(f, ft)),
    ) = (&key, &value, &max_entries, &flags)
    {
        let spec = ebpf_dsl::MapSpec {
            name: "inner".into(),
            map_type: it,
            key_size: *k as u32,
            value_size: *v as u32,
            max_entries: *m as u32,
            flags: *f as u32,
            btf: None,
            inner: None,
        };
        if let Err(e) = spec.creation_check(ebpf_dsl::verifier::MAP_CREATE_REFERENCE) {
            use ebpf_dsl::verifier::MapAttr;
            let at = match e.attr {
                MapAttr::KeySize => kt.clone(),
                MapAttr::ValueSize => vt.clone(),
                MapAttr::MaxEntries => mt_.clone(),
                MapAttr::Flags => ft.clone(),
                _ => ity.to_token_stream(),
            };
            errors.spanned(
                at,
                format!(
                    "inner map: {}",
                    e.message.replacen("map `inner`", "maps", 1)
                ),
            );
        }
    }
    let (Some(k), Some(v), Some(m), Some(f)) = (key, value, max_entries, flags) else {
        return none;
    };
    let variant = Ident::new(&format!("{it:?}"), ity.span());
    let (kt, vt, mt_, ft) = (
        k.to_u32_tokens(),
        v.to_u32_tokens(),
        m.to_u32_tokens(),
        f.to_u32_tokens(),
    );
    InnerShape {
        tokens: quote!(::core::option::Option::Some(::ebpf_dsl::spec::InnerMap {
            map_type: ::ebpf_dsl::MapType::#variant,
            key_size: #kt,
            value_size: #vt,
            max_entries: #mt_,
            flags: #ft,
        })),
        facts: Some((it, [k.known(), v.known(), m.known(), f.known()])),
        span: Some(ity.to_token_stream()),
    }
}
