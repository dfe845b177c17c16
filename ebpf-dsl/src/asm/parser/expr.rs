//! Operands: values, constant expressions, memory operands and size casts.

use super::*;

impl<'a> StmtParser<'a> {
    pub(super) fn value(&mut self) -> PResult<Value> {
        if let Some(Token {
            tok: Tok::Extern(text),
            span,
        }) = self.peek()
        {
            self.pos += 1;
            return Ok(Value::Extern(text.to_string(), *span));
        }
        let start = self.pos;
        let v = self.expr(0)?;
        Ok(Value::Num(v, self.span_from(start)))
    }

    pub(super) fn num(&mut self, what: &str) -> PResult<(i128, Span)> {
        match self.value()? {
            Value::Num(v, s) => Ok((v, s)),
            Value::Extern(name, s) => err(
                DiagKind::Syntax,
                s,
                format!("{what} cannot be an interpolated value `{{{name}}}`"),
            ),
        }
    }

    /// Precedence climbing over C's binary operators (`|` lowest to `* / %` highest).
    pub(super) fn expr(&mut self, min_prec: u8) -> PResult<i128> {
        let mut lhs = self.unary()?;
        loop {
            let (op, prec, len) = match (self.peek_at(0), self.peek_at(1)) {
                (Some(Tok::Punct('|')), _) => ('|', 1, 1),
                (Some(Tok::Punct('^')), _) => ('^', 2, 1),
                (Some(Tok::Punct('&')), _) => ('&', 3, 1),
                (Some(Tok::Punct('<')), Some(Tok::Punct('<'))) => ('l', 4, 2),
                (Some(Tok::Punct('>')), Some(Tok::Punct('>'))) => ('r', 4, 2),
                (Some(Tok::Punct('+')), _) => ('+', 5, 1),
                (Some(Tok::Punct('-')), _) => ('-', 5, 1),
                (Some(Tok::Punct('*')), _) => ('*', 6, 1),
                (Some(Tok::Punct('/')), _) => ('/', 6, 1),
                (Some(Tok::Punct('%')), _) => ('%', 6, 1),
                _ => break,
            };
            // `x <<= ...` / `x |= ...` are not part of an expression.
            if self.peek_at(len) == Some(&Tok::Punct('=')) || prec < min_prec.max(1) {
                break;
            }
            let op_span = self.here();
            self.pos += len;
            let rhs = self.expr(prec + 1)?;
            let overflow = || {
                Diagnostic::new(
                    DiagKind::ImmediateRange,
                    Some(op_span),
                    "constant expression overflows or divides by zero",
                )
            };
            lhs = match op {
                '|' => lhs | rhs,
                '^' => lhs ^ rhs,
                '&' => lhs & rhs,
                'l' => u32::try_from(rhs)
                    .ok()
                    .filter(|&s| s < 64)
                    .and_then(|s| lhs.checked_shl(s))
                    .ok_or_else(overflow)?,
                'r' => u32::try_from(rhs)
                    .ok()
                    .filter(|&s| s < 64)
                    .map(|s| lhs >> s)
                    .ok_or_else(overflow)?,
                '+' => lhs.checked_add(rhs).ok_or_else(overflow)?,
                '-' => lhs.checked_sub(rhs).ok_or_else(overflow)?,
                '*' => lhs.checked_mul(rhs).ok_or_else(overflow)?,
                '/' => lhs.checked_div(rhs).ok_or_else(overflow)?,
                _ => lhs.checked_rem(rhs).ok_or_else(overflow)?,
            };
            if lhs.unsigned_abs() > u128::from(u64::MAX) {
                return Err(Box::new(overflow()));
            }
        }
        Ok(lhs)
    }

    pub(super) fn unary(&mut self) -> PResult<i128> {
        if self.depth >= MAX_EXPR_DEPTH {
            return err(
                DiagKind::Syntax,
                self.here(),
                format!("expression nested deeper than {MAX_EXPR_DEPTH} levels"),
            );
        }
        self.depth += 1;
        let v = self.unary_inner();
        self.depth -= 1;
        v
    }

    pub(super) fn unary_inner(&mut self) -> PResult<i128> {
        if self.eat_punct('-') {
            return Ok(-self.unary()?);
        }
        if self.eat_punct('+') {
            return self.unary();
        }
        if self.eat_punct('~') {
            let v = self.unary()?;
            // Bitwise not within 64 bits, like C on a u64/i64.
            return Ok(if v < 0 { !v } else { i128::from(!(v as u64)) });
        }
        self.primary()
    }

    pub(super) fn primary(&mut self) -> PResult<i128> {
        let span = self.here();
        match self.peek().map(|t| &t.tok) {
            Some(Tok::Int(Some(v))) => {
                self.pos += 1;
                Ok(i128::from(*v))
            }
            Some(Tok::Int(None)) => err(
                DiagKind::ImmediateRange,
                span,
                "number does not fit in 64 bits",
            ),
            Some(Tok::Punct('(')) => {
                self.pos += 1;
                let v = self.expr(0)?;
                self.expect_punct(')')?;
                Ok(v)
            }
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                match crate::isa::consts::const_by_name(name) {
                    Some(v) => {
                        self.pos += 1;
                        Ok(i128::from(v))
                    }
                    None => err(
                        DiagKind::UnknownName,
                        span,
                        format!("unknown name `{name}`: not a named constant (see ebpf_dsl::consts); to load map `{name}` write `rN = {name} ll`"),
                    ),
                }
            }
            Some(Tok::Extern(_)) => err(
                DiagKind::Syntax,
                span,
                "an interpolated `{value}` must be the whole operand, not part of an expression",
            ),
            _ => self.expected("a number or a named constant"),
        }
    }

    /// `+ term`, `- term` or nothing, as in a memory operand `(r1 + 8)`. Returns the offset
    /// value, or an extern.
    pub(super) fn mem_offset(&mut self) -> PResult<Option<Value>> {
        let neg = if self.eat_punct('+') {
            false
        } else if self.eat_punct('-') {
            true
        } else {
            return Ok(Some(Value::Num(0, self.here())));
        };
        let start = self.pos;
        if let Some(Token {
            tok: Tok::Extern(text),
            span,
        }) = self.peek()
        {
            self.pos += 1;
            if neg {
                return err(
                    DiagKind::Syntax,
                    *span,
                    "an interpolated offset is written `+ {value}` (put the sign in the value)",
                );
            }
            return Ok(Some(Value::Extern(text.to_string(), *span)));
        }
        let v = self.unary_term()?;
        let span = self.span_from(start.saturating_sub(1));
        Ok(Some(Value::Num(if neg { -v } else { v }, span)))
    }

    /// A single term: a number, a named constant, or a parenthesised expression.
    pub(super) fn unary_term(&mut self) -> PResult<i128> {
        self.primary()
    }

    /// `(rN +/- off)` with the parentheses.
    pub(super) fn mem_operand(&mut self) -> PResult<(RegOp, Value)> {
        self.expect_punct('(')?;
        let base = self.reg_wide(true, "the address register")?;
        let off = self.mem_offset()?.unwrap_or(Value::Num(0, base.span));
        self.expect_punct(')')?;
        Ok((base, off))
    }

    /// `rN +/- off` without parentheses (the xchg/cmpxchg address form).
    pub(super) fn bare_mem(&mut self) -> PResult<(RegOp, Value)> {
        let base = self.reg_wide(true, "the address register")?;
        let off = self.mem_offset()?.unwrap_or(Value::Num(0, base.span));
        Ok((base, off))
    }

    /// `(u32 *)` -> the size, sign flag and span of the size word.
    pub(super) fn size_cast(&mut self) -> PResult<(Size, bool, Span)> {
        self.expect_punct('(')?;
        let span = self.here();
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a size (`u8`, `u16`, `u32`, `u64`, `s8`, `s16`, `s32`)");
        };
        let Some((size, signed)) = size_of(name) else {
            return self.expected("a size (`u8`, `u16`, `u32`, `u64`, `s8`, `s16`, `s32`)");
        };
        self.pos += 1;
        self.expect_punct('*')?;
        self.expect_punct(')')?;
        Ok((size, signed, span))
    }

    // ----- statements -----
}
