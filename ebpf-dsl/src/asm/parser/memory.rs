//! Loads, stores, atomics, `ld_imm64` forms and `addr_space_cast`.

use super::*;

impl<'a> StmtParser<'a> {
    /// `ld_pseudo rD, KIND, IMM [, IMM2]`: an `ld_imm64` with `src = KIND` (a `BPF_PSEUDO_*`
    /// form given as numbers), `IMM` in the first slot and `IMM2` (default 0) in the second.
    /// LLVM's syntax, with the optional fourth operand as our extension.
    pub(super) fn ld_pseudo(&mut self) -> PResult<ItemKind> {
        let dst = self.reg_wide(true, "the destination")?;
        self.expect_punct(',')?;
        let (kind, kspan) = self.num("the pseudo kind")?;
        let kind = u8::try_from(kind).ok().filter(|&k| k <= 15).map_or_else(
            || {
                err(
                    DiagKind::ImmediateRange,
                    kspan,
                    "the pseudo kind is a 4-bit `src` value (0 to 15; the kernel defines 1 to 6)",
                )
            },
            Ok,
        )?;
        self.expect_punct(',')?;
        let (lo, lspan) = self.num("an immediate")?;
        let lo = imm32(lo, lspan, "immediate")?;
        let hi = if self.eat_punct(',') {
            let (hi, hspan) = self.num("an immediate")?;
            imm32(hi, hspan, "immediate")?
        } else {
            0
        };
        Ok(ItemKind::LdImm64 {
            dst: dst.reg,
            src: kind,
            imm: (i64::from(hi) << 32) | i64::from(lo as u32),
        })
    }

    /// `*(size *)(rN + off) = src`
    pub(super) fn store(&mut self) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let (size, signed, size_span) = self.size_cast()?;
        if signed {
            return err(
                DiagKind::Syntax,
                size_span,
                "stores take `u8`, `u16`, `u32` or `u64`; sign extension only exists for loads",
            );
        }
        let (base, off) = self.mem_operand()?;
        self.expect_punct('=')?;
        if self.is_reg() {
            let src = self.reg()?;
            Self::need_wide_for(size, src, "store")?;
            let insn = Insn::new(
                Class::Stx as u8 | Mode::Mem as u8 | size as u8,
                base.reg.num(),
                src.reg.num(),
                0,
                0,
            );
            Self::with_values(insn, Some(off), None)
        } else {
            let v = self.value()?;
            let insn = Insn::new(
                Class::St as u8 | Mode::Mem as u8 | size as u8,
                base.reg.num(),
                0,
                0,
                0,
            );
            Self::with_values(insn, Some(off), Some((v, "stored immediate")))
        }
    }

    /// `lock *(size *)(rN + off) op= src`
    pub(super) fn lock_atomic(&mut self) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let size = self.atomic_size()?;
        let (base, off) = self.mem_operand()?;
        let op_span = self.here();
        let op = match (self.peek_at(0), self.peek_at(1)) {
            (Some(Tok::Punct('+')), Some(Tok::Punct('='))) => AtomicOp::Add,
            (Some(Tok::Punct('|')), Some(Tok::Punct('='))) => AtomicOp::Or,
            (Some(Tok::Punct('&')), Some(Tok::Punct('='))) => AtomicOp::And,
            (Some(Tok::Punct('^')), Some(Tok::Punct('='))) => AtomicOp::Xor,
            _ => {
                return err(
                    DiagKind::Syntax,
                    op_span,
                    format!(
                        "expected an atomic operation (`+=`, `|=`, `&=`, `^=`), found {}",
                        self.describe()
                    ),
                )
            }
        };
        self.pos += 2;
        let src = self.reg()?;
        Self::atomic_item(size, base, off, src, op.imm(false))
    }

    /// The atomic instruction `op_imm` of `size` on `*(base + off)` with `src`, which must be a
    /// 64-bit register for a 64-bit operation (both atomic syntaxes end here).
    pub(super) fn atomic_item(
        size: Size,
        base: RegOp,
        off: Value,
        src: RegOp,
        op_imm: i32,
    ) -> PResult<ItemKind> {
        Self::need_wide_for(size, src, "atomic")?;
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            base.reg.num(),
            src.reg.num(),
            0,
            op_imm,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// The `(u32 *)`/`(u64 *)` cast of an atomic operation.
    pub(super) fn atomic_size(&mut self) -> PResult<Size> {
        let (size, signed, size_span) = self.size_cast()?;
        if signed || !matches!(size, Size::W | Size::DW) {
            return err(
                DiagKind::Syntax,
                size_span,
                "atomic operations are 32-bit (`u32`) or 64-bit (`u64`)",
            );
        }
        Ok(size)
    }

    pub(super) fn need_wide_ld(&self, dst: RegOp) -> PResult<()> {
        if dst.wide {
            Ok(())
        } else {
            err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "a 64-bit load (`ll`) needs a 64-bit register (`r{}`)",
                    dst.reg.num()
                ),
            )
        }
    }

    pub(super) fn load(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.expect_punct('*')?;
        let (size, signed, size_span) = self.size_cast()?;
        if self.is_ident("skb") {
            self.pos += 1;
            if size == Size::DW || signed {
                return err(
                    DiagKind::Syntax,
                    size_span,
                    "legacy packet loads take `u8`, `u16` or `u32`",
                );
            }
            if dst.reg != Reg::R0 || !dst.wide {
                return err(
                    DiagKind::BadRegister,
                    dst.span,
                    "legacy packet loads (`skb[..]`) always write `r0`",
                );
            }
            self.expect_punct('[')?;
            let kind = if self.is_reg() {
                let src = self.reg_wide(true, "the packet offset register")?;
                let imm = self.mem_offset()?.unwrap_or(Value::Num(0, src.span));
                let insn = Insn::new(
                    Class::Ld as u8 | Mode::Ind as u8 | size as u8,
                    0,
                    src.reg.num(),
                    0,
                    0,
                );
                Self::with_values(insn, None, Some((imm, "packet offset")))?
            } else {
                let v = self.value()?;
                let insn = Insn::new(Class::Ld as u8 | Mode::Abs as u8 | size as u8, 0, 0, 0, 0);
                Self::with_values(insn, None, Some((v, "packet offset")))?
            };
            self.expect_punct(']')?;
            return Ok(kind);
        }
        let (base, off) = self.mem_operand()?;
        if signed && !dst.wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "sign-extending loads write a 64-bit register (`r{}`)",
                    dst.reg.num()
                ),
            );
        }
        Self::need_wide_for(size, dst, "load")?;
        let mode = if signed { Mode::MemSx } else { Mode::Mem };
        let insn = Insn::new(
            Class::Ldx as u8 | mode as u8 | size as u8,
            dst.reg.num(),
            base.reg.num(),
            0,
            0,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// `dst = atomic_fetch_op((size *)(rN + off), dst)`
    pub(super) fn fetch_atomic(&mut self, dst: RegOp, word: &str) -> PResult<ItemKind> {
        let op = match word {
            "atomic_fetch_add" => AtomicOp::Add,
            "atomic_fetch_or" => AtomicOp::Or,
            "atomic_fetch_and" => AtomicOp::And,
            _ => AtomicOp::Xor,
        };
        self.pos += 1;
        self.expect_punct('(')?;
        let size = self.atomic_size()?;
        let (base, off) = self.mem_operand()?;
        self.expect_punct(',')?;
        let src = self.reg()?;
        self.expect_punct(')')?;
        self.same_reg(dst, src, "an atomic fetch")?;
        Self::atomic_item(size, base, off, src, op.imm(true))
    }

    /// `dst = load_acquire((size *)(rN + off))` (`BPF_LOAD_ACQ`, Linux 6.15; any size, `w`
    /// or `r` below 64 bits).
    pub(super) fn load_acquire(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.pos += 1;
        self.expect_punct('(')?;
        let size = self.ordered_size()?;
        let (base, off) = self.mem_operand()?;
        self.expect_punct(')')?;
        Self::need_wide_for(size, dst, "load-acquire")?;
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            dst.reg.num(),
            base.reg.num(),
            0,
            crate::isa::insn::BPF_LOAD_ACQ,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// `store_release((size *)(rN + off), src)` (`BPF_STORE_REL`, Linux 6.15), after the
    /// word.
    pub(super) fn store_release(&mut self) -> PResult<ItemKind> {
        self.expect_punct('(')?;
        let size = self.ordered_size()?;
        let (base, off) = self.mem_operand()?;
        self.expect_punct(',')?;
        let src = self.reg()?;
        self.expect_punct(')')?;
        Self::need_wide_for(size, src, "store-release")?;
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            base.reg.num(),
            src.reg.num(),
            0,
            crate::isa::insn::BPF_STORE_REL,
        );
        Self::with_values(insn, Some(off), None)
    }

    /// The unsigned `(uN *)` cast of a load-acquire or store-release.
    fn ordered_size(&mut self) -> PResult<Size> {
        let (size, signed, size_span) = self.size_cast()?;
        if signed {
            return err(
                DiagKind::Syntax,
                size_span,
                "load-acquire and store-release take an unsigned size (`u8`, `u16`, `u32`, `u64`)",
            );
        }
        Ok(size)
    }

    /// `dst = xchg_64(rN + off, dst)`, `r0 = cmpxchg_64(rN + off, r0, src)` and the 32-bit forms.
    pub(super) fn xchg(&mut self, dst: RegOp, word: &str) -> PResult<ItemKind> {
        let wide = word.ends_with("_64");
        let cmp = word.starts_with("cmpxchg");
        self.pos += 1;
        self.expect_punct('(')?;
        if dst.wide != wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                format!(
                    "`{word}` writes a {} register",
                    if wide { "64-bit `r`" } else { "32-bit `w`" }
                ),
            );
        }
        let (base, off) = self.bare_mem()?;
        self.expect_punct(',')?;
        let size = if wide { Size::DW } else { Size::W };
        let src = if cmp {
            if dst.reg != Reg::R0 {
                return err(
                    DiagKind::BadRegister,
                    dst.span,
                    "compare-and-exchange returns the old value in r0: write `r0 = cmpxchg_64(..)` / `w0 = cmpxchg32_32(..)`",
                );
            }
            let expected = self.reg_wide(wide, "the expected value")?;
            if expected.reg != Reg::R0 {
                return err(
                    DiagKind::BadRegister,
                    expected.span,
                    "compare-and-exchange compares with r0: the second argument must be r0/w0",
                );
            }
            self.expect_punct(',')?;
            self.reg_wide(wide, "the new value")?
        } else {
            let src = self.reg_wide(wide, "the new value")?;
            self.same_reg(dst, src, "an exchange")?;
            src
        };
        self.expect_punct(')')?;
        let op = if cmp {
            AtomicOp::Cmpxchg
        } else {
            AtomicOp::Xchg
        };
        let insn = Insn::new(
            Class::Stx as u8 | Mode::Atomic as u8 | size as u8,
            base.reg.num(),
            src.reg.num(),
            0,
            op.imm(true),
        );
        Self::with_values(insn, Some(off), None)
    }

    /// `dst = addr_space_cast(src, dst_as, src_as)` (arena pointers, kernel 6.9).
    pub(super) fn addr_space_cast(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.pos += 1;
        self.expect_punct('(')?;
        if !dst.wide {
            return err(
                DiagKind::BadRegister,
                dst.span,
                "addr_space_cast writes a 64-bit register",
            );
        }
        let src = self.reg_wide(true, "the source")?;
        self.expect_punct(',')?;
        let (a, aspan) = self.num("an address space")?;
        self.expect_punct(',')?;
        let (b, bspan) = self.num("an address space")?;
        self.expect_punct(')')?;
        let check = |v: i128, s: Span| -> PResult<i32> {
            if (0..=0xffff).contains(&v) {
                Ok(v as i32)
            } else {
                err(
                    DiagKind::ImmediateRange,
                    s,
                    "an address space number is 0 to 65535",
                )
            }
        };
        let imm = (check(a, aspan)? << 16) | check(b, bspan)?;
        Ok(ItemKind::Insn(Insn::new(
            0xbf,
            dst.reg.num(),
            src.reg.num(),
            1,
            imm,
        )))
    }

    /// `dst = map_value(map, offset) ll`
    pub(super) fn map_value(&mut self, dst: RegOp) -> PResult<ItemKind> {
        self.pos += 1;
        self.expect_punct('(')?;
        let Some(Tok::Ident(name)) = self.peek_at(0) else {
            return self.expected("a map name");
        };
        if parse_reg_name(name).is_some() {
            return self.expected("a map name");
        }
        let name = name.to_string();
        self.pos += 1;
        let offset = if self.eat_punct(',') {
            let (v, s) = self.num("a map value offset")?;
            u32::try_from(v).or_else(|_| {
                err(
                    DiagKind::ImmediateRange,
                    s,
                    "a map value offset is 0 to 4294967295",
                )
            })?
        } else {
            0
        };
        self.expect_punct(')')?;
        if !self.is_ident("ll") {
            return self.expected("`ll` (a map value address is a 64-bit load)");
        }
        self.pos += 1;
        self.need_wide_ld(dst)?;
        Ok(ItemKind::MapRef {
            dst: dst.reg,
            map: Cow::Owned(name),
            kind: RelocKind::MapValue { offset },
        })
    }
}
