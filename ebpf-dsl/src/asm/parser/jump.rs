//! Jumps and calls: targets, `goto`, conditional jumps, `call`.

use super::*;

impl<'a> StmtParser<'a> {
    pub(super) fn target(&mut self, min: i128, max: i128) -> PResult<Target> {
        // `goto pc+N`: the kernel verifier's and bpftool's spelling of a raw distance, unless
        // the program has a label called `pc`.
        if self.is_ident("pc")
            && !self.labels.contains("pc")
            && matches!(self.peek_at(1), Some(Tok::Punct('+' | '-')))
        {
            self.pos += 1;
        }
        let span = self.here();
        match self.peek_at(0) {
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                self.pos += 1;
                if !self.labels.contains(*name) && crate::isa::consts::const_by_name(name).is_some()
                {
                    return err(
                        DiagKind::Syntax,
                        span,
                        format!("jump target `{name}` is a named constant, not a label"),
                    );
                }
                Ok(Target::Label(Cow::Owned(name.to_string())))
            }
            Some(Tok::Int(Some(_))) if self.numeric_ref_direction().is_some() => {
                self.numeric_ref(span)
            }
            Some(Tok::Punct('+' | '-') | Tok::Int(_)) => {
                let neg = self.eat_punct('-');
                if !neg {
                    self.eat_punct('+');
                }
                let start = self.pos;
                let v = self.unary_term()?;
                let v = if neg { -v } else { v };
                let vspan = span.to(self.span_from(start));
                if !(min..=max).contains(&v) {
                    return err(
                        DiagKind::JumpRange,
                        vspan,
                        format!("jump distance {v} out of range ({min} to {max} instructions)"),
                    );
                }
                Ok(Target::Offset(v as i32))
            }
            _ => self.expected("a jump target (a label or `+N` / `-N`)"),
        }
    }

    pub(super) fn call(&mut self) -> PResult<ItemKind> {
        let span = self.here();
        // `call pc+N`: a bpf-to-bpf call by raw distance (what the disassembler prints when it
        // knows no label).
        if self.is_ident("pc") && matches!(self.peek_at(1), Some(Tok::Punct('+' | '-'))) {
            self.pos += 1;
            let target = self.target(i128::from(i32::MIN), i128::from(i32::MAX))?;
            return Ok(ItemKind::Call { target });
        }
        // `call kfunc ID [, OFF]`: a kernel function by BTF id (`src = 2`), `off` selecting
        // the module BTF (fd_array index), 0 for vmlinux.
        if self.is_ident("kfunc") && !self.labels.contains("kfunc") {
            self.pos += 1;
            let (id, id_span) = self.num("a BTF id")?;
            let imm = imm32(id, id_span, "BTF id")?;
            let off = if self.eat_punct(',') {
                let (v, s) = self.num("a module BTF index")?;
                off16(v, s)?
            } else {
                0
            };
            return Ok(ItemKind::Insn(Insn::new(
                0x85,
                0,
                crate::isa::insn::BPF_PSEUDO_KFUNC_CALL,
                off,
                imm,
            )));
        }
        match self.peek_at(0) {
            // `call 1f` / `call 1b`: a bpf-to-bpf call to a numeric local label.
            Some(Tok::Int(Some(_))) if self.numeric_ref_direction().is_some() => {
                Ok(ItemKind::Call {
                    target: self.numeric_ref(span)?,
                })
            }
            Some(Tok::Ident(name)) if parse_reg_name(name).is_none() => {
                self.pos += 1;
                if self.labels.contains(*name) {
                    return Ok(ItemKind::Call {
                        target: Target::Label(Cow::Owned(name.to_string())),
                    });
                }
                if let Some(h) = crate::isa::helpers::helper_by_name(name) {
                    return Ok(ItemKind::Insn(Insn::new(0x85, 0, 0, 0, h.id as i32)));
                }
                // A kfunc by name (XDP metadata, netfilter): a placeholder the loader resolves.
                if let Some(call) = crate::xdp::netfilter::call_kfunc_by_name(name) {
                    return Ok(ItemKind::Insn(call));
                }
                err(
                    DiagKind::UnknownName,
                    span,
                    format!("`call {name}`: `{name}` is neither a kernel helper (see ebpf_dsl::helpers) nor a label in this program"),
                )
            }
            Some(Tok::Extern(_)) => match self.value()? {
                Value::Extern(name, _) => Ok(ItemKind::Extern {
                    insn: Insn::new(0x85, 0, 0, 0, 0),
                    field: ExternField::Imm32,
                    value: ExternValue {
                        name: Cow::Owned(name),
                    },
                }),
                Value::Num(..) => self.expected("a helper"),
            },
            _ => {
                let (v, vspan) = self.num("a helper number")?;
                let imm = imm32(v, vspan, "helper number")?;
                Ok(ItemKind::Insn(Insn::new(0x85, 0, 0, 0, imm)))
            }
        }
    }

    /// The comparison operator of `if`: returns the `JmpOp`.
    pub(super) fn cmp_op(&mut self) -> PResult<JmpOp> {
        let span = self.here();
        let signed = self.is_ident("s");
        if signed {
            self.pos += 1;
        }
        let op = match (self.peek_at(0), self.peek_at(1)) {
            (Some(Tok::Punct('=')), Some(Tok::Punct('='))) if !signed => (JmpOp::Jeq, 2),
            (Some(Tok::Punct('!')), Some(Tok::Punct('='))) if !signed => (JmpOp::Jne, 2),
            (Some(Tok::Punct('>')), Some(Tok::Punct('='))) => {
                (if signed { JmpOp::Jsge } else { JmpOp::Jge }, 2)
            }
            (Some(Tok::Punct('<')), Some(Tok::Punct('='))) => {
                (if signed { JmpOp::Jsle } else { JmpOp::Jle }, 2)
            }
            (Some(Tok::Punct('>')), _) => (if signed { JmpOp::Jsgt } else { JmpOp::Jgt }, 1),
            (Some(Tok::Punct('<')), _) => (if signed { JmpOp::Jslt } else { JmpOp::Jlt }, 1),
            (Some(Tok::Punct('&')), _) if !signed => (JmpOp::Jset, 1),
            _ => {
                return err(
                    DiagKind::Syntax,
                    span,
                    format!(
                        "expected a comparison (`==`, `!=`, `>`, `>=`, `<`, `<=`, `s>`, `s>=`, `s<`, `s<=`, `&`), found {}",
                        self.describe()
                    ),
                )
            }
        };
        self.pos += op.1;
        Ok(op.0)
    }

    pub(super) fn cond_jump(&mut self) -> PResult<ItemKind> {
        let dst = self.reg()?;
        let op = self.cmp_op()?;
        let class = if dst.wide { Class::Jmp } else { Class::Jmp32 };
        let (insn, ext) = if self.is_reg() {
            let src = self.reg_wide(dst.wide, "the compared register")?;
            (
                Insn::new(
                    class as u8 | op as u8 | Source::Reg as u8,
                    dst.reg.num(),
                    src.reg.num(),
                    0,
                    0,
                ),
                None,
            )
        } else {
            match self.value()? {
                Value::Num(v, s) => (
                    Insn::new(
                        class as u8 | op as u8,
                        dst.reg.num(),
                        0,
                        0,
                        imm32(v, s, "comparison immediate")?,
                    ),
                    None,
                ),
                Value::Extern(name, _) => (
                    Insn::new(class as u8 | op as u8, dst.reg.num(), 0, 0, 0),
                    Some(name),
                ),
            }
        };
        self.expect_ident("goto")?;
        let target = self.target(i128::from(i16::MIN), i128::from(i16::MAX))?;
        if let Some(name) = ext {
            return Ok(ItemKind::ExternJump {
                insn,
                target,
                value: ExternValue {
                    name: Cow::Owned(name),
                },
            });
        }
        Ok(ItemKind::Jump { insn, target })
    }

    /// Builds an instruction whose `off` and/or `imm` may be extern values.
    pub(super) fn with_values(
        insn: Insn,
        off: Option<Value>,
        imm: Option<(Value, &str)>,
    ) -> PResult<ItemKind> {
        let mut insn = insn;
        let mut ext: Option<(ExternField, String, Span)> = None;
        if let Some(off) = off {
            match off {
                Value::Num(v, s) => insn.off = off16(v, s)?,
                Value::Extern(name, s) => ext = Some((ExternField::Off16, name, s)),
            }
        }
        if let Some((imm, what)) = imm {
            match imm {
                Value::Num(v, s) => insn.imm = imm32(v, s, what)?,
                Value::Extern(name, s) => {
                    if ext.is_some() {
                        return err(
                            DiagKind::Syntax,
                            s,
                            "only one interpolated `{value}` per instruction",
                        );
                    }
                    ext = Some((ExternField::Imm32, name, s));
                }
            }
        }
        Ok(match ext {
            None => ItemKind::Insn(insn),
            Some((field, name, _)) => ItemKind::Extern {
                insn,
                field,
                value: ExternValue {
                    name: Cow::Owned(name),
                },
            },
        })
    }
}
