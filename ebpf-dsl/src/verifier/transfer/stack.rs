//! Stack accesses: spills and fills at a constant offset (`check_stack_write_fixed_off`,
//! `check_stack_read_fixed_off`) and accesses through a variable offset.
//!
//! Accesses through a pointer with a variable offset (`r1 = r10; r1 += r2` with r2
//! bounded), allowed to a privileged loader (the kernel's `check_stack_access_within_bounds`,
//! `check_stack_read_var_off`, `check_stack_write_var_off`):
//! - the whole range `off + var.smin .. off + var.smax + size` must lie in the frame, with
//!   the variable offset bounded by ±2^29;
//! - the access is strictly aligned (the known bits of the offset make it a multiple of the
//!   size, as for every stack access);
//! - a read gives 0 if every byte of the range is a known zero, else an unknown number of the
//!   load's size;
//! - a write makes every byte of the range unknown (zeros stay zero when zero is written) and
//!   destroys the spilled registers it touches.

use super::align::is_aligned;
use super::*;

impl<'a> Exec<'a> {
    pub(crate) fn stack_slot(
        &self,
        pc: usize,
        st: &State,
        frame: u8,
        a: i32,
        n: u32,
    ) -> R<(usize, usize, usize)> {
        if a < -512 || a + n as i32 > 0 {
            return Err(e(pc, Rule::StackAccess, format!(
                "stack access at r10 {a:+} of {n} bytes is outside the 512-byte frame (r10 - 512 .. r10)"
            )));
        }
        if a % n as i32 != 0 {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                "misaligned stack access: r10 {a:+} is not a multiple of the {n}-byte access size"
            ),
            ));
        }
        let f = frame as usize;
        if f >= st.frames.len() {
            return Err(e(
                pc,
                Rule::StackAccess,
                "this stack pointer refers to a function frame that has returned",
            ));
        }
        let pos = (a + 512) as usize;
        Ok((f, pos / 8, pos % 8))
    }

    /// Whether the target's frames start never written ([`Byte::Unset`]): before
    /// [`KernelVersion::UNINIT_STACK_GROW`] the kernel refuses a read deeper than every write.
    pub(crate) fn unset_frames(&self) -> bool {
        !self.input.kernel.has(KernelVersion::UNINIT_STACK_GROW)
    }

    /// `f` as the walk starts it: nothing allocated yet ([`Frame::alloc`]), its stack never
    /// written when the target needs one ([`Exec::unset_frames`]).
    pub(crate) fn fresh_frame(&self, mut f: Frame) -> Frame {
        f.alloc = crate::verifier::domain::state::SLOTS as u8;
        if self.unset_frames() {
            f.stack = crate::verifier::domain::state::Stack::unset();
        }
        f
    }

    /// Refuses a read of the bytes `lo..hi` (frame offsets) of frame `f` (a load, a helper's
    /// or kfunc's memory that is read, an atomic operation) that the target refuses for bytes
    /// the program never wrote: its lowest byte deeper than every write to the frame, before
    /// [`KernelVersion::UNINIT_STACK_GROW`] ([`Exec::check_allocated`]); any byte never
    /// written ([`Byte::Unset`]), before [`KernelVersion::UNINIT_STACK_READ`]
    /// (`check_stack_read_fixed_off`, `check_stack_range_initialized`: `STACK_INVALID` is
    /// allowed only with `allow_uninit_stack`). `what` names the access.
    pub(crate) fn check_stack_read(
        &self,
        pc: usize,
        st: &State,
        f: usize,
        (lo, hi): (i64, i64),
        what: &dyn core::fmt::Display,
    ) -> R<()> {
        self.check_allocated(pc, st, f, lo, what)?;
        if self.input.kernel.has(KernelVersion::UNINIT_STACK_READ) {
            return Ok(());
        }
        let stack = &st.frames[f].stack;
        let unset = (lo.max(-512)..hi.min(0)).find(|&p| {
            let p = (p + 512) as usize;
            stack[p / 8].unset_byte(p % 8)
        });
        match unset {
            None => Ok(()),
            Some(p) => Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "{what} reads r10 {p:+}, a stack byte never written: Linux {} refuses it (`invalid read from stack`; a privileged program's reads of never-written stack came in 6.4 and 6.1.100)",
                    self.input.kernel
                ),
            )),
        }
    }

    /// Refuses a read (a load, a helper's or kfunc's memory that is read, an atomic
    /// operation) whose lowest byte, `lo` (a frame offset) of frame `f`, lies deeper than every
    /// write to the frame so far, for a target before [`KernelVersion::UNINIT_STACK_GROW`]
    /// (`check_stack_slot_within_bounds`: `-allocated_stack` is the lowest offset a read may
    /// start at). `what` names the access.
    pub(crate) fn check_allocated(
        &self,
        pc: usize,
        st: &State,
        f: usize,
        lo: i64,
        what: &dyn core::fmt::Display,
    ) -> R<()> {
        if !self.unset_frames() || !(-512..0).contains(&lo) {
            return Ok(());
        }
        let from = st.frames[f].stack.allocated_from();
        if ((lo + 512) / 8) as usize >= from {
            return Ok(());
        }
        let depth = if from == crate::verifier::domain::state::SLOTS {
            "nothing has been written to this frame yet".to_string()
        } else {
            format!(
                "the deepest write to this frame so far is at r10 {:+}",
                from as i64 * 8 - 512
            )
        };
        Err(e(
            pc,
            Rule::StackAccess,
            format!(
                "{what} reads from r10 {lo:+}, but {depth}: Linux {} refuses a read deeper than every write (`invalid read from stack`; reads grow the frame from 6.8, 6.6.14 and 6.1.191 on)",
                self.input.kernel
            ),
        ))
    }

    /// Notes an access whose lowest byte is `r10 + a` of frame `f`: the subprogram's stack
    /// depth, and the frame's allocation ([`Frame::alloc`]), which [`Exec::step`] grows
    /// once the instruction is done (the accesses are checked through a shared state).
    pub(crate) fn note_depth(&mut self, st: &State, f: usize, a: i32) {
        let sp = st.frames[f].subprog;
        self.depth[sp] = self.depth[sp].max((-a) as u32);
        if (-512..0).contains(&a) {
            self.grown.push((f as u8, ((a + 512) / 8) as u8));
        }
    }

    /// Grows the frames of `st` by the accesses [`Exec::note_depth`] noted.
    pub(crate) fn apply_growth(&self, st: &mut State) {
        for &(f, slot) in &self.grown {
            if let Some(fr) = st.frames.get_mut(f as usize) {
                fr.alloc = fr.alloc.min(slot);
            }
        }
    }

    pub(crate) fn stack_read(
        &mut self,
        pc: usize,
        st: &mut State,
        frame: u8,
        a: i32,
        n: u32,
        sx: bool,
    ) -> R<RegVal> {
        let (f, slot, byte) = self.stack_slot(pc, st, frame, a, n)?;
        let range = (a as i64, a as i64 + n as i64);
        self.check_stack_read(pc, st, f, range, &format_args!("a {n}-byte load"))?;
        self.note_depth(st, f, a);
        let narrow_fill = self.input.kernel >= KernelVersion::NARROW_FILL;
        match &st.frames[f].stack[slot] {
            Slot::Spill(r @ RegVal::Dynptr { .. }) => Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "a {n}-byte load from r10 {a:+} reads part of {}, which may only be passed to the dynptr kfuncs (the kernel: `invalid read from stack`)",
                    self.describe(r)
                ),
            )),
            Slot::Spill(r @ RegVal::Iter { .. }) => Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "a {n}-byte load from r10 {a:+} reads part of {}, which may only be passed to the iterator kfuncs (the kernel: `invalid read from stack`)",
                    self.describe(r)
                ),
            )),
            Slot::Spill(r) => {
                if n == 8 {
                    Ok(*r)
                } else if let RegVal::Scalar(v) = r {
                    // 6.12: a narrow fill from the start of the slot keeps the spilled bounds
                    // (`bpf_stack_narrow_access_ok`), truncated to the load's size. Any other
                    // narrow load of a spilled zero is zero (`check_stack_read_fixed_off`:
                    // every byte `STACK_SPILL` of a constant 0), as for a narrow spill.
                    Ok(RegVal::Scalar(if byte == 0 && narrow_fill {
                        if sx {
                            fill_sx(v, n, self.input.kernel >= KernelVersion::SEXT_FITS)
                        } else {
                            fill(v, n, self.input.kernel)
                        }
                    } else if narrow_fill && v.as_const() == Some(0) {
                        Scalar::konst(0)
                    } else {
                        scalar_of(n, sx)
                    }))
                } else {
                    Err(e(pc, Rule::StackAccess, format!(
                        "a {n}-byte load from r10 {a:+} reads part of a spilled pointer ({}); reload it with an 8-byte load",
                        self.describe(r)
                    )))
                }
            }
            // A narrow spill: the kernel restores it for a load of at most its size from the
            // start of the slot; a load within it of a spilled zero gives zero, and so does
            // one of known-zero bytes past it; anything else (spilled and other bytes mixed)
            // is unknown (`check_stack_read_fixed_off`: `spill_cnt`, `zero_cnt`).
            s @ Slot::Part(v, size, ..) => {
                let within = byte + n as usize <= *size as usize;
                let exact = n == u32::from(*size);
                let zeros = (byte..byte + n as usize).all(|i| s.zero_byte(i));
                Ok(RegVal::Scalar(
                    if byte == 0
                        && exact
                        && n == 4
                        && !fits(v, 4)
                        && self.input.kernel < KernelVersion::FILL32_SYNC
                    {
                        self.fill32_unsynced(pc, v, a)?
                    } else if byte == 0 && within && (exact || narrow_fill) {
                        if sx {
                            fill_sx(v, n, self.input.kernel >= KernelVersion::SEXT_FITS)
                        } else {
                            fill(v, n, self.input.kernel)
                        }
                    } else if (within && v.as_const() == Some(0)) || zeros {
                        Scalar::konst(0)
                    } else {
                        scalar_of(n, sx)
                    },
                ))
            }
            Slot::Bytes(b) => {
                if b[byte..byte + n as usize].iter().all(|x| *x == Byte::Zero) {
                    Ok(RegVal::Scalar(Scalar::konst(0)))
                } else {
                    Ok(RegVal::Scalar(scalar_of(n, sx)))
                }
            }
        }
    }

    pub(crate) fn stack_write(
        &mut self,
        pc: usize,
        st: &mut State,
        frame: u8,
        a: i32,
        n: u32,
        v: RegVal,
    ) -> R<()> {
        let (f, slot, byte) = self.check_stack_write(pc, st, frame, a, n, &v)?;
        self.note_depth(st, f, a);
        if let Some(i) = call::iter_in(st, f, slot, slot + 1) {
            return Err(self.iter_overwrite_error(
                pc,
                st,
                f,
                i,
                &format!("this {n}-byte store to r10 {a:+}"),
            ));
        }
        // A store into either half of a dynptr destroys it (`destroy_if_dynptr_stack_slot`).
        call::destroy_dynptr(st, f, slot).map_err(|off| call::overwrite_error(pc, off))?;
        self.write_slot(st, f, slot, byte, n, v);
        Ok(())
    }

    /// The rules of a store of `v` (`n` bytes) at `r10 + a` of `frame`: in the frame, aligned;
    /// a pointer only as an 8-byte spill, and never into a caller's frame
    /// (`check_stack_write_fixed_off`). Returns the frame, the slot and the byte in it.
    fn check_stack_write(
        &self,
        pc: usize,
        st: &State,
        frame: u8,
        a: i32,
        n: u32,
        v: &RegVal,
    ) -> R<(usize, usize, usize)> {
        let (f, slot, byte) = self.stack_slot(pc, st, frame, a, n)?;
        if v.is_pointer() {
            if n != 8 {
                return Err(e(pc, Rule::StackAccess, format!(
                    "a pointer ({}) can only be stored to the stack with an aligned 8-byte store (`*(u64 *)(r10 - 8) = rX`)",
                    self.describe(v)
                )));
            }
            // Any stack pointer, into any frame but the current one (a callee's or a
            // callback's store through a pointer to its caller's stack), whichever frame it
            // points to (`state != cur && reg->type == PTR_TO_STACK`).
            if matches!(v, RegVal::Stack { .. } | RegVal::StackVar { .. })
                && f + 1 != st.frames.len()
            {
                return Err(e(
                    pc,
                    Rule::StackAccess,
                    format!(
                        "cannot store {} into a caller's frame (frame {f}; this function runs in frame {}): the kernel spills stack pointers only into the current function's own frame",
                        self.describe(v),
                        st.frames.len() - 1
                    ),
                ));
            }
        }
        Ok((f, slot, byte))
    }

    /// Stores `v` (`n` bytes) at byte `byte` of slot `slot` of frame `f`: an 8-byte store is a
    /// spill, a narrow store of a number at the start of a slot a narrow spill, anything else
    /// writes bytes (known zeros or unknown).
    fn write_slot(&self, st: &mut State, f: usize, slot: usize, byte: usize, n: u32, v: RegVal) {
        // Before 6.12 a number with no bound at all is written as unknown bytes, not spilled
        // (6.1.192's `check_stack_write_fixed_off`: `register_is_bounded`): a fill of it is no
        // copy of it. (6.1.192 writes a 0 as zero bytes, which read back as 0 where 6.12's
        // spilled 0 mixed with other bytes does not: a spilled 0 read only as both agree is
        // the safe model for the versions between.)
        let as_bytes = self.input.kernel < KernelVersion::SPILL_ANY_SCALAR
            && matches!(&v, RegVal::Scalar(x) if x.unlinked() == Scalar::UNKNOWN);
        let s = &mut st.frames[f].stack[slot];
        if n == 8 && !as_bytes {
            *s = Slot::Spill(v);
        } else if let (0, RegVal::Scalar(x), false) = (byte, &v, as_bytes) {
            // A narrow store of a number at the start of a slot is a narrow spill for a
            // privileged loader (`check_stack_write_fixed_off`), zero included.
            // The spilled copy keeps the link of a value that fits in the store, on every
            // target: 6.12's `reg_value_fits`, and 6.1.192's `check_stack_write_fixed_off`
            // (`save_register_state` copies the id, cleared only when `fls64(umax)` exceeds
            // the store: measured, the seed 777 offset fuzz program #4451). Only from 6.12
            // is a number with no link given one here ([`Self::link_spilled`]).
            let keep = fits(x, n);
            // The bytes past it keep a known zero (`save_register_state` leaves
            // `STACK_ZERO` alone); what was a spilled register's becomes unknown. Before 6.12
            // they become unknown too (6.1.192's `save_register_state` scrubs them), unless
            // the number is 0 (written as zero bytes, the others left as they are).
            let keep_zeros =
                self.input.kernel >= KernelVersion::PARTIAL_SPILL_ZERO || x.t == Tnum::konst(0);
            let past = if keep_zeros {
                s.zero_mask() & !((1u8 << n) - 1)
            } else {
                0
            };
            // The never-written bytes past it stay so (`save_register_state`, whose
            // `scrub_spilled_slot` leaves `STACK_INVALID` alone).
            let unset = (n as usize..8)
                .filter(|&i| s.unset_byte(i))
                .fold(0u8, |m, i| m | 1 << i);
            *s = Slot::Part(if keep { *x } else { x.unlinked() }, n as u8, past, unset);
        } else {
            if matches!(s, Slot::Spill(_) | Slot::Part(..)) {
                *s = s.scrubbed();
            }
            let zero = matches!(&v, RegVal::Scalar(x) if x.as_const() == Some(0));
            if let Slot::Bytes(b) = s {
                for x in &mut b[byte..byte + n as usize] {
                    *x = if zero { Byte::Zero } else { Byte::Misc };
                }
            }
        }
    }

    /// 6.12: spilling a number that fits in the store (8 bytes, or a narrow store at the start
    /// of a slot) links the stack copy and the register, as a move does
    /// (`assign_scalar_id_before_mov` in `check_stack_write_fixed_off`).
    pub(crate) fn link_spilled(
        &self,
        st: &mut State,
        base: &RegVal,
        off: i32,
        size: Size,
        src: u8,
    ) {
        let RegVal::Stack { frame, off: o } = base else {
            return;
        };
        let n = size.bytes();
        let a = o + off;
        let RegVal::Scalar(v) = st.cur().regs[src as usize] else {
            return;
        };
        if self.input.kernel < KernelVersion::NARROW_FILL
            || (v.id() != 0 && v.link & Scalar::ANY_DELTA == 0)
            || !fits(&v, n)
            || (n != 8 && (a + 512) % 8 != 0)
        {
            return;
        }
        let (f, slot) = (*frame as usize, ((a + 512) / 8) as usize);
        let Some(fr) = st.frames.get(f) else { return };
        let stored = match fr.stack.get(slot) {
            Some(Slot::Spill(RegVal::Scalar(x))) | Some(Slot::Part(x, ..)) if *x == v => *x,
            _ => return,
        };
        // A value linked with a delta starts a new link; a constant gets none.
        let linked = if stored.as_const().is_some() {
            stored.unlinked()
        } else {
            Scalar {
                link: st.fresh(),
                delta: 0,
                ..stored
            }
        };
        let new_slot = match &st.frames[f].stack[slot] {
            Slot::Part(_, sz, z, u) => Slot::Part(linked, *sz, *z, *u),
            _ => Slot::Spill(RegVal::Scalar(linked)),
        };
        st.frames[f].stack[slot] = new_slot;
        st.cur_mut().regs[src as usize] = RegVal::Scalar(linked);
    }
}

/// True if every value of `v` fits in `n` bytes (`get_reg_width(v) <= 8 n`).
fn fits(v: &Scalar, n: u32) -> bool {
    n >= 8 || v.umax < 1u64 << (8 * n)
}

/// A fill of `n` bytes of the spilled `v`, as the target `kernel` does it: its bounds truncated
/// to the size and synchronised ([`coerce`]; from [`KernelVersion::FILL32_SYNC`] also where it
/// fits), linked to the spilled register's copies while the value fits
/// (`copy_register_state`). From [`KernelVersion::TNUM_SINGLE`], 6.18's `reg_bounds_sync` at
/// the end of `coerce_reg_to_size` makes a constant of a range that
/// holds one value of the truncated known bits (`tnum_step`,
/// [`KernelVersion::TNUM_SINGLE`]): a 32-bit spill of `r3` whose low half is in
/// 0x1ffffff0..=0x40000000 with known bits (0; 0x40000000) fills as 0x40000000 (rule case
/// `fill32_single_value`).
fn fill(v: &Scalar, n: u32, kernel: KernelVersion) -> Scalar {
    let single = kernel >= KernelVersion::TNUM_SINGLE;
    let r = if !fits(v, n) {
        coerce(v, n)
    } else if kernel >= KernelVersion::FILL32_SYNC {
        // Truncated and synchronised even where it fits: the kernel's `coerce_reg_to_size`
        // runs after the copy whatever its width, and its one synchronisation can learn what
        // the spilled value's own last one did not (`narrow_fill_syncs_once`).
        Scalar {
            link: v.link,
            delta: v.delta,
            ..coerce(v, n)
        }
    } else {
        // Older targets: the copy as it is (6.1.192's `coerce_reg_to_size` does not
        // synchronise a 4-byte fill; the narrower ones are not modelled more closely).
        *v
    };
    if single {
        r.single_value()
    } else {
        r
    }
}

/// A sign-extending fill (`*(sN *)`) of `n` bytes of the spilled `v`: the kernel copies the
/// spilled register, then `coerce_reg_to_size_sx` (the signed bounds, without the known bits);
/// the copy stays linked only while the extension cannot change the value (`umax` below
/// 2^(8n-1)). `keep_fits`: 6.18's rule for a signed range that fits
/// ([`Scalar::sext_keeping_fits`]).
fn fill_sx(v: &Scalar, n: u32, keep_fits: bool) -> Scalar {
    let r = if keep_fits {
        v.unlinked().sext_keeping_fits(8 * n)
    } else {
        v.unlinked().sext(8 * n)
    };
    if v.umax < 1u64 << (8 * n - 1) {
        Scalar {
            link: v.link,
            delta: v.delta,
            ..r
        }
    } else {
        r
    }
}

/// The kernel's `coerce_reg_to_size`: the low `n` bytes, zero-extended.
pub(crate) fn coerce(v: &Scalar, n: u32) -> Scalar {
    v.coerce(n)
}

impl<'a> Exec<'a> {
    /// A 4-byte fill of a 4-byte spill of `v`, a number that does not fit in 4 bytes, before
    /// [`KernelVersion::FILL32_SYNC`]: 6.1.192's `coerce_reg_to_size` truncates the known bits
    /// and the 64-bit ranges (to `0..=u32::MAX` when the upper halves of the bounds differ) and
    /// returns without `reg_bounds_sync`, the 32-bit bounds left as they were. A comparison then
    /// sees those wide ranges only: given here as the number in them (less precise than the
    /// kernel elsewhere, never more). Where the truncated known bits are one constant and those
    /// ranges are not, that kernel makes the result of any 64-bit operation with it as the
    /// source unknown, and a pointer it is added to a number (the bounds check of
    /// `adjust_scalar_min_max_vals` / `adjust_ptr_min_max_vals`): not modelled, refused.
    fn fill32_unsynced(&self, pc: usize, v: &Scalar, a: i32) -> R<Scalar> {
        let m = u64::from(u32::MAX);
        let (lo, hi) = if v.umin >> 32 == v.umax >> 32 {
            (v.umin & m, v.umax & m)
        } else {
            (0, m)
        };
        if v.t.cast32().is_const() && lo != hi {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "a 4-byte load from r10 {a:+} fills a 4-byte spill of a number wider than 4 bytes whose low half is the constant {}: the target kernel ({}) leaves the filled register's bounds ({lo}..={hi}) apart from that constant (`coerce_reg_to_size` without `reg_bounds_sync`, fixed in 6.12), which this verifier does not model; store the low half with `wX = wY` first, or verify for 6.12 or later",
                    v.t.value & m,
                    self.input.kernel
                ),
            ));
        }
        Ok(Scalar::urange(lo, hi))
    }

    /// Checks a variable-offset access of `n` bytes at `a + var` in `frame`; returns the frame
    /// index and the byte range (frame offsets, `lo..hi`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn stack_var_range(
        &mut self,
        pc: usize,
        st: &State,
        r: u8,
        base: &RegVal,
        frame: u8,
        a: i32,
        var: &Scalar,
        n: u32,
    ) -> R<(usize, i64, i64)> {
        if var.smax >= MAX_VAR_OFF || var.smin <= -MAX_VAR_OFF {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "r{r} is {}: its variable offset is unbounded (the kernel needs it within ±2^29)",
                    self.describe(base)
                ),
            ));
        }
        let lo = a as i64 + var.smin;
        let hi = a as i64 + var.smax + n as i64;
        if lo < -512 || hi > 0 {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "r{r} is {}: this {n}-byte access may touch r10 {lo:+} .. r10 {hi:+}, outside the 512-byte frame (r10 - 512 .. r10)",
                    self.describe(base)
                ),
            ));
        }
        if !is_aligned(var.t, a as i64, n) {
            return Err(e(
                pc,
                Rule::StackAccess,
                format!(
                    "misaligned stack access: r{r} is {} and the offset is not known to be a multiple of the {n}-byte access size",
                    self.describe(base)
                ),
            ));
        }
        let f = frame as usize;
        if f >= st.frames.len() {
            return Err(e(
                pc,
                Rule::StackAccess,
                "this stack pointer refers to a function frame that has returned",
            ));
        }
        self.note_depth(st, f, lo as i32);
        Ok((f, lo, hi))
    }
}

/// The byte positions (0..512, from the frame's lowest address) of `lo..hi`.
fn positions(lo: i64, hi: i64) -> core::ops::Range<usize> {
    (lo + 512) as usize..(hi + 512) as usize
}

/// A read of `n` bytes somewhere in `lo..hi` (`mark_reg_stack_read`).
pub(crate) fn stack_var_read(st: &State, f: usize, lo: i64, hi: i64, n: u32, sx: bool) -> Scalar {
    let stack = &st.frames[f].stack;
    let zero = positions(lo, hi).all(|p| stack[p / 8].zero_byte(p % 8));
    if zero {
        Scalar::konst(0)
    } else {
        let s = Scalar::of_size(n);
        if sx {
            s.sext(n * 8)
        } else {
            s
        }
    }
}

/// A write somewhere in `lo..hi` (`check_stack_write_var_off`). A zero written over a
/// spilled constant 0 keeps the spill (`writing_zero` over a `STACK_SPILL` byte of a spilled
/// constant-zero scalar: the kernel skips the byte); only for an 8-byte spill, or a narrow
/// one whose spilled bytes hold the whole range in that slot (past them the kernel scrubs the
/// slot); with `keep_zero_spill` only (upstream in 6.8, assumed from the 6.12 target).
pub(crate) fn stack_var_write(
    st: &mut State,
    f: usize,
    lo: i64,
    hi: i64,
    v: &RegVal,
    keep_zero_spill: bool,
) {
    let zero = matches!(v, RegVal::Scalar(x) if x.as_const() == Some(0));
    let stack = &mut st.frames[f].stack;
    let range = positions(lo, hi);
    for p in range.clone() {
        let s = &mut stack[p / 8];
        let spilled_zero = match s {
            Slot::Spill(RegVal::Scalar(x)) => x.as_const() == Some(0),
            Slot::Part(x, n, ..) => {
                // Every byte of the range in this slot is one of the spilled ones.
                let last = range.end.min(p / 8 * 8 + 8);
                x.as_const() == Some(0) && last - p / 8 * 8 <= *n as usize
            }
            _ => false,
        };
        if zero && spilled_zero && keep_zero_spill {
            continue;
        }
        if matches!(s, Slot::Spill(_) | Slot::Part(..)) {
            *s = s.scrubbed();
        }
        if let Slot::Bytes(b) = s {
            if !(zero && b[p % 8] == Byte::Zero) {
                b[p % 8] = Byte::Misc;
            }
        }
    }
}

impl Exec<'_> {
    /// Whether a `BPF_ST` of the immediate `imm` through `base` stores that number as the
    /// target kernel tracks it; `false`: the kernel writes unknown bytes (`STACK_MISC`) and
    /// the caller stores an unknown number instead. Only stores to the stack differ: a fixed
    /// offset before [`KernelVersion::ST_IMM_SPILL`] (an immediate 0 included: no
    /// `STACK_ZERO` then), a negative immediate before [`KernelVersion::ST_IMM_SIGNED`], a
    /// variable offset's 0 before [`KernelVersion::ST_VAR_ZERO`].
    pub(crate) fn st_imm_tracked(&self, base: &RegVal, imm: i32) -> bool {
        let k = self.input.kernel;
        match base {
            RegVal::Stack { .. } => {
                k.has(KernelVersion::ST_IMM_SPILL)
                    && (imm >= 0 || k.has(KernelVersion::ST_IMM_SIGNED))
            }
            RegVal::StackVar { .. } => imm != 0 || k.has(KernelVersion::ST_VAR_ZERO),
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::*;
    use crate::verifier::initial_state;

    #[test]
    fn narrow_fills_truncate_and_keep_links_only_when_the_value_fits() {
        let v = Scalar {
            link: 7,
            ..Scalar::urange(0, 300)
        };
        // 300 does not fit in one byte: truncated, unlinked.
        let k = KernelVersion::new(6, 12);
        let f = fill(&v, 1, k);
        assert_eq!((f.umin, f.umax, f.link), (0, 255, 0));
        // It fits in two: the same value, still linked.
        assert_eq!(fill(&v, 2, k), v);
        let c = coerce(&Scalar::konst(0x1_0000_0005), 4);
        assert_eq!(c.as_const(), Some(5));
        assert!(fits(&Scalar::urange(0, 255), 1));
        assert!(!fits(&Scalar::urange(0, 256), 1));
        assert!(fits(&Scalar::UNKNOWN, 8));
    }

    /// A narrow fill against the kernel's steps: `coerce_reg_to_size` (its text, transcribed
    /// here) and then one `reg_bounds_sync` step by step (6.12's, or 6.18's with the
    /// single-value rule), on random spilled values as the kernel holds them.
    #[test]
    fn narrow_fills_are_the_kernels() {
        use crate::verifier::domain::test_rng::Rng;
        let mut rng = Rng(0x5eed_f111);
        let mut checked = 0;
        for _ in 0..200_000 {
            let Some((v, _)) = rng.member_operand() else {
                continue;
            };
            for (k, single) in [
                (KernelVersion::new(6, 12), false),
                (KernelVersion::new(6, 18), true),
            ] {
                if single && v.single_value() != v {
                    continue;
                }
                for n in [1u32, 2, 4] {
                    let mask = (1u64 << (8 * n)) - 1;
                    let mut r = v.unlinked();
                    r.t = Tnum {
                        value: r.t.value & mask,
                        mask: r.t.mask & mask,
                    };
                    if r.umin & !mask == r.umax & !mask {
                        r.umin &= mask;
                        r.umax &= mask;
                    } else {
                        (r.umin, r.umax) = (0, mask);
                    }
                    (r.smin, r.smax) = (r.umin as i64, r.umax as i64);
                    if n < 4 {
                        (r.u32min, r.u32max, r.s32min, r.s32max) =
                            (0, u32::MAX, i32::MIN, i32::MAX);
                    }
                    let want = r.kernel_sync_steps(single);
                    let got = fill(&v, n, k).unlinked();
                    assert!(
                        got.same_value(&want),
                        "{k} fill {n} of {v:?}: {got:?}, the kernel {want:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 100_000, "only {checked}");
    }

    #[test]
    fn sign_extending_fills_extend_the_spilled_bounds() {
        let v = Scalar {
            link: 7,
            ..Scalar::urange(0, 7)
        };
        // 0..=7 is unchanged by an s16 extension: the same bounds, still linked.
        let f = fill_sx(&v, 2, true);
        assert_eq!((f.smin, f.smax, f.link), (0, 7, 7));
        // 0x80..=0x90 as s8 is -128..=-112, no longer linked.
        let w = Scalar {
            link: 7,
            ..Scalar::urange(0x80, 0x90)
        };
        let f = fill_sx(&w, 1, true);
        assert_eq!((f.smin, f.smax, f.link), (-128, -112, 0));
        // Crossing the sign boundary: any s8.
        let f = fill_sx(&Scalar::urange(0x70, 0x90), 1, true);
        assert_eq!((f.smin, f.smax), (-128, 127));
        // The known bits go (the kernel's tnum_range of the signed bounds): 0 or 4 is 0..=4.
        let b = Scalar {
            t: Tnum { value: 0, mask: 4 },
            ..Scalar::urange(0, 4)
        };
        assert_eq!(fill_sx(&b, 4, true).t.mask, 7);
    }

    #[test]
    fn variable_reads_see_zeros_only_over_known_zeros_and_writes_clobber_the_range() {
        let mut st = initial_state();
        // r10-16..r10-8 known zeros, r10-8..r10 a spilled pointer.
        st.frames[0].stack[62] = Slot::Bytes([Byte::Zero; 8]);
        st.frames[0].stack[63] = Slot::Spill(RegVal::Ctx { off: 0 });
        assert_eq!(
            stack_var_read(&st, 0, -16, -8, 1, false).as_const(),
            Some(0)
        );
        let r = stack_var_read(&st, 0, -16, -7, 1, false);
        assert_eq!((r.umin, r.umax), (0, 255));
        // Writing zero keeps zeros; the spill it touches is gone.
        stack_var_write(&mut st, 0, -12, -4, &RegVal::Scalar(Scalar::konst(0)), true);
        assert_eq!(st.frames[0].stack[62], Slot::Bytes([Byte::Zero; 8]));
        assert_eq!(st.frames[0].stack[63], Slot::Bytes([Byte::Misc; 8]));
        // Writing anything else makes the range unknown.
        stack_var_write(
            &mut st,
            0,
            -16,
            -14,
            &RegVal::Scalar(Scalar::konst(1)),
            true,
        );
        let Slot::Bytes(b) = &st.frames[0].stack[62] else {
            panic!("bytes")
        };
        assert_eq!(b[0..2], [Byte::Misc; 2]);
        assert_eq!(b[2..], [Byte::Zero; 6]);
    }

    #[test]
    fn a_variable_zero_write_keeps_a_spilled_zero_it_stays_within() {
        let zero = RegVal::Scalar(Scalar::konst(0));
        let mut st = initial_state();
        st.frames[0].stack[58] = Slot::Spill(zero);
        st.frames[0].stack[59] = Slot::Part(Scalar::konst(0), 4, 0, 0);
        st.frames[0].stack[60] = Slot::Part(Scalar::konst(0), 2, 0, 0);
        // r10-48..r10-40: the 8-byte spill stays; r10-40: within the 4-byte spill, it stays.
        stack_var_write(&mut st, 0, -48, -41, &zero, true);
        stack_var_write(&mut st, 0, -40, -37, &zero, true);
        assert_eq!(st.frames[0].stack[58], Slot::Spill(zero));
        assert_eq!(
            st.frames[0].stack[59],
            Slot::Part(Scalar::konst(0), 4, 0, 0)
        );
        // Past the 2-byte spill: scrubbed; a 6.6 target scrubs every one; a 1 always does.
        stack_var_write(&mut st, 0, -32, -29, &zero, true);
        assert!(matches!(st.frames[0].stack[60], Slot::Bytes(_)));
        stack_var_write(&mut st, 0, -40, -39, &zero, false);
        assert!(matches!(st.frames[0].stack[59], Slot::Bytes(_)));
        stack_var_write(
            &mut st,
            0,
            -48,
            -47,
            &RegVal::Scalar(Scalar::konst(1)),
            true,
        );
        assert!(matches!(st.frames[0].stack[58], Slot::Bytes(_)));
    }

    #[test]
    fn a_narrow_fill_inside_a_spilled_zero_is_zero_from_6_12() {
        let mut st = initial_state();
        One::new("*(u64 *)(r10 - 8) = 0\nexit").next(&mut st);
        let k612 = KernelVersion::new(6, 12);
        One::new("r2 = *(u32 *)(r10 - 4)\nexit")
            .kernel(k612)
            .next(&mut st);
        assert_eq!(num(&st, 2).as_const(), Some(0));
        One::new("r2 = *(u16 *)(r10 - 6)\nexit").next(&mut st);
        assert_eq!(num(&st, 2).as_const(), None);
    }

    #[test]
    fn a_spill_and_fill_keeps_a_pointer() {
        let mut st = state(&[(1, pkt(0, 14))]);
        One::new("*(u64 *)(r10 - 8) = r1\nexit").next(&mut st);
        assert_eq!(*slot(&st, -8), Slot::Spill(pkt(0, 14)));
        One::new("r2 = *(u64 *)(r10 - 8)\nexit").next(&mut st);
        assert_eq!(*reg(&st, 2), pkt(0, 14));
        // A narrow fill of it is refused, and so is a narrow spill of a pointer.
        let (rule, msg) = One::new("r2 = *(u32 *)(r10 - 8)\nexit").refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        assert!(
            msg.starts_with("a 4-byte load from r10 -8 reads part of a spilled pointer"),
            "{msg}"
        );
        let (rule, msg) = One::new("*(u32 *)(r10 - 16) = r1\nexit").refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        assert!(msg.ends_with("can only be stored to the stack with an aligned 8-byte store (`*(u64 *)(r10 - 8) = rX`)"), "{msg}");
    }

    #[test]
    fn spilled_numbers_keep_their_bounds() {
        let mut st = state(&[(1, scalar(Scalar::urange(0, 100)))]);
        One::new("*(u32 *)(r10 - 8) = r1\nexit").next(&mut st);
        assert!(matches!(slot(&st, -8), Slot::Part(v, 4, 0, 0) if v.umax == 100));
        One::new("r2 = *(u32 *)(r10 - 8)\nexit").next(&mut st);
        let r2 = num(&st, 2);
        assert_eq!((r2.umin, r2.umax), (0, 100));
        // Zeros stored byte-wise read back as zero; other bytes are unknown.
        let mut st = state(&[]);
        One::new("*(u32 *)(r10 - 4) = 0\nexit").next(&mut st);
        One::new("r2 = *(u32 *)(r10 - 4)\nexit").next(&mut st);
        assert_eq!(num(&st, 2).as_const(), Some(0));
        One::new("r2 = *(u64 *)(r10 - 8)\nexit").next(&mut st);
        assert_eq!(num(&st, 2), Scalar::of_size(8));
    }

    #[test]
    fn a_narrow_spill_keeps_the_known_zeros_past_it() {
        // What clang emits for two zeroed `__u32` keys sharing one slot.
        let mut st = state(&[(1, konst(0))]);
        One::new("*(u32 *)(r10 - 4) = w1\nexit").next(&mut st);
        One::new("*(u32 *)(r10 - 8) = w1\nexit").next(&mut st);
        assert!(
            matches!(slot(&st, -8), Slot::Part(v, 4, 0xf0, 0) if v.as_const() == Some(0)),
            "{:?}",
            slot(&st, -8)
        );
        // The upper half still reads as zero; the whole slot mixes spilled and zero bytes,
        // which the kernel reads as unknown (`spill_cnt` / `zero_cnt`).
        One::new("r2 = *(u32 *)(r10 - 4)\nexit").next(&mut st);
        assert_eq!(num(&st, 2).as_const(), Some(0));
        One::new("r2 = *(u64 *)(r10 - 8)\nexit").next(&mut st);
        assert_eq!(num(&st, 2), Scalar::UNKNOWN);
        // A narrow spill over a wider one: the old spilled bytes become unknown.
        let mut st = state(&[(1, konst(0)), (2, konst(5))]);
        One::new("*(u32 *)(r10 - 8) = w1\nexit").next(&mut st);
        One::new("*(u16 *)(r10 - 8) = w2\nexit").next(&mut st);
        assert!(matches!(slot(&st, -8), Slot::Part(_, 2, 0, 0)));
        One::new("r3 = *(u16 *)(r10 - 6)\nexit").next(&mut st);
        assert_eq!(num(&st, 3), Scalar::of_size(2));
        // A store that is not at the slot's start scrubs a spill, zeros past it included.
        let mut st = state(&[(1, konst(0))]);
        One::new("*(u32 *)(r10 - 4) = w1\nexit").next(&mut st);
        One::new("*(u32 *)(r10 - 8) = w1\nexit").next(&mut st);
        One::new("*(u16 *)(r10 - 6) = w1\nexit").next(&mut st);
        let Slot::Bytes(b) = slot(&st, -8) else {
            panic!("bytes")
        };
        assert_eq!(b[..2], [Byte::Misc; 2]);
        assert_eq!(b[2..4], [Byte::Zero; 2]);
        assert_eq!(b[4..], [Byte::Misc; 4]);
    }

    #[test]
    fn fixed_offsets_stay_in_the_frame_and_aligned() {
        let mut st = state(&[(1, konst(1))]);
        let (rule, msg) = One::new("*(u64 *)(r10 - 520) = r1\nexit").refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::StackAccess,
                "stack access at r10 -520 of 8 bytes is outside the 512-byte frame (r10 - 512 .. r10)"
            )
        );
        let (_, msg) = One::new("*(u64 *)(r10 + 0) = r1\nexit").refused(&mut st);
        assert!(msg.contains("is outside the 512-byte frame"), "{msg}");
        let (rule, msg) = One::new("*(u32 *)(r10 - 6) = r1\nexit").refused(&mut st);
        assert_eq!(
            (rule, msg.as_str()),
            (
                Rule::StackAccess,
                "misaligned stack access: r10 -6 is not a multiple of the 4-byte access size"
            )
        );
        One::new("*(u64 *)(r10 - 512) = r1\nexit").next(&mut st);
        assert_eq!(st.cur().stack[0], Slot::Spill(konst(1)));
    }

    #[test]
    fn a_variable_offset_write_within_the_frame() {
        // r1 = r10 - 16 + var, var in {0, 8}: an 8-byte write touches r10-16 .. r10.
        let var = Scalar::UNKNOWN.and(&Scalar::konst(8));
        let p = RegVal::StackVar {
            frame: 0,
            off: -16,
            var,
        };
        let mut st = state(&[(1, p), (2, konst(7))]);
        st.cur_mut().stack[63] = Slot::Spill(pkt(0, 0));
        One::new("*(u64 *)(r1 + 0) = r2\nexit").next(&mut st);
        // Both slots it may touch hold unknown bytes now: the spilled pointer is gone.
        assert_eq!(*slot(&st, -16), Slot::Bytes([Byte::Misc; 8]));
        assert_eq!(*slot(&st, -8), Slot::Bytes([Byte::Misc; 8]));
        // A read through it gives an unknown number of its size.
        One::new("r3 = *(u32 *)(r1 + 0)\nexit").next(&mut st);
        assert_eq!(num(&st, 3), Scalar::of_size(4));
        // Past the frame's top, misaligned, or unbounded: refused.
        let (rule, msg) = One::new("*(u64 *)(r1 + 8) = r2\nexit").refused(&mut st);
        assert_eq!(rule, Rule::StackAccess);
        assert!(msg.ends_with("this 8-byte access may touch r10 -8 .. r10 +8, outside the 512-byte frame (r10 - 512 .. r10)"), "{msg}");
        let p = RegVal::StackVar {
            frame: 0,
            off: -24,
            var,
        };
        let (rule, msg) =
            One::new("*(u64 *)(r1 + 4) = r2\nexit").refused(&mut state(&[(1, p), (2, konst(7))]));
        assert_eq!(rule, Rule::StackAccess);
        assert_eq!(msg, "misaligned stack access: r1 is a stack pointer (r10 -24 + var(0..=8)) and the offset is not known to be a multiple of the 8-byte access size");
        let p = RegVal::StackVar {
            frame: 0,
            off: -16,
            var: Scalar::UNKNOWN,
        };
        let (_, msg) =
            One::new("*(u64 *)(r1 + 0) = r2\nexit").refused(&mut state(&[(1, p), (2, konst(7))]));
        assert!(
            msg.ends_with("its variable offset is unbounded (the kernel needs it within ±2^29)"),
            "{msg}"
        );
    }
}
