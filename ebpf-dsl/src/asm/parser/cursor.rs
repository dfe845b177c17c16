//! The token cursor: looking at, eating and expecting tokens; registers.

use super::*;

impl<'a> StmtParser<'a> {
    pub(super) fn peek(&self) -> Option<&'a Token<'a>> {
        self.toks.get(self.pos)
    }

    pub(super) fn peek_at(&self, n: usize) -> Option<&'a Tok<'a>> {
        self.toks.get(self.pos + n).map(|t| &t.tok)
    }

    pub(super) fn here(&self) -> Span {
        self.peek()
            .map_or(Span::new(self.end, self.end), |t| t.span)
    }

    pub(super) fn is_punct(&self, c: char) -> bool {
        self.peek_at(0) == Some(&Tok::Punct(c))
    }

    pub(super) fn is_ident(&self, s: &str) -> bool {
        matches!(self.peek_at(0), Some(Tok::Ident(i)) if *i == s)
    }

    pub(super) fn eat_punct(&mut self, c: char) -> bool {
        if self.is_punct(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn describe(&self) -> String {
        match self.peek().map(|t| &t.tok) {
            None | Some(Tok::Sep) => "end of statement".into(),
            Some(Tok::Ident(s)) => format!("`{s}`"),
            Some(Tok::Int(_)) => "a number".into(),
            Some(Tok::Punct(c)) => format!("`{c}`"),
            Some(Tok::Extern(s)) => format!("`{{{s}}}`"),
            Some(Tok::Str(s)) => format!("the string \"{s}\""),
        }
    }

    pub(super) fn expected<T>(&self, what: &str) -> PResult<T> {
        err(
            DiagKind::Syntax,
            self.here(),
            format!("expected {what}, found {}", self.describe()),
        )
    }

    pub(super) fn expect_punct(&mut self, c: char) -> PResult<()> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            self.expected(&format!("`{c}`"))
        }
    }

    pub(super) fn expect_ident(&mut self, s: &str) -> PResult<()> {
        if self.is_ident(s) {
            self.pos += 1;
            Ok(())
        } else {
            self.expected(&format!("`{s}`"))
        }
    }

    pub(super) fn expect_end(&self) -> PResult<()> {
        if self.peek().is_none() {
            Ok(())
        } else {
            // "unexpected number", not "unexpected a number".
            let what = self.describe();
            let what = what
                .strip_prefix("a ")
                .or_else(|| what.strip_prefix("the "))
                .unwrap_or(&what);
            err(
                DiagKind::Syntax,
                self.here(),
                format!(
                    "unexpected {what} after the end of the instruction (statements are separated by a newline or `;`)"
                ),
            )
        }
    }

    /// The span from token `from` to the last consumed token.
    pub(super) fn span_from(&self, from: usize) -> Span {
        let first = self.toks.get(from).map_or(self.end, |t| t.span.start);
        let last = self
            .toks
            .get(self.pos.saturating_sub(1).max(from))
            .map_or(self.end, |t| t.span.end);
        Span::new(first, last.max(first))
    }

    // ----- registers -----

    pub(super) fn is_reg(&self) -> bool {
        matches!(self.peek_at(0), Some(Tok::Ident(s)) if parse_reg_name(s).is_some())
    }

    pub(super) fn reg(&mut self) -> PResult<RegOp> {
        let span = self.here();
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a register (r0-r10 or w0-w10)");
        };
        let Some((wide, n)) = parse_reg_name(name) else {
            return self.expected("a register (r0-r10 or w0-w10)");
        };
        let reg = n.and_then(|n| u8::try_from(n).ok()).and_then(Reg::new);
        let Some(reg) = reg else {
            return err(
                DiagKind::BadRegister,
                span,
                format!("no register `{name}`: eBPF has r0-r10 (w0-w10 for their low 32 bits)"),
            );
        };
        self.pos += 1;
        Ok(RegOp { reg, wide, span })
    }

    pub(super) fn reg_wide(&mut self, wide: bool, role: &str) -> PResult<RegOp> {
        let r = self.reg()?;
        if r.wide != wide {
            let want = if wide { 'r' } else { 'w' };
            return err(
                DiagKind::BadRegister,
                r.span,
                format!(
                    "{role} must be a {} register here (`{want}{}`), not `{}`",
                    if wide { "64-bit" } else { "32-bit" },
                    r.reg.num(),
                    r.name()
                ),
            );
        }
        Ok(r)
    }

    pub(super) fn same_reg(&self, a: RegOp, b: RegOp, what: &str) -> PResult<()> {
        if a.reg != b.reg || a.wide != b.wide {
            return err(
                DiagKind::BadRegister,
                b.span,
                format!(
                    "{what} works in place: the source must be the destination `{}`, not `{}`",
                    a.name(),
                    b.name()
                ),
            );
        }
        Ok(())
    }

    // ----- values and constant expressions -----
}
