//! Register statements: `dst op= src` ALU forms, moves, byte swaps, negation.

use super::*;

impl<'a> StmtParser<'a> {
    /// Statements that start with a register.
    pub(super) fn reg_statement(&mut self) -> PResult<ItemKind> {
        let dst = self.reg()?;
        let class = if dst.wide { Class::Alu64 } else { Class::Alu };
        // Compound assignment: `op=`.
        let op_span = self.here();
        let signed = self.is_ident("s");
        if signed {
            self.pos += 1;
        }
        let compound = match (self.peek_at(0), self.peek_at(1), self.peek_at(2)) {
            (Some(Tok::Punct('+')), Some(Tok::Punct('=')), _) => Some((AluOp::Add, 2)),
            (Some(Tok::Punct('-')), Some(Tok::Punct('=')), _) => Some((AluOp::Sub, 2)),
            (Some(Tok::Punct('*')), Some(Tok::Punct('=')), _) => Some((AluOp::Mul, 2)),
            (Some(Tok::Punct('/')), Some(Tok::Punct('=')), _) => Some((AluOp::Div, 2)),
            (Some(Tok::Punct('%')), Some(Tok::Punct('=')), _) => Some((AluOp::Mod, 2)),
            (Some(Tok::Punct('|')), Some(Tok::Punct('=')), _) => Some((AluOp::Or, 2)),
            (Some(Tok::Punct('&')), Some(Tok::Punct('=')), _) => Some((AluOp::And, 2)),
            (Some(Tok::Punct('^')), Some(Tok::Punct('=')), _) => Some((AluOp::Xor, 2)),
            (Some(Tok::Punct('<')), Some(Tok::Punct('<')), Some(Tok::Punct('='))) => {
                Some((AluOp::Lsh, 3))
            }
            (Some(Tok::Punct('>')), Some(Tok::Punct('>')), Some(Tok::Punct('='))) => {
                Some((if signed { AluOp::Arsh } else { AluOp::Rsh }, 3))
            }
            _ => None,
        };
        if let Some((op, len)) = compound {
            let signed_ok = matches!(op, AluOp::Div | AluOp::Mod | AluOp::Arsh);
            if signed && !signed_ok {
                return err(
                    DiagKind::Syntax,
                    op_span,
                    "only `s/=`, `s%=` and `s>>=` have a signed form",
                );
            }
            self.pos += len;
            // `s/=` and `s%=` are the v4 signed forms: off = 1.
            let off = i16::from(signed && matches!(op, AluOp::Div | AluOp::Mod));
            return if self.is_reg() {
                let src = self.reg_wide(dst.wide, "the source")?;
                Ok(ItemKind::Insn(Insn::new(
                    class as u8 | op as u8 | Source::Reg as u8,
                    dst.reg.num(),
                    src.reg.num(),
                    off,
                    0,
                )))
            } else {
                let v = self.value()?;
                let insn = Insn::new(class as u8 | op as u8, dst.reg.num(), 0, off, 0);
                Self::with_values(insn, None, Some((v, "immediate")))
            };
        }
        if signed {
            return err(
                DiagKind::Syntax,
                op_span,
                "expected `s/=`, `s%=` or `s>>=` after the register",
            );
        }
        if !self.eat_punct('=') {
            return self.expected("an assignment (`=`, `+=`, `-=`, ...)");
        }
        self.assignment(dst, class)
    }

    /// The right-hand side of `dst = ...`.
    pub(super) fn assignment(&mut self, dst: RegOp, class: Class) -> PResult<ItemKind> {
        // Negation: `r1 = -r1`.
        if self.is_punct('-')
            && matches!(self.peek_at(1), Some(Tok::Ident(s)) if parse_reg_name(s).is_some())
        {
            self.pos += 1;
            let src = self.reg()?;
            self.same_reg(dst, src, "negation")?;
            return Ok(ItemKind::Insn(Insn::new(
                class as u8 | AluOp::Neg as u8,
                dst.reg.num(),
                0,
                0,
                0,
            )));
        }
        // Sign-extending move: `r1 = (s8)r2`.
        if self.is_punct('(') {
            if let Some(Tok::Ident(w)) = self.peek_at(1) {
                if let Some(bits) = match *w {
                    "s8" => Some(8),
                    "s16" => Some(16),
                    "s32" => Some(32),
                    _ => None,
                } {
                    let wspan = self.toks[self.pos + 1].span;
                    self.pos += 2;
                    self.expect_punct(')')?;
                    if !dst.wide && bits == 32 {
                        return err(
                            DiagKind::Syntax,
                            wspan,
                            "32-bit sign-extending moves take `(s8)` or `(s16)`",
                        );
                    }
                    let src = self.reg_wide(dst.wide, "the source")?;
                    return Ok(ItemKind::Insn(Insn::new(
                        class as u8 | AluOp::Mov as u8 | Source::Reg as u8,
                        dst.reg.num(),
                        src.reg.num(),
                        bits,
                        0,
                    )));
                }
            }
        }
        // Loads: `r1 = *(u32 *)(r2 + 4)` and `r0 = *(u8 *)skb[..]`.
        if self.is_punct('*') {
            return self.load(dst);
        }
        if let Some(Tok::Ident(word)) = self.peek_at(0) {
            let word: &str = word;
            // Byte swaps.
            let swap = match word {
                "be16" => Some((0xdc, 16)),
                "be32" => Some((0xdc, 32)),
                "be64" => Some((0xdc, 64)),
                "le16" => Some((0xd4, 16)),
                "le32" => Some((0xd4, 32)),
                "le64" => Some((0xd4, 64)),
                "bswap16" => Some((0xd7, 16)),
                "bswap32" => Some((0xd7, 32)),
                "bswap64" => Some((0xd7, 64)),
                _ => None,
            };
            if let Some((code, bits)) = swap {
                self.pos += 1;
                if !dst.wide {
                    return err(
                        DiagKind::BadRegister,
                        dst.span,
                        format!(
                            "byte swaps operate on 64-bit registers: write `r{0} = {word} r{0}`",
                            dst.reg.num()
                        ),
                    );
                }
                let src = self.reg()?;
                self.same_reg(dst, src, "a byte swap")?;
                return Ok(ItemKind::Insn(Insn::new(code, dst.reg.num(), 0, 0, bits)));
            }
            if self.peek_at(1) == Some(&Tok::Punct('(')) {
                match word {
                    "atomic_fetch_add" | "atomic_fetch_or" | "atomic_fetch_and"
                    | "atomic_fetch_xor" => return self.fetch_atomic(dst, word),
                    "xchg_64" | "xchg32_32" | "cmpxchg_64" | "cmpxchg32_32" => {
                        return self.xchg(dst, word)
                    }
                    "addr_space_cast" => return self.addr_space_cast(dst),
                    "load_acquire" => return self.load_acquire(dst),
                    "map_value" => return self.map_value(dst),
                    _ => {}
                }
            }
            // `r2 = name ll` naming a label of this program: the address of a callback
            // (`BPF_PSEUDO_FUNC`), LLVM's symbol form for a function.
            if parse_reg_name(word).is_none()
                && self.labels.contains(word)
                && self.peek_at(1) == Some(&Tok::Ident("ll"))
            {
                self.pos += 2;
                self.need_wide_ld(dst)?;
                return Ok(ItemKind::FuncRef {
                    dst: dst.reg,
                    target: Target::Label(Cow::Owned(word.to_string())),
                });
            }
            // `r1 = name ll` naming a map.
            if parse_reg_name(word).is_none()
                && crate::isa::consts::const_by_name(word).is_none()
                && self.peek_at(1) == Some(&Tok::Ident("ll"))
            {
                self.pos += 2;
                self.need_wide_ld(dst)?;
                return Ok(ItemKind::MapRef {
                    dst: dst.reg,
                    map: Cow::Owned(word.to_string()),
                    kind: RelocKind::MapFd,
                });
            }
        }
        // Register move.
        if self.is_reg() {
            // `r1 = w0`: clang's assembly printer writes its 32-bit move whose result is used
            // as a 64-bit value (LLVM's MOV_32_64, which llvm-mc does not parse back) this
            // way; it is the 32-bit `w1 = w0` (opcode 0xbc), the upper half zeroed.
            if dst.wide
                && matches!(self.peek_at(0), Some(Tok::Ident(s)) if parse_reg_name(s).is_some_and(|(wide, _)| !wide))
            {
                let src = self.reg()?;
                return Ok(ItemKind::Insn(Insn::new(
                    Class::Alu as u8 | AluOp::Mov as u8 | Source::Reg as u8,
                    dst.reg.num(),
                    src.reg.num(),
                    0,
                    0,
                )));
            }
            let src = self.reg_wide(dst.wide, "the source")?;
            return Ok(ItemKind::Insn(Insn::new(
                class as u8 | AluOp::Mov as u8 | Source::Reg as u8,
                dst.reg.num(),
                src.reg.num(),
                0,
                0,
            )));
        }
        // Immediates: `r1 = 5`, `r1 = 5 ll`.
        let v = self.value()?;
        if self.is_ident("ll") {
            self.pos += 1;
            self.need_wide_ld(dst)?;
            return match v {
                Value::Num(n, s) => {
                    if !(i128::from(i64::MIN)..=i128::from(u64::MAX)).contains(&n) {
                        return err(
                            DiagKind::ImmediateRange,
                            s,
                            format!("{n} does not fit in 64 bits"),
                        );
                    }
                    Ok(ItemKind::LdImm64 {
                        dst: dst.reg,
                        src: 0,
                        imm: n as u64 as i64,
                    })
                }
                Value::Extern(name, _) => Ok(ItemKind::Extern {
                    insn: Insn::new(0x18, dst.reg.num(), 0, 0, 0),
                    field: ExternField::Imm64,
                    value: ExternValue {
                        name: Cow::Owned(name),
                    },
                }),
            };
        }
        let insn = Insn::new(class as u8 | AluOp::Mov as u8, dst.reg.num(), 0, 0, 0);
        Self::with_values(insn, None, Some((v, "immediate")))
    }

    /// A `size` access through register `r` (`what`: "load", "store", "atomic"): a 64-bit one
    /// needs a 64-bit register.
    pub(super) fn need_wide_for(size: Size, r: RegOp, what: &str) -> PResult<()> {
        if size == Size::DW && !r.wide {
            return err(
                DiagKind::BadRegister,
                r.span,
                format!(
                    "a 64-bit {what} needs a 64-bit register (`r{}`)",
                    r.reg.num()
                ),
            );
        }
        Ok(())
    }
}
