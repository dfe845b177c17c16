//! ALU instructions: scalar arithmetic and pointer arithmetic (the kernel's `adjust_ptr_min_max_vals`).

use super::*;

impl<'a> Exec<'a> {
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn alu(
        &mut self,
        pc: usize,
        st: &mut State,
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
        off: i16,
        imm: i32,
    ) -> R<()> {
        // The common case first: an operation between two numbers (the same checks and
        // result as below, without copying the registers' values in and out of results).
        if !matches!(op, AluOp::Mov | AluOp::End | AluOp::Neg) && dst != 10 {
            let regs = &st.cur().regs;
            if let RegVal::Scalar(a) = &regs[dst as usize] {
                let r = match src {
                    Src::Imm(i) => {
                        check_alu_imm(pc, is64, op, imm)?;
                        let b = Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 });
                        Some(self.scalar_op(pc, is64, op, a, &b, Some(i)))
                    }
                    Src::Reg(r) => match &regs[r as usize] {
                        RegVal::Scalar(b) => Some(self.scalar_op(pc, is64, op, a, b, None)),
                        _ => None,
                    },
                };
                if let Some(r) = r {
                    st.cur_mut().regs[dst as usize] = RegVal::Scalar(r);
                    return Ok(());
                }
            }
        }
        // A plain move of a number or a constant, likewise.
        if op == AluOp::Mov && off == 0 && dst != 10 {
            let v = match src {
                Src::Imm(i) if is64 => Some(Scalar::konst(i as u64)),
                Src::Imm(i) => Some(Scalar::konst(i as u32 as u64).unlinked().trunc32()),
                Src::Reg(r) => match st.cur().regs[r as usize] {
                    RegVal::Scalar(v) => Some(self.move_number(st, is64, r, v)),
                    _ => None,
                },
            };
            if let Some(v) = v {
                st.cur_mut().regs[dst as usize] = RegVal::Scalar(v);
                return Ok(());
            }
        }
        self.alu_general(pc, st, is64, op, dst, src, off, imm)
    }

    /// [`Exec::alu`] past its common cases: pointers, sign-extending moves, byte swaps,
    /// negations, the frame pointer, uninitialised registers (out of line: `alu`'s own frame
    /// stays small).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn alu_general(
        &mut self,
        pc: usize,
        st: &mut State,
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
        off: i16,
        imm: i32,
    ) -> R<()> {
        self.write_dst(pc, dst)?;
        let srcv = match src {
            Src::Reg(r) => self.read(st, pc, r)?,
            Src::Imm(i) => {
                RegVal::Scalar(Scalar::konst(if is64 { i as u64 } else { i as u32 as u64 }))
            }
        };
        if op == AluOp::Mov {
            let v = if off != 0 {
                match srcv {
                    RegVal::Scalar(s) => {
                        // 32 bits: `coerce_subreg_to_size_sx` from the signed 32-bit
                        // bounds, zero-extended.
                        let r = if is64 && self.input.kernel >= KernelVersion::SEXT_FITS {
                            s.unlinked().sext_keeping_fits(off as u32)
                        } else if is64 {
                            s.unlinked().sext(off as u32)
                        } else {
                            // Zero-extended and synchronised (`reg_bounds_sync`).
                            self.single(s.unlinked().sext_subreg(off as u32))
                        };
                        // 6.6: a value the extension leaves unchanged keeps the copy linked.
                        let fits = s.umax < 1u64 << (off - 1);
                        match src {
                            Src::Reg(sr)
                                if fits && self.input.kernel >= KernelVersion::MOV32_LINK =>
                            {
                                let l = link_for_move(st, sr, s);
                                RegVal::Scalar(Scalar {
                                    link: l.link,
                                    delta: l.delta,
                                    ..r
                                })
                            }
                            _ => RegVal::Scalar(r),
                        }
                    }
                    // Privileged: a sign-extending move of a pointer gives an unknown number,
                    // zero-extended for `wX = (sN)wY` (`check_alu_op`: `mark_reg_unknown`, then
                    // `zext_32_to_64`).
                    _ if is64 => RegVal::Scalar(Scalar::UNKNOWN),
                    _ => RegVal::Scalar(Scalar::WORD),
                }
            } else if is64 {
                match (srcv, src) {
                    (RegVal::Scalar(v), Src::Reg(r)) => {
                        RegVal::Scalar(self.move_number(st, true, r, v))
                    }
                    (v, _) => v,
                }
            } else {
                match (srcv, src) {
                    (RegVal::Scalar(v), Src::Reg(r)) => {
                        RegVal::Scalar(self.move_number(st, false, r, v))
                    }
                    (RegVal::Scalar(s), _) => RegVal::Scalar(self.single(s.unlinked().zext32())),
                    // Privileged: `wX = wY` of a pointer is any `u32` (`check_alu_op`:
                    // `mark_reg_unknown`, then `zext_32_to_64`; the rule case
                    // `alu32_mov_ptr_zext`).
                    _ => RegVal::Scalar(Scalar::WORD),
                }
            };
            self.set(st, dst, v);
            return Ok(());
        }
        let d = self.read(st, pc, dst)?;
        if let Src::Imm(_) = src {
            check_alu_imm(pc, is64, op, imm)?;
        }
        // 6.18's untrusted read-only memory stays so through any 64-bit operation with a
        // number (`btf_access.rs`).
        if is64
            && super::btf_access::is_untrusted_mem(&d)
            && matches!(srcv, RegVal::Scalar(_))
            && !matches!(op, AluOp::End | AluOp::Neg)
        {
            return Ok(());
        }
        self.check_alu_operands(pc, is64, op, dst, src, &d, &srcv)?;
        let result = match (&d, &srcv) {
            (RegVal::Scalar(a), _) if op == AluOp::End => RegVal::Scalar(end_op(
                a,
                imm as i64,
                off == 1,
                self.input.kernel >= KernelVersion::BSWAP_TRACKING,
                self.input.kernel >= KernelVersion::TNUM_SINGLE,
            )),
            // Before NEG_TRACKING the kernel does not track a negation (`check_alu_op` marks the
            // register unknown, as for a byte swap).
            (RegVal::Scalar(_), _)
                if op == AluOp::Neg && self.input.kernel < KernelVersion::NEG_TRACKING =>
            {
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            // A privileged loader may negate or byte-swap a pointer: the result is a number.
            (p, _) if p.is_pointer() && matches!(op, AluOp::End | AluOp::Neg) => {
                RegVal::Scalar(Scalar::UNKNOWN)
            }
            (RegVal::Scalar(a), RegVal::Scalar(b)) => {
                RegVal::Scalar(self.scalar_op(pc, is64, op, a, b, None))
            }
            // Checked: 64-bit `+=` / `-=`, or a 32-bit `-=` (a number).
            (p, RegVal::Scalar(b)) if is64 => {
                let marked = match src {
                    Src::Imm(_) => true,
                    Src::Reg(r) => self.marked(st, r),
                };
                self.ptr_add(pc, st, dst, p, b, op == AluOp::Sub, marked)?
            }
            (_, RegVal::Scalar(_)) => RegVal::Scalar(Scalar::UNKNOWN),
            // Checked: 64-bit `scalar += pointer`, or a 32-bit `-=` (a number).
            (RegVal::Scalar(a), p) if is64 => {
                let marked = self.marked(st, dst);
                self.ptr_add(pc, st, dst, p, a, false, marked)?
            }
            (RegVal::Scalar(_), _) => RegVal::Scalar(Scalar::UNKNOWN),
            // Checked: `pointer -= pointer` gives a number.
            _ => RegVal::Scalar(Scalar::UNKNOWN),
        };
        self.set(st, dst, result);
        Ok(())
    }

    /// The number `v` of register `r` moved by `rX = rY` (`is64`) or `wX = wY`: `rX = rY`
    /// links the two (the kernel's scalar ids); `wX = wY` links them too (6.6) when the value
    /// fits in 32 bits; either way the copy is zero-extended and synchronised once ([`Scalar::zext32`]),
    /// then given 6.18's single-value rule ([`Exec::single`]).
    /// The one form of both the fast path and [`Exec::alu_general`].
    fn move_number(&self, st: &mut State, is64: bool, r: u8, v: Scalar) -> Scalar {
        if is64 {
            link_for_move(st, r, v)
        } else if v.umax <= u32::MAX as u64 && self.input.kernel >= KernelVersion::MOV32_LINK {
            // The copy keeps the link, and is zero-extended and synchronised on its own.
            let l = link_for_move(st, r, v);
            self.single(Scalar {
                link: l.link,
                delta: l.delta,
                ..v.zext32()
            })
        } else {
            self.single(v.unlinked().zext32())
        }
    }

    /// `v` as 6.18's `reg_bounds_sync` leaves it after a 32-bit move: a constant when its
    /// unsigned range holds one value of its known bits ([`Scalar::single_value`], the
    /// `tnum_step` rule of [`KernelVersion::TNUM_SINGLE`]); unchanged for older targets.
    fn single(&self, v: Scalar) -> Scalar {
        if self.input.kernel >= KernelVersion::TNUM_SINGLE {
            v.single_value()
        } else {
            v
        }
    }

    /// `a op b` between two numbers (64-bit when `is64`) at instruction `pc`, links included:
    /// the result is linked to `a`'s copies when the kernel keeps the link (`rX += c`).
    /// `imm`: `Some(i)` when `b` is the instruction's immediate `i` (see
    /// [`super::alu_memo::AluMemo::scalar_alu`]).
    fn scalar_op(
        &mut self,
        pc: usize,
        is64: bool,
        op: AluOp,
        a: &Scalar,
        b: &Scalar,
        imm: Option<i64>,
    ) -> Scalar {
        let (len, kernel) = (self.ops.len(), self.input.kernel);
        let mut r = self
            .alu_memo
            .scalar_alu(len, pc, kernel, op, is64, a, b, imm);
        if kernel >= KernelVersion::LINK_DELTA {
            // (An operand not linked, or with a delta already, keeps none: no call.)
            let linked = a.id() != 0 && a.link & Scalar::ANY_DELTA == 0;
            let link = linked.then(|| delta_link(kernel, is64, op, a, b));
            if let Some((flag, delta)) = link.flatten() {
                r.link = a.id() | flag;
                r.delta = delta;
            }
            return r;
        }
        // The kernel keeps a copy linked with a constant delta after `rX += c`; a delta of
        // 2^29 or more then makes rX unusable as a pointer offset.
        if a.link & !Scalar::BIG_DELTA != 0
            && a.as_const().is_none()
            && matches!(op, AluOp::Add | AluOp::Sub)
        {
            if let Some(c) = b.as_const() {
                let c = if op == AluOp::Sub {
                    (c as i64).wrapping_neg()
                } else {
                    c as i64
                };
                if c.unsigned_abs() >= MAX_VAR_OFF as u64 && i32::try_from(c).is_ok() {
                    r.link = Scalar::BIG_DELTA;
                }
            }
        }
        r
    }

    /// Kernel 6.18's `maybe_fork_scalars`: `rX &= C` or `rX |= C` (a constant, immediate or
    /// register) on a number that is -1 or 0 (`rX s>>= 63` gives one) verifies the two values
    /// apart: `st`'s `dst` becomes -1 and the returned copy, the other path, has 0. `None`
    /// (no split) for other operations, other values, and older targets.
    ///
    /// A register whose low 32 bits only are -1 or 0 (`w s>>= 31` of a value) is split too,
    /// for a 64-bit operation as well: the kernel then knows its low half, -1 on one path and
    /// 0 on the other (`__mark_reg32_known`: the upper half keeps its known bits and ranges).
    pub(crate) fn fork_scalars(
        &self,
        st: &mut State,
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
    ) -> Option<State> {
        if !self.input.kernel.has(KernelVersion::FORK_SCALARS)
            || !matches!(op, AluOp::And | AluOp::Or)
        {
            return None;
        }
        let src_const = match src {
            Src::Imm(_) => true,
            Src::Reg(r) => {
                matches!(st.cur().regs.get(r as usize), Some(RegVal::Scalar(s)) if s.t_const().is_some())
            }
        };
        let d = match st.cur().regs.get(dst as usize) {
            Some(RegVal::Scalar(d)) if src_const => *d,
            _ => return None,
        };
        let wide = d.smin == -1 && d.smax == 0;
        // -1 or 0 in the whole register, or in its low half only (`maybe_fork_scalars` then
        // marks the low half known, whatever the width of the operation).
        let low = d.s32min == -1 && d.s32max == 0;
        if !wide && !low {
            return None;
        }
        let (minus, zero) = if wide || !is64 {
            (Scalar::konst(u64::MAX), Scalar::konst(0))
        } else {
            (low_half_known(&d, u32::MAX)?, low_half_known(&d, 0)?)
        };
        let mut other = st.clone();
        other.cur_mut().regs[dst as usize] = RegVal::Scalar(zero);
        st.cur_mut().regs[dst as usize] = RegVal::Scalar(minus);
        Some(other)
    }

    /// Which ALU operations on pointers a privileged loader may do (`adjust_reg_min_max_vals`):
    /// negating or byte-swapping one (the result is a number), 64-bit `pointer += scalar`,
    /// `pointer -= scalar`, `scalar += pointer`, and `pointer - pointer` (a number); of the
    /// 32-bit forms only `-=`.
    #[allow(clippy::too_many_arguments)]
    fn check_alu_operands(
        &self,
        pc: usize,
        is64: bool,
        op: AluOp,
        dst: u8,
        src: Src,
        d: &RegVal,
        srcv: &RegVal,
    ) -> R<()> {
        let w = if is64 { "r" } else { "w" };
        let opn = alu_name(op);
        match (d, srcv) {
            (RegVal::Scalar(_), _) if op == AluOp::End => Ok(()),
            (p, _) if p.is_pointer() && matches!(op, AluOp::End | AluOp::Neg) => Ok(()),
            (RegVal::Scalar(_), RegVal::Scalar(_)) => Ok(()),
            (p, RegVal::Scalar(_)) => {
                if !is64 {
                    if op == AluOp::Sub {
                        Ok(())
                    } else {
                        Err(e(pc, Rule::PointerArithmetic, format!(
                            "32-bit arithmetic on a pointer: r{dst} is {}; use the 64-bit form (`r{dst} {opn} ...`)", self.describe(p)
                        )))
                    }
                } else if matches!(op, AluOp::Add | AluOp::Sub) {
                    Ok(())
                } else {
                    Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{w}{dst} {opn}` on a pointer: r{dst} is {}; only adding or subtracting a scalar is allowed", self.describe(p)
                    )))
                }
            }
            (RegVal::Scalar(_), p) => {
                if (is64 && op == AluOp::Add) || (!is64 && op == AluOp::Sub) {
                    Ok(())
                } else {
                    Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{w}{dst} {opn} {}` mixes a scalar with a pointer ({}); only `scalar += pointer` is allowed",
                        if let Src::Reg(r) = src { format!("r{r}") } else { String::new() }, self.describe(p)
                    )))
                }
            }
            (p, q) => {
                if op == AluOp::Sub {
                    Ok(())
                } else {
                    Err(e(pc, Rule::PointerArithmetic, format!(
                        "`{opn}` between two pointers ({} and {}) is not allowed; only pointer - pointer gives a number",
                        self.describe(p), self.describe(q)
                    )))
                }
            }
        }
    }

    /// True if register `r` of the innermost frame holds a scalar whose bounds are exactly
    /// the kernel's on this path, as far as the 2^29 class's second walk knows
    /// (`super::super::exact`; never in an ordinary walk).
    fn marked(&self, st: &State, r: u8) -> bool {
        self.exact_decide && st.exact.reg(st.frames.len() - 1, r as usize)
    }

    /// `rDST += s` (`-=` when `sub`) on pointer `p`; `exact`: `s`'s bounds are the kernel's
    /// ([`Self::marked`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn ptr_add(
        &mut self,
        pc: usize,
        st: &mut State,
        dst: u8,
        p: &RegVal,
        s: &Scalar,
        sub: bool,
        exact: bool,
    ) -> R<RegVal> {
        // The kernel allows `map += 0` (CONST_PTR_TO_MAP): nothing changes.
        if matches!(p, RegVal::MapPtr { .. }) && !sub && s.as_const() == Some(0) {
            return Ok(*p);
        }
        self.check_ptr_add(pc, dst, p, s, sub)?;
        // The kernel's check_reg_sane_offset: the scalar's minimum must be within ±2^29 (checked
        // above). Its minimum may be larger than this verifier's (it can know more), up to our
        // maximum: a maximum of 2^29 or more taints the path (refused at its end unless an
        // access through the pointer fails first, as it will).
        // An offset whose bounds are exactly the kernel's (the second walk) has the kernel's
        // minimum, checked above: nothing to doubt.
        if s.smin > -MAX_VAR_OFF && s.smin < MAX_VAR_OFF && s.smax >= MAX_VAR_OFF && !exact {
            self.taint(pc, st, dst, s, p, None);
        }
        self.ptr_add_result(pc, st, dst, p, s, sub, exact)
    }

    /// The rules of `pointer += scalar` / `pointer -= scalar` (the kernel's
    /// `adjust_ptr_min_max_vals`, `check_reg_sane_offset`) that do not depend on the result.
    fn check_ptr_add(&self, pc: usize, dst: u8, p: &RegVal, s: &Scalar, sub: bool) -> R<()> {
        let pa = |m: String| Err(e(pc, Rule::PointerArithmetic, m));
        match p {
            RegVal::MapValueOrNull { .. } | RegVal::OpaqueOrNull { .. } | RegVal::RingbufOrNull { .. } | RegVal::SockOrNull { .. } | RegVal::BtfSockOrNull { .. } | RegVal::KObjOrNull { .. } | RegVal::BtfPtrOrNull { .. } | RegVal::AllocOrNull { .. } => {
                return Err(e(pc, Rule::NullCheck, format!(
                    "arithmetic on {}; null-check it first (`if r{dst} == 0 goto ...`)", self.describe(p)
                )))
            }
            RegVal::PktEnd => return pa("arithmetic on data_end is not allowed; add to the packet pointer instead and compare it with data_end".into()),
            // The kernel allows only `map += 0` (handled by the caller), and no arithmetic at
            // all on the socket-like entries of XSKMAP / DEVMAP lookups.
            RegVal::MapPtr { .. } | RegVal::Opaque { .. } | RegVal::Func { .. } => {
                return pa(format!("arithmetic on {} is not allowed", self.describe(p)));
            }
            // `subtraction from stack pointer prohibited`, even of a constant: add a negative
            // number instead.
            RegVal::Stack { .. } | RegVal::StackVar { .. } if sub => {
                return pa(format!(
                    "subtracting from a stack pointer (r{dst} is {}) is not allowed by the kernel; add a negative offset instead (`r{dst} += -8`)",
                    self.describe(p)
                ));
            }
            _ => {}
        }
        // A delta of 2^29 or more is refused before 6.18 (6.12 checks the scalar's `off`, its
        // delta); 6.18.44 accepts such an offset and judges it by its bounds alone (rule cases
        // `link_delta_big_offset_*`).
        if s.link & Scalar::BIG_DELTA != 0
            || (s.link & Scalar::ANY_DELTA != 0
                && (s.delta as i64).abs() >= MAX_VAR_OFF
                && self.input.kernel < KernelVersion::LINK_DELTA_SUB)
        {
            return pa(format!(
                "this offset was copied from another register and then had a constant of 2^29 or more added; the kernel refuses such an offset ({s})"
            ));
        }
        if s.smin <= -MAX_VAR_OFF || s.smin >= MAX_VAR_OFF {
            return pa(format!(
                "adding {s} to {}: the offset is not bounded (the kernel needs it within ±2^29); bound it first, e.g. `rX &= 0xff` or a comparison",
                self.describe(p)
            ));
        }
        Ok(())
    }

    /// The pointer after `p += s` (`p -= s` when `sub`), checked by [`Self::check_ptr_add`]:
    /// refused when the new offset leaves the kernel's bounds (a constant one past ±2^29, a
    /// variable one whose minimum does); a variable packet offset gets a new id.
    #[allow(clippy::too_many_arguments)]
    fn ptr_add_result(
        &self,
        pc: usize,
        st: &mut State,
        dst: u8,
        p: &RegVal,
        s: &Scalar,
        sub: bool,
        exact: bool,
    ) -> R<RegVal> {
        let pa = |m: String| Err(e(pc, Rule::PointerArithmetic, m));
        let c = s.as_const().map(|c| c as i64);
        let shift = |off: i32| -> Option<i32> {
            let c = c?;
            let n = if sub { off as i64 - c } else { off as i64 + c };
            if n.abs() >= MAX_VAR_OFF {
                None
            } else {
                Some(n as i32)
            }
        };
        // In the second walk, an exact addition keeps the offset vouched for (`ptr_exact`).
        let vouch = exact && self.exact_decide;
        let nvar =
            |v: &Scalar| ptr_exact::flag(if sub { v.sub(s) } else { v.add(s) }, v, s, sub, vouch);
        if c.is_none() {
            let pvar = match p {
                RegVal::Pkt { var, .. }
                | RegVal::MapValue { var, .. }
                | RegVal::StackVar { var, .. }
                | RegVal::CtxVar { var, .. }
                | RegVal::Ringbuf { var, .. } => *var,
                _ => Scalar::konst(0),
            };
            let var = nvar(&pvar);
            // With `s` exact, the kernel's minimum of the result is its pointer's minimum plus
            // `s`'s minimum (minus `s`'s maximum), at most this verifier's pointer maximum
            // plus (minus) it, or its minimum plus it for an offset `ptr_exact` vouches for:
            // below 2^29, the kernel's check passes.
            let kernel_min_below = exact && {
                let most = if sub {
                    i128::from(pvar.smax) - i128::from(s.smax)
                } else {
                    i128::from(pvar.smax) + i128::from(s.smin)
                };
                most < i128::from(MAX_VAR_OFF) || ptr_exact::kernel_min_below(&pvar, s, sub)
            };
            if var.smin > -MAX_VAR_OFF
                && var.smin < MAX_VAR_OFF
                && var.smax >= MAX_VAR_OFF
                && !kernel_min_below
            {
                self.taint(pc, st, dst, s, p, Some(&var));
            }
            if var.smin <= -MAX_VAR_OFF || var.smin >= MAX_VAR_OFF {
                return pa(format!(
                    "the variable offset of the result ({var}) is out of bounds (the kernel needs its minimum within ±2^29)"
                ));
            }
        }
        Ok(match p {
            // The kernel allows a variable offset into the context and refuses every access
            // through it (`__check_ptr_off_reg`).
            RegVal::Ctx { off } => match shift(*off) {
                Some(o) => RegVal::Ctx { off: o },
                None if c.is_some() => return pa("the context offset is out of range".into()),
                None => RegVal::CtxVar {
                    off: *off,
                    var: nvar(&Scalar::konst(0)),
                },
            },
            RegVal::CtxVar { off, var } => match shift(*off) {
                Some(o) => RegVal::CtxVar { off: o, var: *var },
                None if c.is_some() => return pa("the context offset is out of range".into()),
                None => RegVal::CtxVar {
                    off: *off,
                    var: nvar(var),
                },
            },
            RegVal::Stack { frame, off } => match shift(*off) {
                Some(o) => RegVal::Stack {
                    frame: *frame,
                    off: o,
                },
                None if c.is_some() => return pa("the stack offset is out of range".into()),
                // A privileged loader may use a variable offset into the stack; each access is
                // then checked against the whole range.
                None => RegVal::StackVar {
                    frame: *frame,
                    off: *off,
                    var: nvar(&Scalar::konst(0)),
                },
            },
            RegVal::StackVar { frame, off, var } => match shift(*off) {
                Some(o) => RegVal::StackVar {
                    frame: *frame,
                    off: o,
                    var: *var,
                },
                None if c.is_some() => return pa("the stack offset is out of range".into()),
                None => RegVal::StackVar {
                    frame: *frame,
                    off: *off,
                    var: nvar(var),
                },
            },
            RegVal::Pkt {
                kind,
                off,
                var,
                id,
                range,
            } => match shift(*off) {
                Some(o) => RegVal::Pkt {
                    kind: *kind,
                    off: o,
                    var: *var,
                    id: *id,
                    // A mark of a pointer at or past `data_end` (a negative range) does not
                    // survive arithmetic from PKT_END_MARK_CLEARED (6.18.44: a soundness fix;
                    // the selftests pkt_range_clear_after_add / _sub): the pointer moved, so
                    // its next comparison with `data_end` is not decided. Older kernels copy
                    // it with the rest of the pointer (`dst_reg->raw = ptr_reg->raw`).
                    range: if self.input.kernel >= KernelVersion::PKT_END_MARK_CLEARED {
                        (*range).max(0)
                    } else {
                        *range
                    },
                },
                None if c.is_some() => return pa("the packet offset is out of range".into()),
                None => {
                    let nid = st.fresh();
                    RegVal::Pkt {
                        kind: *kind,
                        off: *off,
                        var: nvar(var),
                        id: nid,
                        range: 0,
                    }
                }
            },
            RegVal::MapValue { map, off, var, id } => match shift(*off) {
                Some(o) => RegVal::MapValue {
                    map: *map,
                    off: o,
                    var: *var,
                    id: *id,
                },
                None if c.is_some() => return pa("the map value offset is out of range".into()),
                None => RegVal::MapValue {
                    map: *map,
                    off: *off,
                    var: nvar(var),
                    id: *id,
                },
            },
            RegVal::Ringbuf {
                size,
                off,
                var,
                ref_id,
            } => match shift(*off) {
                Some(o) => RegVal::Ringbuf {
                    size: *size,
                    off: o,
                    var: *var,
                    ref_id: *ref_id,
                },
                None if c.is_some() => return pa("the offset is out of range".into()),
                None => RegVal::Ringbuf {
                    size: *size,
                    off: *off,
                    var: nvar(var),
                    ref_id: *ref_id,
                },
            },
            // The kernel allows any offset; every access through a variable one is refused
            // ("invalid variable offset"), so this verifier refuses the variable one at once.
            RegVal::BtfPtr { ty, off, trust } => match shift(*off) {
                Some(o) => RegVal::BtfPtr {
                    ty: *ty,
                    off: o,
                    trust: *trust,
                },
                None => {
                    return pa(format!(
                        "a variable or out-of-range offset into {} is not modelled by this verifier (the kernel refuses every access through a variable one)",
                        self.describe(p)
                    ))
                }
            },
            // A constant offset into a kfunc's object or a socket cast (`PTR_TO_BTF_ID`); a
            // variable one is refused as for `BtfPtr`.
            RegVal::KObj { ty, ref_id } | RegVal::BtfSock { ty, ref_id } if *ty != TCP_SOCK => {
                let kobj = matches!(p, RegVal::KObj { .. });
                match shift(0) {
                    Some(o) => btf_obj_at(ty, kobj, o, *ref_id),
                    None => {
                        return pa(format!(
                            "a variable or out-of-range offset into {} is not modelled by this verifier (the kernel refuses every access through a variable one)",
                            self.describe(p)
                        ))
                    }
                }
            }
            RegVal::BtfObjAt {
                ty,
                kobj,
                off,
                ref_id,
            } => match shift(*off) {
                Some(o) => btf_obj_at(ty, *kobj, o, *ref_id),
                None => {
                    return pa(format!(
                        "a variable or out-of-range offset into {} is not modelled by this verifier (the kernel refuses every access through a variable one)",
                        self.describe(p)
                    ))
                }
            },
            RegVal::Alloc { ty, off, ref_id } => match shift(*off) {
                Some(o) => RegVal::Alloc {
                    ty: *ty,
                    off: o,
                    ref_id: *ref_id,
                },
                None => {
                    return pa(format!(
                        "a variable or out-of-range offset into {} is not modelled by this verifier (the kernel refuses every access through a variable one)",
                        self.describe(p)
                    ))
                }
            },
            _ => return pa(format!("arithmetic on {} is not allowed", self.describe(p))),
        })
    }
}

/// A kfunc's object (`kobj`) or a socket cast of type `ty` plus the constant `off`: the
/// object itself at offset 0, else a [`RegVal::BtfObjAt`].
fn btf_obj_at(ty: &'static str, kobj: bool, off: i32, ref_id: u32) -> RegVal {
    match (off, kobj) {
        (0, true) => RegVal::KObj { ty, ref_id },
        (0, false) => RegVal::BtfSock { ty, ref_id },
        _ => RegVal::BtfObjAt {
            ty,
            kobj,
            off,
            ref_id,
        },
    }
}

impl<'a> Exec<'a> {
    /// Marks the path (see [`State::taint`]) for `rDST += s` on pointer `p` whose offset `s`
    /// (or, given, the pointer's variable offset `result` after it) has a maximum of 2^29 or
    /// more and a smaller minimum: the kernel refuses only a minimum of 2^29 or more, by its own
    /// bounds, which may be tighter than these. The first such instruction of a path names it.
    fn taint(
        &self,
        pc: usize,
        st: &mut State,
        dst: u8,
        s: &Scalar,
        p: &RegVal,
        result: Option<&Scalar>,
    ) {
        if st.taint.is_none() {
            st.taint = Some((
                pc,
                crate::verifier::exact::taint_message(dst, s, &self.describe(p), result),
            ));
        }
    }
}

/// The kernel's checks of an immediate operand (`check_alu_op`): no division by the constant
/// 0, shift amounts within the operand's width.
#[inline]
fn check_alu_imm(pc: usize, is64: bool, op: AluOp, imm: i32) -> R<()> {
    if matches!(op, AluOp::Div | AluOp::Mod) && imm == 0 {
        return Err(e(pc, Rule::DivisionByZero, "division by the constant 0 (the kernel rejects it; a register divisor that is 0 at run time gives 0)"));
    }
    let width = if is64 { 64 } else { 32 };
    if matches!(op, AluOp::Lsh | AluOp::Rsh | AluOp::Arsh) && (imm < 0 || imm >= width) {
        return Err(e(
            pc,
            Rule::InvalidShift,
            format!(
                "invalid shift by {imm}: a {width}-bit shift amount must be 0..{}",
                width - 1
            ),
        ));
    }
    Ok(())
}

/// `d` with its low 32 bits the constant `v` and its upper half as it was (the kernel's
/// `__mark_reg32_known`); `None` if its bounds leave no such value.
fn low_half_known(d: &Scalar, v: u32) -> Option<Scalar> {
    let lo = u32::MAX as u64;
    Scalar {
        t: Tnum {
            value: (d.t.value & !lo) | v as u64,
            mask: d.t.mask & !lo,
        },
        u32min: v,
        u32max: v,
        s32min: v as i32,
        s32max: v as i32,
        ..d.unlinked()
    }
    .sync()
}

/// `rX = rY` (or `wX = wY`) of a number: the source gets a link if it has none (the kernel's
/// `assign_scalar_id_before_mov`; a copy of a value linked with a delta starts a new link),
/// and the copy shares it.
fn link_for_move(st: &mut State, r: u8, v: Scalar) -> Scalar {
    let mut v = if v.link & Scalar::ANY_DELTA != 0 {
        v.unlinked()
    } else {
        v
    };
    if v.id() == 0 && v.as_const().is_none() {
        v.link = st.fresh();
    }
    st.cur_mut().regs[r as usize] = RegVal::Scalar(v);
    v
}

/// Whether `rX += c` / `rX -= c` keeps rX linked to its copies, and with which flag and delta
/// (`adjust_reg_min_max_vals`): 6.12 links a 64-bit `+=` of 0..2^31 once; 6.18 also links
/// `-=`, negative constants within 32 bits, and 32-bit forms of a value that fits in 32 bits.
fn delta_link(
    kernel: KernelVersion,
    is64: bool,
    op: AluOp,
    a: &Scalar,
    b: &Scalar,
) -> Option<(u32, i32)> {
    if a.id() == 0 || a.link & Scalar::ANY_DELTA != 0 {
        return None;
    }
    // The operator and the linked value are tested before the constant is looked for (the
    // 32-bit truncation of `b` is not cheap): the same answers, in another order.
    if kernel < KernelVersion::LINK_DELTA_SUB {
        if !(is64 && op == AluOp::Add) {
            return None;
        }
        let c = b.t_const()?;
        return (c <= i32::MAX as u64).then_some((Scalar::ADD_CONST, c as i32));
    }
    if !matches!(op, AluOp::Add | AluOp::Sub) || (!is64 && a.umax > u32::MAX as u64) {
        return None;
    }
    let off = if is64 {
        i32::try_from(b.t_const()? as i64).ok()?
    } else {
        b.trunc32().t_const()? as u32 as i32
    };
    let off = if op == AluOp::Sub {
        off.checked_neg()?
    } else {
        off
    };
    let flag = if is64 {
        Scalar::ADD_CONST
    } else {
        Scalar::ADD_CONST32
    };
    Some((flag, off))
}

#[cfg(test)]
#[path = "alu_fork_tests.rs"]
mod fork_tests;

#[cfg(test)]
#[path = "alu_tests.rs"]
mod tests;
