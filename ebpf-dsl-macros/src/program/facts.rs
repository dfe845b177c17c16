//! The facts of the referenced maps, learnt through the hidden macros `defmap!` emits.

use super::*;

/// What `defmap!` told about the maps a program references (through the hidden facts macros):
/// by Rust item name.
#[derive(Clone, Default)]
pub struct Facts {
    pub(crate) maps: Vec<(String, MapFacts)>,
    pub(crate) tokens: TokenStream,
}

/// One map's facts; `None` where only rustc knows the value (`size_of::<T>()`, a `const`).
#[derive(Clone)]
pub(crate) struct MapFacts {
    pub(crate) map_type: Option<MapType>,
    pub(crate) key_size: Option<u32>,
    pub(crate) value_size: Option<u32>,
    pub(crate) max_entries: Option<u32>,
    pub(crate) flags: Option<u32>,
    pub(crate) name: String,
    /// A map of maps' inner shape, when every part of it is known.
    pub(crate) inner: Option<ebpf_dsl::spec::InnerMap>,
}

impl Facts {
    /// Parses `(NAME map_type key value max flags "name") ...` (`_` for unknown numbers).
    pub fn parse(tokens: TokenStream) -> syn::Result<Facts> {
        let mut maps = Vec::new();
        for tt in tokens.clone() {
            let TokenTree::Group(g) = tt else {
                return Err(syn::Error::new(tt.span(), "malformed map facts"));
            };
            let parts: Vec<TokenTree> = g.stream().into_iter().collect();
            let (
                [TokenTree::Ident(rust), TokenTree::Ident(ty), k, v, m, f, TokenTree::Literal(name)],
                inner,
            ) = (parts.get(..7).unwrap_or(&[]), parts.get(7))
            else {
                return Err(syn::Error::new(g.span(), "malformed map facts"));
            };
            let num = |t: &TokenTree| t.to_string().parse::<u32>().ok();
            let inner = match inner {
                Some(TokenTree::Group(ig)) => {
                    let ip: Vec<TokenTree> = ig.stream().into_iter().collect();
                    match ip.as_slice() {
                        [TokenTree::Ident(it), ik, iv, im, iflags] => (|| {
                            Some(ebpf_dsl::spec::InnerMap {
                                map_type: MapType::from_name(&it.to_string())?,
                                key_size: num(ik)?,
                                value_size: num(iv)?,
                                max_entries: num(im)?,
                                flags: num(iflags)?,
                            })
                        })(),
                        _ => return Err(syn::Error::new(ig.span(), "malformed map facts")),
                    }
                }
                _ => None,
            };
            let name = syn::parse2::<LitStr>(name.to_token_stream())?.value();
            maps.push((
                rust.to_string(),
                MapFacts {
                    map_type: MapType::from_name(&ty.to_string()),
                    key_size: num(k),
                    value_size: num(v),
                    max_entries: num(m),
                    flags: num(f),
                    name,
                    inner,
                },
            ));
        }
        Ok(Facts { maps, tokens })
    }

    pub(crate) fn get(&self, rust_name: &str) -> Option<&MapFacts> {
        self.maps
            .iter()
            .find(|(n, _)| n == rust_name)
            .map(|(_, f)| f)
    }

    pub(crate) fn spec(&self, rust_name: &str) -> Option<MapSpec> {
        let f = self.get(rust_name)?;
        Some(MapSpec {
            // The relocations of the assembled text name maps by their Rust names.
            name: rust_name.to_string().into(),
            map_type: f.map_type?,
            key_size: f.key_size?,
            value_size: f.value_size?,
            max_entries: f.max_entries?,
            flags: f.flags?,
            btf: None,
            inner: f.inner,
        })
    }
}

/// The first map the program references (with `verify = full`) whose facts are not known yet.
pub(crate) fn missing_facts(decl: &ProgDecl, facts: &Facts) -> Option<Ident> {
    let structural = decl
        .options
        .iter()
        .any(|(k, v)| k == "verify" && matches!(v, OptValue::Ident(i) if i == "structural"));
    if structural {
        return None;
    }
    let mut scratch = Errors::new();
    let src = Source::from_tokens(decl.body.clone(), decl.body_span.close(), &mut scratch);
    let a = assemble(&src, &decl.ident, &decl.body_span, &mut scratch)?;
    a.relocations.iter().find_map(|r| {
        let sym = r.symbol.to_string();
        if facts.get(&sym).is_some() {
            None
        } else {
            Some(map_ident(&src, &a, r.insn_index, &sym))
        }
    })
}
