//! `defmap!`: parse the declarations, check them against the kernel's `map_alloc_check` rules,
//! and expand each to a `const` [`ebpf_dsl::MapSpec`].

use ebpf_dsl::MapType;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, LitStr, Token, Type, Visibility};

use crate::consteval;
use crate::errors::Errors;
use crate::names;

/// Everything one `defmap!` invocation declares.
pub struct MapDecls(pub Vec<MapDecl>);

impl Parse for MapDecls {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut decls = Vec::new();
        while !input.is_empty() {
            decls.push(input.parse()?);
        }
        Ok(MapDecls(decls))
    }
}

/// `#[attrs] vis NAME: map_type(option = value, ...);`
pub struct MapDecl {
    attrs: Vec<Attribute>,
    vis: Visibility,
    ident: Ident,
    map_type: Ident,
    options: Vec<MapOption>,
}

/// One `option = value` of a map declaration.
struct MapOption {
    key: Ident,
    value: OptValue,
}

enum OptValue {
    /// `key = u32`, `value = [u8; 6]`.
    Type(Type),
    /// `max_entries = 64`, `key_size = 4`, `flags = BPF_F_NO_PREALLOC`.
    Expr(Expr),
    /// `name = "xsks"`.
    Str(LitStr),
    /// An unknown option's value, kept only for its span.
    Other(TokenStream),
}

/// The options `defmap!` understands, in the order the docs list them.
const OPTIONS: &[&str] = &[
    "key",
    "value",
    "key_size",
    "value_size",
    "max_entries",
    "flags",
    "name",
];

impl Parse for MapDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `:` and the map type after the map's name, as in \
                 `XSKS: xskmap(max_entries = 64);`",
            )
        })?;
        let map_type: Ident = input.parse()?;
        let content;
        syn::parenthesized!(content in input);
        let mut options = Vec::new();
        while !content.is_empty() {
            let key: Ident = content.parse()?;
            content.parse::<Token![=]>()?;
            let value = match key.to_string().as_str() {
                "key" | "value" => OptValue::Type(content.parse()?),
                "name" => {
                    if content.peek(LitStr) {
                        OptValue::Str(content.parse()?)
                    } else {
                        let e: Expr = content.parse()?;
                        return Err(syn::Error::new_spanned(
                            e,
                            "`name` takes a string literal, e.g. `name = \"xsks_map\"`",
                        ));
                    }
                }
                "key_size" | "value_size" | "max_entries" | "flags" => {
                    OptValue::Expr(content.parse()?)
                }
                _ => {
                    let mut ts = TokenStream::new();
                    while !content.is_empty() && !content.peek(Token![,]) {
                        let tt: proc_macro2::TokenTree = content.parse()?;
                        ts.extend([tt]);
                    }
                    OptValue::Other(ts)
                }
            };
            options.push(MapOption { key, value });
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        input.parse::<Token![;]>().map_err(|e| {
            syn::Error::new(e.span(), "expected `;` after the map declaration's `(...)`")
        })?;
        Ok(MapDecl {
            attrs,
            vis,
            ident,
            map_type,
            options,
        })
    }
}

/// A size or count: known to the macro, or a Rust expression only rustc can evaluate.
#[derive(Clone)]
enum Value {
    /// The value and the tokens it came from (for errors).
    Known(u64, TokenStream),
    Rust {
        /// An expression of type `u32`.
        expr: TokenStream,
        span: Span,
        /// How the user wrote it (`size_of::<Sock>()`, `N`), for the assertion's message.
        text: String,
    },
}

impl Value {
    fn to_u32_tokens(&self) -> TokenStream {
        match self {
            Value::Known(n, _) => {
                let n = *n as u32;
                quote!(#n)
            }
            Value::Rust { expr, .. } => expr.clone(),
        }
    }

    fn known(&self) -> Option<u64> {
        match self {
            Value::Known(n, _) => Some(*n),
            Value::Rust { .. } => None,
        }
    }
}

/// A rule the kernel applies to a size or count at map creation.
#[derive(Clone, Copy)]
enum Rule {
    Exactly(u64),
    OneOf(u64, u64),
    NonZero,
    AtMost(u64),
    PowerOfTwoPageMultiple,
}

impl Rule {
    fn holds(self, n: u64) -> bool {
        match self {
            Rule::Exactly(k) => n == k,
            Rule::OneOf(a, b) => n == a || n == b,
            Rule::NonZero => n != 0,
            Rule::AtMost(k) => n <= k,
            Rule::PowerOfTwoPageMultiple => n.is_power_of_two() && n & 4095 == 0,
        }
    }

    /// The same test as a `const` boolean expression over `v` (a `u32`).
    fn const_test(self, v: &TokenStream) -> TokenStream {
        match self {
            Rule::Exactly(k) => quote!((#v) as u64 == #k),
            Rule::OneOf(a, b) => quote!((#v) as u64 == #a || (#v) as u64 == #b),
            Rule::NonZero => quote!((#v) as u64 != 0),
            Rule::AtMost(k) => quote!((#v) as u64 <= #k),
            Rule::PowerOfTwoPageMultiple => {
                quote!(((#v) as u64).is_power_of_two() && (#v) as u64 % 4096 == 0)
            }
        }
    }
}

/// The map-creation rules of one map type (`*_map_alloc_check` in `kernel/bpf/`).
struct TypeRules {
    /// Default key size when neither `key` nor `key_size` is given (`None`: required).
    key_default: Option<u64>,
    value_default: Option<u64>,
    key: Vec<(Rule, &'static str)>,
    value: Vec<(Rule, &'static str)>,
    max_entries: Vec<(Rule, &'static str)>,
    /// `max_entries` may be omitted (it must then be 0: local storage maps).
    max_entries_default: Option<u64>,
    /// `map_flags` bits the kernel accepts for this type (`None`: not checked here).
    flags_mask: Option<u32>,
}

const BPF_F_NO_PREALLOC: u32 = 1 << 0;
const BPF_F_NO_COMMON_LRU: u32 = 1 << 1;
const BPF_F_NUMA_NODE: u32 = 1 << 2;
const BPF_F_RDONLY: u32 = 1 << 3;
const BPF_F_WRONLY: u32 = 1 << 4;
const BPF_F_ZERO_SEED: u32 = 1 << 6;
const BPF_F_RDONLY_PROG: u32 = 1 << 7;
const BPF_F_WRONLY_PROG: u32 = 1 << 8;
const BPF_F_MMAPABLE: u32 = 1 << 10;
const BPF_F_INNER_MAP: u32 = 1 << 12;
const ACCESS: u32 = BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

/// Map-creation flags by name (`BPF_MAP_CREATE`'s `map_flags`, `linux/bpf.h`).
pub const MAP_FLAGS: &[(&str, u32)] = &[
    ("BPF_F_NO_PREALLOC", 1 << 0),
    ("BPF_F_NO_COMMON_LRU", 1 << 1),
    ("BPF_F_NUMA_NODE", 1 << 2),
    ("BPF_F_RDONLY", 1 << 3),
    ("BPF_F_WRONLY", 1 << 4),
    ("BPF_F_STACK_BUILD_ID", 1 << 5),
    ("BPF_F_ZERO_SEED", 1 << 6),
    ("BPF_F_RDONLY_PROG", 1 << 7),
    ("BPF_F_WRONLY_PROG", 1 << 8),
    ("BPF_F_CLONE", 1 << 9),
    ("BPF_F_MMAPABLE", 1 << 10),
    ("BPF_F_PRESERVE_ELEMS", 1 << 11),
    ("BPF_F_INNER_MAP", 1 << 12),
];

fn flag_names(mask: u32) -> String {
    let names: Vec<&str> = MAP_FLAGS
        .iter()
        .filter(|(_, v)| mask & v != 0)
        .map(|(n, _)| *n)
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

fn rules(t: MapType) -> TypeRules {
    use MapType as M;
    let nonzero_entries = vec![(
        Rule::NonZero,
        "`max_entries` must be at least 1: the kernel refuses a map with no entries (EINVAL)",
    )];
    let mut r = TypeRules {
        key_default: None,
        value_default: None,
        key: vec![],
        value: vec![(
            Rule::NonZero,
            "the kernel refuses a zero-sized value (EINVAL)",
        )],
        max_entries: nonzero_entries,
        max_entries_default: None,
        flags_mask: None,
    };
    let key4 = |what: &'static str| vec![(Rule::Exactly(4), what)];
    match t {
        M::Xskmap => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key =
                key4("an XSKMAP key is the RX queue index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "an XSKMAP value is an AF_XDP socket fd: the kernel requires a 4-byte value (u32)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY);
        }
        M::Devmap | M::DevmapHash => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4(if t == M::Devmap {
                "a DEVMAP key is an index: the kernel requires a 4-byte key (u32)"
            } else {
                "a DEVMAP_HASH key is an ifindex: the kernel requires a 4-byte key (u32)"
            });
            r.value = vec![(
                Rule::OneOf(4, 8),
                "a DEVMAP value is `struct bpf_devmap_val`: 4 bytes (ifindex) or 8 bytes (ifindex + \
                 program fd, Linux 5.8)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY);
            if t == M::DevmapHash {
                r.max_entries.push((
                    Rule::AtMost(1 << 31),
                    "a DEVMAP_HASH holds at most 2^31 entries",
                ));
            }
        }
        M::Cpumap => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("a CPUMAP key is a CPU number: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::OneOf(4, 8),
                "a CPUMAP value is `struct bpf_cpumap_val`: 4 bytes (queue size) or 8 bytes (queue \
                 size + program fd, Linux 5.9)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE);
        }
        M::ProgArray => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("a PROG_ARRAY key is an index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "a PROG_ARRAY value is a program fd: the kernel requires a 4-byte value (u32)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_INNER_MAP);
        }
        M::PerfEventArray | M::CgroupArray | M::ArrayOfMaps => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("an array map's key is an index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "this map's value is an fd: the kernel requires a 4-byte value (u32)",
            )];
        }
        M::Array | M::PercpuArray => {
            r.key_default = Some(4);
            r.key = key4("an array map's key is an index: the kernel requires a 4-byte key (u32)");
            r.flags_mask = Some(
                BPF_F_NUMA_NODE
                    | ACCESS
                    | BPF_F_INNER_MAP
                    | if t == M::Array { BPF_F_MMAPABLE } else { 0 },
            );
        }
        M::Hash | M::PercpuHash | M::LruHash | M::LruPercpuHash | M::HashOfMaps => {
            r.key = vec![
                (
                    Rule::NonZero,
                    "the kernel refuses a zero-sized key (EINVAL)",
                ),
                (
                    Rule::AtMost(512),
                    "a hash key must fit on the 512-byte BPF stack (the kernel returns E2BIG)",
                ),
            ];
            if t == M::HashOfMaps {
                r.value_default = Some(4);
            }
            let lru = matches!(t, M::LruHash | M::LruPercpuHash);
            r.flags_mask = Some(
                BPF_F_NUMA_NODE
                    | ACCESS
                    | BPF_F_ZERO_SEED
                    | if lru {
                        BPF_F_NO_COMMON_LRU
                    } else {
                        BPF_F_NO_PREALLOC
                    },
            );
        }
        M::Ringbuf | M::UserRingbuf => {
            r.key_default = Some(0);
            r.value_default = Some(0);
            r.key = vec![(
                Rule::Exactly(0),
                "a ring buffer has no key: remove `key`/`key_size`",
            )];
            r.value = vec![(
                Rule::Exactly(0),
                "a ring buffer has no value: remove `value`/`value_size`",
            )];
            r.max_entries = vec![(
                Rule::PowerOfTwoPageMultiple,
                "a ring buffer's `max_entries` is its size in bytes and must be a power of two and \
                 a multiple of the 4096-byte page size (e.g. `256 * 1024`)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE);
        }
        M::Queue | M::Stack | M::BloomFilter => {
            r.key_default = Some(0);
            r.key = vec![(
                Rule::Exactly(0),
                "queue, stack and bloom filter maps have no key: remove `key`/`key_size`",
            )];
        }
        M::SkStorage
        | M::InodeStorage
        | M::TaskStorage
        | M::CgrpStorage
        | M::CgroupStorage
        | M::PercpuCgroupStorage => {
            r.max_entries_default = Some(0);
            r.max_entries = vec![(
                Rule::Exactly(0),
                "local storage maps have one value per object: `max_entries` must be 0 (omit it)",
            )];
        }
        _ => {}
    }
    r
}

/// Known sizes of primitive types, for `key = u32` and `[u8; 6]`.
fn primitive_size(ty: &Type) -> Option<u64> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let id = p.path.segments[0].ident.to_string();
            Some(match id.as_str() {
                "u8" | "i8" | "bool" => 1,
                "u16" | "i16" => 2,
                "u32" | "i32" | "f32" | "char" => 4,
                "u64" | "i64" | "f64" => 8,
                "u128" | "i128" => 16,
                _ => return None,
            })
        }
        Type::Array(a) => {
            let n = consteval::eval(&a.len)?;
            primitive_size(&a.elem)?.checked_mul(u64::try_from(n).ok()?)
        }
        Type::Paren(p) => primitive_size(&p.elem),
        Type::Tuple(t) if t.elems.is_empty() => Some(0),
        _ => None,
    }
}

/// Expands one `defmap!` invocation: the consts, or the errors (plus fallback consts so that
/// code using the maps does not drown the real error in follow-on errors).
pub fn expand(decls: MapDecls) -> TokenStream {
    let mut out = TokenStream::new();
    for decl in decls.0 {
        out.extend(expand_one(decl));
    }
    out
}

fn expand_one(decl: MapDecl) -> TokenStream {
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
        Some(MapType::ArrayOfMaps | MapType::HashOfMaps) => Some(
            "needs an inner map (`inner_map_fd` at creation), which a MapSpec cannot describe \
             yet",
        ),
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
        for (v, rs, what) in [
            (&key, &r.key, "key size"),
            (&value, &r.value, "value size"),
            (&max_entries, &r.max_entries, "max_entries"),
        ] {
            let Some(v) = v else { continue };
            for (rule, msg) in rs {
                match v {
                    Value::Known(n, tokens) => {
                        if !rule.holds(*n) {
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
    let cfgs: Vec<&Attribute> = attrs.iter().filter(|a| a.path().is_ident("cfg")).collect();
    let facts = facts_macro(
        &cfgs,
        &vis,
        &ident,
        mt,
        if errors.is_empty() { known } else { [None; 4] },
        &name,
    );
    quote! {
        #errs
        #(#attrs)*
        #vis const #ident: ::ebpf_dsl::MapSpec = ::ebpf_dsl::MapSpec {
            name: ::std::borrow::Cow::Borrowed(#name),
            map_type: #variant,
            key_size: #k,
            value_size: #v,
            max_entries: #m,
            flags: #f,
        };
        #asserts
        #facts
    }
}

/// The hidden `macro_rules!` through which `defprogram!` learns this map's type and sizes
/// for its verifier: `defprogram!` expands to `NAME! { {facts so far} input }`, and this
/// macro calls `__defprogram_with_facts!` back with its own facts appended. It is imported
/// under the map's own name in the macro namespace (no clash with the `const`), so wherever
/// the `const` is in scope by `use`, so are its facts. Macros cannot be exported beyond the
/// crate this way: `pub` maps get a `pub(crate)` facts macro.
fn facts_macro(
    cfgs: &[&Attribute],
    vis: &Visibility,
    ident: &Ident,
    map_type: Option<MapType>,
    known: [Option<u64>; 4],
    name: &str,
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
                    { $($facts)* (#bare #ty #k #v #m #f #name) } $($rest)*
                }
            };
        }
        #(#cfgs)*
        #[doc(hidden)]
        #[allow(unused_imports)]
        #use_vis use #hidden as #ident;
    }
}

/// An integer option: evaluated here if the macro can, else left to rustc (typed `u32`).
fn expr_value(e: &Expr, errors: &mut Errors) -> Value {
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
fn flags_value(e: &Expr, errors: &mut Errors) -> Option<(Value, Span, TokenStream)> {
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
fn flags_tokens(e: &Expr) -> TokenStream {
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

impl ToTokens for MapOption {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.key.to_tokens(tokens);
        match &self.value {
            OptValue::Type(t) => t.to_tokens(tokens),
            OptValue::Expr(e) => e.to_tokens(tokens),
            OptValue::Str(s) => s.to_tokens(tokens),
            OptValue::Other(ts) => ts.to_tokens(tokens),
        }
    }
}
