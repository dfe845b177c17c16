//! Parsing `defmap!` declarations: attributes, name, map type, options.

use super::*;

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
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) map_type: Ident,
    pub(crate) options: Vec<MapOption>,
}

/// One `option = value` of a map declaration.
pub(crate) struct MapOption {
    pub(crate) key: Ident,
    pub(crate) value: OptValue,
}

pub(crate) enum OptValue {
    /// `key = u32`, `value = [u8; 6]`.
    Type(Type),
    /// `max_entries = 64`, `key_size = 4`, `flags = BPF_F_NO_PREALLOC`.
    Expr(Expr),
    /// `name = "xsks"`.
    Str(LitStr),
    /// `inner = array(value = u64, max_entries = 16)`: the shape of a map of maps' maps.
    Inner {
        /// The inner maps' type.
        map_type: Ident,
        /// Their options.
        options: Vec<MapOption>,
        /// The whole `array(...)`, for errors.
        tokens: TokenStream,
    },
    /// An unknown option's value, kept only for its span.
    Other(TokenStream),
}

/// The options `defmap!` understands, in the order the docs list them.
pub(crate) const OPTIONS: &[&str] = &[
    "key",
    "value",
    "key_size",
    "value_size",
    "max_entries",
    "flags",
    "name",
    "inner",
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
        let options = parse_options(&content)?;
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

/// The `option = value, ...` list inside a map declaration's parentheses.
fn parse_options(content: ParseStream) -> syn::Result<Vec<MapOption>> {
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
            "key_size" | "value_size" | "max_entries" | "flags" => OptValue::Expr(content.parse()?),
            "inner" => {
                let fork = content.fork();
                let map_type: Ident = content.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`inner` takes the inner maps' type and options, e.g. \
                             `inner = array(value = u64, max_entries = 16)`",
                    )
                })?;
                let inner;
                syn::parenthesized!(inner in content);
                let options = parse_options(&inner)?;
                let mut tokens = TokenStream::new();
                let f = fork;
                while !f.is_empty() && !f.peek(Token![,]) {
                    let tt: proc_macro2::TokenTree = f.parse()?;
                    tokens.extend([tt]);
                }
                OptValue::Inner {
                    map_type,
                    options,
                    tokens,
                }
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
    Ok(options)
}

impl ToTokens for MapOption {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        self.key.to_tokens(tokens);
        match &self.value {
            OptValue::Type(t) => t.to_tokens(tokens),
            OptValue::Expr(e) => e.to_tokens(tokens),
            OptValue::Str(s) => s.to_tokens(tokens),
            OptValue::Other(ts) => ts.to_tokens(tokens),
            OptValue::Inner { tokens: ts, .. } => ts.to_tokens(tokens),
        }
    }
}
