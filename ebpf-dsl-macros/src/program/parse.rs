//! Parsing `defprogram!` declarations: attributes, name, program type, options, body.

use super::*;

/// Everything one `defprogram!` invocation declares.
pub struct ProgDecls(pub Vec<ProgDecl>);

impl Parse for ProgDecls {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut decls = Vec::new();
        while !input.is_empty() {
            decls.push(input.parse()?);
        }
        Ok(ProgDecls(decls))
    }
}

/// `#[attrs] vis NAME: prog_type(option = value, ...) { body }`
#[derive(Clone)]
pub struct ProgDecl {
    pub(crate) attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) prog_type: Ident,
    pub(crate) options: Vec<(Ident, OptValue)>,
    pub(crate) body: TokenStream,
    pub(crate) body_span: DelimSpan,
}

#[derive(Clone)]
pub(crate) enum OptValue {
    Str(LitStr),
    Ident(Ident),
    Other(TokenStream),
}

impl OptValue {
    pub(crate) fn tokens(&self) -> TokenStream {
        match self {
            OptValue::Str(s) => quote!(#s),
            OptValue::Ident(i) => quote!(#i),
            OptValue::Other(t) => t.clone(),
        }
    }
}

/// The options `defprogram!` understands.
pub(crate) const OPTIONS: &[&str] = &["license", "name", "verify", "kernel", "alignment"];

impl Parse for ProgDecl {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let ident: Ident = input.parse()?;
        input.parse::<Token![:]>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected `:` and the program type after the program's name, as in \
                 `PASS: xdp { r0 = XDP_PASS; exit; }`",
            )
        })?;
        let prog_type: Ident = input.parse()?;
        let mut options = Vec::new();
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            while !content.is_empty() {
                let key: Ident = content.parse()?;
                content.parse::<Token![=]>()?;
                let value = if content.peek(LitStr) {
                    OptValue::Str(content.parse()?)
                } else if content.peek(Ident)
                    && (content.peek2(Token![,]) || {
                        let f = content.fork();
                        let _: Ident = f.parse()?;
                        f.is_empty()
                    })
                {
                    OptValue::Ident(content.parse()?)
                } else {
                    let mut ts = TokenStream::new();
                    while !content.is_empty() && !content.peek(Token![,]) {
                        let tt: TokenTree = content.parse()?;
                        ts.extend([tt]);
                    }
                    OptValue::Other(ts)
                };
                options.push((key, value));
                if content.is_empty() {
                    break;
                }
                content.parse::<Token![,]>()?;
            }
        }
        if !input.peek(syn::token::Brace) {
            return Err(
                input.error("expected the program body in braces: `{ r0 = XDP_PASS; exit; }`")
            );
        }
        let body;
        let brace = syn::braced!(body in input);
        let body: TokenStream = body.parse()?;
        Ok(ProgDecl {
            attrs,
            vis,
            ident,
            prog_type,
            options,
            body,
            body_span: brace.span,
        })
    }
}

/// How much checking `defprogram!` does beyond assembling.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// The assembler's structural checks and the static verifier (the default).
    Full,
    /// Only the structural checks (`verify = structural`): for programs the kernel accepts but
    /// the static verifier cannot prove safe.
    Structural,
}
