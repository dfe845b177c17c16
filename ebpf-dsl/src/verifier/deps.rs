//! Which values of an explored state mattered: the forward form of the kernel's liveness
//! (`REG_LIVE_READ`) and precision (`mark_chain_precision`) marks.
//!
//! Every path carries, for each register and stack slot of each frame, the set of *sources* its
//! abstract value was computed from: the registers and slots of each call frame of the state at
//! the path's latest checkpoint ([`Mask`]: a word per frame, bits 0..=10 registers, 11..=74
//! slots; the frames deeper than [`Mask::FRAMES`] share one bit and are compared exactly; the
//! width follows the program's deepest chain of calls: [`super::mask::Width`]). Values flow between frames at a call (the arguments), at a return (`r0`) and
//! through pointers to a caller's stack; a caller's locations are thus live at a callee's
//! checkpoint only if read below it (through a pointer, or after the return), as the kernel's
//! per-frame marks. When an instruction reads a location, its sources are marked *live* at
//! that checkpoint; when the exact value of a scalar decides something (a branch walked one way
//! only, a pointer offset, a helper argument, the return value), its sources are marked
//! *precise*. Each checkpoint keeps the sources of its own locations in terms of its parent's
//! (its `link`), so a mark climbs the chain of checkpoints of the path, as the kernel's
//! backtracking does. A checkpoint that is fully explored then covers a new state that agrees
//! with it on the live locations, scalars that were never precise compared as "any scalar".
//!
//! Over-approximating the sources is always sound (more marks, fewer prunes); the rules here do
//! so wherever a transfer function's effect is not obvious: after a conditional jump or a
//! helper call, every location whose abstract value changed (refined through a link, a packet
//! range learned, a pointer invalidated, memory written) gets the instruction's inputs added.

use crate::insn::{AtomicOp, Size};

use super::cfg::{Op, Src};
use super::domain::state::{RegVal, Slot, State, CHUNK, SLOTS};
use super::helpers::{self, Arg};
pub(crate) use super::mask::Mask;
use super::mask::FRAME_BITS;

#[path = "deps_table.rs"]
mod table;
pub(crate) use table::{Deps, Link};

impl<const W: usize> Deps<W> {
    /// The sources of the locations in `m` (bits of a checkpoint with this path's frames).
    pub(crate) fn of_mask(&self, m: Mask<W>) -> Mask<W> {
        let mut out = Mask::EMPTY;
        for f in 0..Mask::<W>::FRAMES {
            let w = m.frame(f);
            if w == 0 {
                continue;
            }
            // A location of a frame the path does not have: any source (every mask is in ALL).
            if f >= self.len() {
                return Mask::ALL;
            }
            out |= self.union_of(f, w);
        }
        if m.has_other() {
            for f in Mask::<W>::FRAMES..self.len() {
                out |= self.union_of(f, FRAME_BITS);
            }
        }
        out
    }

    #[inline]
    fn reg(&self, r: u8) -> Mask<W> {
        self.get(self.len() - 1, r as usize)
    }

    #[inline]
    fn set_reg(&mut self, r: usize, m: Mask<W>) {
        self.set(self.len() - 1, r, m);
    }

    // Always inlined: at every ALU instruction (`after`), the test alone.
    #[inline(always)]
    fn add_reg(&mut self, r: usize, m: Mask<W>) {
        // Nothing to add (an ALU operation with an immediate, most often): no call.
        if !m.is_empty() {
            self.add(self.len() - 1, r, m);
        }
    }
}

/// Translates source bits `m` of a checkpoint through its `link` into its parent's sources.
pub(crate) fn translate<const W: usize>(link: &Link<W>, m: Mask<W>) -> Mask<W> {
    let mut out = if m.has_other() {
        link.other
    } else {
        Mask::EMPTY
    };
    // The unchanged locations are their own sources; each changed one's sources are the
    // `k`-th of `diff`, `k` its rank in `changed` (counted along its bits up to the last one
    // hit: no bit count per location).
    out |= (m & !link.changed).named();
    let hits = m & link.changed;
    if hits.is_empty() {
        return out;
    }
    // The words of the hit bits, in location order as `diff` (frame, then location): the
    // count of the changed bits left in a word is only needed when a later word has hits (a
    // software bit count on the baseline x86-64 target, so it is skipped after the last hit).
    let (hw, cw) = (hits.words(), link.changed.words());
    let last = hw.iter().rposition(|w| *w != 0).unwrap_or(0);
    let mut k = 0;
    for (j, (&(mut h), &(mut c))) in hw.iter().zip(&cw).enumerate().take(last + 1) {
        while h != 0 {
            let low = c & c.wrapping_neg();
            if h & low != 0 {
                out |= link.diff[k];
                h ^= low;
            }
            c ^= low;
            k += 1;
        }
        if j < last && c != 0 {
            k += c.count_ones() as usize;
        }
    }
    out
}

/// The stack slots (frame, first, last) a `size`-byte access at `base + off` may touch, if
/// `base` points into a stack frame.
fn stack_slots(base: &RegVal, off: i64, size: i64) -> Option<(usize, usize, usize)> {
    let (frame, lo, hi) = match base {
        RegVal::Stack { frame, off: o } => (*frame, *o as i64 + off, *o as i64 + off + size - 1),
        RegVal::StackVar { frame, off: o, var } => (
            *frame,
            (*o as i64 + off).saturating_add(var.smin),
            (*o as i64 + off + size - 1).saturating_add(var.smax),
        ),
        _ => return None,
    };
    let idx = |x: i64| ((x.clamp(-512, -1) + 512) / 8) as usize;
    Some((frame as usize, idx(lo), idx(hi)))
}

/// What an instruction reads and which of its inputs must be exact, taken before it runs.
pub(crate) struct Before<const W: usize> {
    /// Sources read.
    pub(crate) read: Mask<W>,
    /// Sources whose exact value matters whatever the outcome.
    pub(crate) demand: Mask<W>,
    /// For a conditional jump on scalars: the sources of both operands (exact if the jump is
    /// decided one way).
    pub(crate) cond: Option<Mask<W>>,
    /// For a helper call: the sources of its inputs (added to whatever it changes).
    inputs: Mask<W>,
    /// For an ALU operation or a register store: the sources of its source register (none
    /// for an immediate), which the destination gets.
    src: Mask<W>,
    /// A stack access: (frame, first slot, last slot).
    slots: Option<(usize, usize, usize)>,
    /// A load of stack bytes that are all unknown (no byte of a spilled register, no known
    /// zero): the number loaded is unknown whatever the slots held before.
    unknown_load: bool,
}

impl<const W: usize> Before<W> {
    /// True if the effect on the sources needs the state before the instruction: helper calls,
    /// and jumps unless both operands are numbers without links (then only the operands
    /// themselves can be refined).
    pub(crate) fn needs_snapshot(op: &Op, st: &State) -> bool {
        let unlinked =
            |r: u8| matches!(&st.cur().regs[r as usize], RegVal::Scalar(v) if v.link == 0);
        match *op {
            Op::Call { .. } => true,
            Op::Cond { dst, src, .. } => {
                !(unlinked(dst)
                    && (matches!(src, Src::Imm(_)) || matches!(src, Src::Reg(s) if unlinked(s))))
            }
            _ => false,
        }
    }
}

/// The sources of the `size` stack bytes at `base` (0 if `base` is not a stack pointer).
pub(crate) fn stack_sources<const W: usize>(d: &Deps<W>, base: &RegVal, size: i64) -> Mask<W> {
    slots_union(d, stack_slots(base, 0, size))
}

/// The bits of slots `lo..=hi` in a frame's word.
fn slot_bits(lo: usize, hi: usize) -> u128 {
    ((1u128 << (hi - lo + 1)) - 1) << (11 + lo)
}

fn slots_union<const W: usize>(d: &Deps<W>, s: Option<(usize, usize, usize)>) -> Mask<W> {
    match s {
        Some((f, lo, hi)) if f < d.len() => d.union_of(f, slot_bits(lo, hi)),
        Some(_) => Mask::ALL,
        None => Mask::EMPTY,
    }
}

/// For a helper call: how many bytes it may read through each argument register (index
/// `1..=5`) when its prototype and the state say (`super::deps_call`): a map's key or value
/// size, a memory argument's size register (its largest value), a fixed size; `None` where
/// unknown (then the slots from the pointer up to the frame's top, as `before` assumes).
pub(crate) type ReadSizes = [Option<u64>; 6];

/// The [`ReadSizes`] of an instruction other than a helper call: none.
pub(crate) const NO_SIZES: ReadSizes = [None; 6];

/// Reads and demands of `op` in state `st` (before it runs); `sizes`: for a helper call, the
/// bytes it reads through each argument ([`ReadSizes`]).
#[inline]
pub(crate) fn before<const W: usize>(
    op: &Op,
    st: &State,
    d: &Deps<W>,
    sizes: &ReadSizes,
) -> Before<W> {
    let regs = &st.cur().regs;
    let is_ptr = |r: u8| regs[r as usize].is_pointer();
    let dr = |r: u8| d.reg(r);
    let mut b = Before {
        read: Mask::EMPTY,
        demand: Mask::EMPTY,
        cond: None,
        inputs: Mask::EMPTY,
        src: Mask::EMPTY,
        slots: None,
        unknown_load: false,
    };
    match *op {
        Op::Alu { op, dst, src, .. } => {
            let s = match src {
                Src::Reg(s) => dr(s),
                Src::Imm(_) => Mask::EMPTY,
            };
            let src_ptr = matches!(src, Src::Reg(s) if is_ptr(s));
            b.src = s;
            if op == crate::insn::AluOp::Mov {
                b.read = s;
            } else {
                b.read = s | dr(dst);
                if is_ptr(dst) || src_ptr {
                    b.demand = b.read;
                }
            }
        }
        Op::LdImm64 { .. }
        | Op::LdImm64Tail
        | Op::Ja { .. }
        | Op::MayGoto { .. }
        | Op::CallLocal { .. } => {}
        Op::LdAbs { ind, .. } => {
            b.read = dr(6) | ind.map(dr).unwrap_or(Mask::EMPTY);
            b.demand = b.read;
        }
        Op::Ldx { src, off, size, .. } | Op::LoadAcq { src, off, size, .. } => {
            b.slots = stack_slots(&regs[src as usize], off as i64, i64::from(size.bytes()));
            b.read = dr(src) | slots_union(d, b.slots);
            b.demand = dr(src);
            b.unknown_load = unknown_bytes(st, &regs[src as usize], off as i64, size.bytes());
        }
        Op::St { dst, off, size, .. } => {
            b.slots = stack_slots(&regs[dst as usize], off as i64, i64::from(size.bytes()));
            b.read = dr(dst) | dynptr_slots(st, d, b.slots);
            b.demand = dr(dst);
        }
        Op::Stx {
            dst,
            src,
            off,
            size,
        }
        | Op::StoreRel {
            dst,
            src,
            off,
            size,
        } => {
            b.slots = stack_slots(&regs[dst as usize], off as i64, i64::from(size.bytes()));
            b.src = dr(src);
            b.read = dr(dst) | b.src | dynptr_slots(st, d, b.slots);
            b.demand = dr(dst);
            if b.slots.is_none() && is_ptr(src) {
                b.demand |= dr(src);
            }
            // A 0 stored off a slot's start is written as known zeros, not spilled: the
            // kernel makes the register precise there and then (`check_stack_write_fixed_off`:
            // `mark_chain_precision` before `STACK_ZERO`).
            let zero = matches!(&regs[src as usize], RegVal::Scalar(x) if x.as_const() == Some(0));
            if zero
                && matches!(&regs[dst as usize], RegVal::Stack { off: o, .. } if (o + off as i32) % 8 != 0)
            {
                b.demand |= b.src;
            }
        }
        Op::Atomic {
            dst,
            src,
            off,
            size,
            op,
            ..
        } => {
            b.slots = stack_slots(&regs[dst as usize], off as i64, i64::from(size.bytes()));
            b.read = dr(dst) | dr(src) | slots_union(d, b.slots);
            if op == AtomicOp::Cmpxchg {
                b.read |= dr(0);
            }
            // Only the pointer's value decides whether the access is allowed: the operand,
            // `cmpxchg`'s `r0` and the old content are stored or compared, never checked
            // (the kernel's `backtrack_insn` starts no chain at an atomic instruction, and
            // the slot of a stack atomic becomes `STACK_MISC`).
            b.demand = dr(dst);
        }
        Op::Cond { dst, src, .. } => {
            let s = match src {
                Src::Reg(s) => dr(s),
                Src::Imm(_) => Mask::EMPTY,
            };
            b.read = dr(dst) | s;
            if is_ptr(dst) || matches!(src, Src::Reg(s) if is_ptr(s)) {
                b.demand = b.read;
            } else {
                // Whether a way is feasible may also depend on the registers linked to the
                // operands (their refinements must agree).
                let id = |r: u8| match &regs[r as usize] {
                    RegVal::Scalar(v) => v.id(),
                    _ => 0,
                };
                let ids = [id(dst), if let Src::Reg(s) = src { id(s) } else { 0 }];
                b.cond = Some(b.read | linked(st, d, ids));
            }
        }
        Op::Call { helper, kfunc } => {
            // A helper that calls back does not read its context itself: the callback does,
            // on its own path, where its reads are marked.
            let callback = !kfunc && super::helpers::takes_callback(helper);
            let (mut m, mut mem, mut exact) = (Mask::EMPTY, Mask::EMPTY, Mask::EMPTY);
            let args = super::cfg::call_args(helper, kfunc);
            let any = anything_args(helper, kfunc);
            for r in (1..=5u8).filter(|r| args & (1 << r) != 0) {
                m |= dr(r);
                if any & (1 << r) == 0 {
                    exact |= dr(r);
                }
                // Memory a helper reads through a stack pointer: the bytes its prototype
                // gives (the kernel's `check_helper_mem_access` marks those read), else the
                // slots from the pointer up to the frame's top (a helper never reads below
                // its argument).
                if callback {
                    continue;
                }
                match sizes[r as usize] {
                    Some(0) => {}
                    Some(n) => {
                        let n = n.min(512) as i64;
                        mem |= slots_union(d, stack_slots(&regs[r as usize], 0, n));
                    }
                    None => {
                        if let Some((f, lo, _)) = stack_slots(&regs[r as usize], 0, 1) {
                            mem |= slots_union(d, Some((f, lo, SLOTS - 1)));
                        }
                    }
                }
            }
            // What a helper does depends on its registers, not on the memory it reads (but
            // for an array lookup's constant key: `super::deps_call`, demanded by the driver),
            // and not on the value of an `ARG_ANYTHING` register (`anything_args` below).
            b.read = m | mem;
            b.demand = exact;
            b.inputs = exact;
        }
        Op::Exit => {
            // The program's return value must be set, but no value of it is refused for
            // the program types modelled (the kernel's `check_return_code` enforces no range
            // for xdp, tc and socket filters): it is read, its exact value not demanded.
            b.read = dr(0);
            // A callback's `r0` must be 0 or 1 (the kernel marks it precise); the frame below a
            // callback's has the callback's rounds behind it (`callback_depth` > 0).
            let n = st.frames.len();
            if n > 1 && st.frames[n - 2].callback_depth > 0 {
                b.demand = dr(0);
            }
            // A timer callback's `r0` must be exactly 0: its one frame has the
            // `bpf_timer_set_callback` call as call site (the main program's and a global
            // function's have 0; `transfer/call/timer.rs`).
            if n == 1 && st.frames[0].callsite != 0 {
                b.demand = dr(0);
            }
        }
    }
    b
}

/// True if the `size` bytes at `base + off` are bytes of a stack frame that are all unknown
/// (not a byte of a spilled register, not a known zero): a load of them is an unknown number.
fn unknown_bytes(st: &State, base: &RegVal, off: i64, size: u32) -> bool {
    let RegVal::Stack { frame, off: o } = base else {
        return false;
    };
    let Some(fr) = st.frames.get(*frame as usize) else {
        return false;
    };
    let lo = *o as i64 + off;
    (lo..lo + i64::from(size)).all(|a| {
        if !(-512..0).contains(&a) {
            return false;
        }
        let (slot, i) = (((a + 512) / 8) as usize, ((a + 512) % 8) as usize);
        match &fr.stack[slot] {
            Slot::Spill(_) => false,
            Slot::Part(_, n, ..) if i < *n as usize => false,
            s => !s.zero_byte(i),
        }
    })
}

/// A store into `slots` that hits half of a dynptr destroys it (or is refused, for a
/// referenced one): what it does depends on both halves, read here.
fn dynptr_slots<const W: usize>(
    st: &State,
    d: &Deps<W>,
    slots: Option<(usize, usize, usize)>,
) -> Mask<W> {
    let Some((f, lo, hi)) = slots else {
        return Mask::EMPTY;
    };
    let Some(fr) = st.frames.get(f) else {
        return Mask::EMPTY;
    };
    let hit = (lo..=hi.min(SLOTS - 1)).any(|i| {
        matches!(
            fr.stack[i],
            Slot::Spill(RegVal::Dynptr { .. } | RegVal::Iter { .. })
        )
    });
    if !hit {
        return Mask::EMPTY;
    }
    slots_union(d, Some((f, lo.saturating_sub(1), (hi + 1).min(SLOTS - 1))))
}

/// The sources of every location (all frames) holding a scalar linked by one of `ids`.
fn linked<const W: usize>(st: &State, d: &Deps<W>, ids: [u32; 2]) -> Mask<W> {
    if ids == [0, 0] {
        return Mask::EMPTY;
    }
    let hit = |v: &RegVal| matches!(v, RegVal::Scalar(x) if x.id() != 0 && ids.contains(&x.id()));
    let mut m = Mask::EMPTY;
    for (k, f) in st.frames.iter().enumerate().take(d.len()) {
        for r in 0..11 {
            if hit(&f.regs[r]) {
                m |= d.get(k, r);
            }
        }
        for (i, s) in f.stack.iter().enumerate() {
            let v = match s {
                Slot::Spill(v) => hit(v),
                Slot::Part(x, ..) => hit(&RegVal::Scalar(*x)),
                Slot::Bytes(_) => false,
            };
            if v {
                m |= d.get(k, 11 + i);
            }
        }
    }
    m
}

/// Adds `m` to the sources of every location whose abstract value differs between `pre` and
/// `post` (same call frames). With `first` 6 (any other value: 0) the newest frame of `d`'s
/// `r0`-`r5` are left out: a helper call's caller sets them right after (`after_other`), so
/// what this would add to them is overwritten anyway.
fn changed<const W: usize>(pre: &State, post: &State, d: &mut Deps<W>, m: Mask<W>, first: usize) {
    // Nothing to add: no need to look for the changes.
    if m.is_empty() {
        return;
    }
    for (k, (fa, fb)) in pre.frames.iter().zip(&post.frames).enumerate() {
        if k >= d.len() {
            return;
        }
        // (Two loops of fixed length: each is unrolled.)
        if first == 0 || k + 1 < d.len() {
            for r in 0..6 {
                if fa.regs[r] != fb.regs[r] {
                    d.add(k, r, m);
                }
            }
        }
        for r in 6..11 {
            if fa.regs[r] != fb.regs[r] {
                d.add(k, r, m);
            }
        }
        // Chunk by chunk: a chunk both still share is equal.
        for c in 0..SLOTS / CHUNK {
            if fa.stack.chunks_shared(&fb.stack, c) {
                continue;
            }
            let (ca, cb) = (fa.stack.chunk(c), fb.stack.chunk(c));
            for j in 0..CHUNK {
                if ca[j] != cb[j] {
                    d.add(k, 11 + c * CHUNK + j, m);
                }
            }
        }
    }
}

/// Updates the path's sources for `op` having run from `pre` (given only when
/// [`Before::needs_snapshot`]) to `post`.
#[inline(always)]
pub(crate) fn after<const W: usize>(
    op: &Op,
    b: &Before<W>,
    pre: Option<&State>,
    post: &State,
    d: &mut Deps<W>,
) {
    // The most frequent instruction by far, here without a call.
    if let Op::Alu { op, dst, .. } = *op {
        // `d` has not changed since `before` (the sources it took are those here).
        if op == crate::insn::AluOp::Mov {
            d.set_reg(dst as usize, b.src);
        } else {
            d.add_reg(dst as usize, b.src);
        }
        return;
    }
    after_other(op, b, pre, post, d)
}

/// [`after`] of an instruction other than an ALU operation.
#[inline(never)]
fn after_other<const W: usize>(
    op: &Op,
    b: &Before<W>,
    pre: Option<&State>,
    post: &State,
    d: &mut Deps<W>,
) {
    match *op {
        // Handled by `after`.
        Op::Alu { .. } => {}
        Op::LdImm64 { dst, .. } => d.set_reg(dst as usize, Mask::EMPTY),
        Op::LdImm64Tail | Op::Ja { .. } | Op::MayGoto { .. } => {}
        Op::LdAbs { .. } => {
            d.set_reg(0, b.read);
            for r in 1..=5 {
                d.set_reg(r, Mask::EMPTY);
            }
        }
        Op::Ldx { dst, src, .. } | Op::LoadAcq { dst, src, .. } => {
            let v = if b.unknown_load {
                // Unknown bytes read back as an unknown number, whatever the slots held: the
                // kernel's `check_stack_read_fixed_off` leaves no history entry for such a
                // load, and `backtrack_insn` stops there.
                Mask::EMPTY
            } else if b.slots.is_some() {
                // The source register's and the slots' sources, as `before` read them.
                b.read
            } else if post.cur().regs[dst as usize].is_pointer() {
                d.reg(src)
            } else {
                // A number loaded from the packet, a map value or the context does not depend
                // on any tracked value (its pointer's safety is demanded at the load).
                Mask::EMPTY
            };
            d.set_reg(dst as usize, v);
        }
        Op::St { size, .. } => store(d, b, Mask::EMPTY, size, post),
        Op::Stx { size, src, .. } | Op::StoreRel { size, src, .. } => {
            let v = if writes_unknown_bytes(b, src, post) {
                Mask::EMPTY
            } else {
                b.src
            };
            store(d, b, v, size, post)
        }
        Op::Atomic { src, op, fetch, .. } => {
            let v = b.read;
            if let Some((f, lo, hi)) = b.slots {
                if f < d.len() {
                    for i in lo..=hi {
                        d.add(f, 11 + i, v);
                    }
                }
            }
            if op == AtomicOp::Cmpxchg {
                d.set_reg(0, v);
            } else if fetch || op == AtomicOp::Xchg {
                d.set_reg(src as usize, v);
            }
        }
        Op::Cond { dst, src, .. } => match pre {
            Some(pre) => changed(pre, post, d, b.read, 0),
            None => {
                d.add_reg(dst as usize, b.read);
                if let Src::Reg(s) = src {
                    d.add_reg(s as usize, b.read);
                }
            }
        },
        Op::Call { .. } => {
            if let Some(pre) = pre {
                changed(pre, post, d, b.inputs, 6);
            }
            d.set_reg(0, b.inputs);
            for r in 1..=5 {
                d.set_reg(r, Mask::EMPTY);
            }
        }
        Op::CallLocal { .. } => {
            let args = [1, 2, 3, 4, 5].map(|r| d.reg(r));
            d.push_frame(args);
        }
        Op::Exit => {
            if d.len() > 1 {
                let r0 = d.reg(0);
                d.pop_frame();
                d.set_reg(0, r0);
                for r in 1..=5 {
                    d.set_reg(r, Mask::EMPTY);
                }
            }
        }
    }
}

/// The path of a tail call taken in a subprogram (`transfer/call/local.rs`,
/// `tail_call_taken`): the callee's frame ends, the caller's `r0` is a fresh unknown and its
/// `r1`-`r5` are gone.
pub(crate) fn tail_call_return<const W: usize>(d: &mut Deps<W>) {
    if d.len() > 1 {
        d.pop_frame();
        for r in 0..=5 {
            d.set_reg(r, Mask::EMPTY);
        }
    }
}

/// The path entering a callback (see `transfer/call/callback.rs`): a new frame whose
/// registers come from the helper call's arguments (any of `r1`-`r5`, over-approximated).
pub(crate) fn enter_callback<const W: usize>(d: &mut Deps<W>) {
    let args = if d.len() > 0 {
        (1..=5).fold(Mask::EMPTY, |a, r| a | d.reg(r))
    } else {
        Mask::EMPTY
    };
    d.push_frame([args; 5]);
}

/// A store of a value with sources `v` (`post`: the state after it): an aligned 8-byte store
/// replaces a slot's sources, and so does a narrower store into one slot that leaves nothing
/// of the slot's old content (every byte it did not write unknown: a spilled register's slot
/// is scrubbed by any narrower store, a narrow spill keeps only the known zeros past it, as the
/// kernel's `check_stack_write_fixed_off`; an unknown byte is the same whatever was there);
/// any other store adds to them.
fn store<const W: usize>(d: &mut Deps<W>, b: &Before<W>, v: Mask<W>, size: Size, post: &State) {
    let Some((f, lo, hi)) = b.slots else {
        return;
    };
    if f >= d.len() {
        return;
    }
    // Nothing of the old content left: no known zero (a narrower store never leaves a whole
    // spilled register).
    let fresh = |i: usize| {
        post.frames.get(f).is_some_and(|fr| {
            !matches!(fr.stack[i], Slot::Spill(_)) && fr.stack[i].zero_mask() == 0
        })
    };
    if lo == hi && (size == Size::DW || fresh(lo)) {
        d.set(f, 11 + lo, v);
    } else {
        for i in lo..=hi {
            d.add(f, 11 + i, v);
        }
    }
}

/// True if a register store left only unknown bytes where it wrote (no spill: a store off a
/// slot's start, or over a slot that keeps no spill; and no known zero: the value is not 0),
/// so that nothing of the stored value stays on the stack: its sources are not the slot's (the
/// kernel's `check_stack_write_fixed_off` writes `STACK_MISC` and no history entry for it, and
/// `backtrack_insn` carries no precision from such a slot to the register).
fn writes_unknown_bytes<const W: usize>(b: &Before<W>, src: u8, post: &State) -> bool {
    let Some((f, lo, hi)) = b.slots else {
        return false;
    };
    let zero =
        matches!(&post.cur().regs[src as usize], RegVal::Scalar(x) if x.as_const() == Some(0));
    !zero
        && post
            .frames
            .get(f)
            .is_some_and(|fr| (lo..=hi).all(|i| matches!(fr.stack[i], Slot::Bytes(_))))
}

/// The locations among `within` of `st`'s frames that hold pointers (compared exactly when
/// live); only those locations are looked at.
pub(crate) fn pointer_locs<const W: usize>(st: &State, within: Mask<W>) -> Mask<W> {
    let mut m = Mask::EMPTY;
    for (f, fr) in st.frames.iter().enumerate().take(Mask::<W>::FRAMES) {
        let w = within.frame(f);
        if w == 0 {
            continue;
        }
        let mut out = 0u128;
        let mut regs = w as u64 & 0x7ff;
        while regs != 0 {
            let b = regs.trailing_zeros() as usize;
            regs &= regs - 1;
            if fr.regs[b].is_pointer() {
                out |= 1 << b;
            }
        }
        let mut slots = (w >> 11) as u64;
        while slots != 0 {
            let i = slots.trailing_zeros() as usize;
            slots &= slots - 1;
            if matches!(&fr.stack[i], Slot::Spill(v) if v.is_pointer()) {
                out |= 1 << (11 + i);
            }
        }
        m |= Mask::of_frame(f, out);
    }
    m
}

/// The argument registers (bits 1..=5) of a call to helper `id` whose values neither its
/// checks nor its effects look at: its `ARG_ANYTHING` arguments. The kernel's
/// `check_func_arg` accepts any initialised value there without marking it precise (only
/// sizes, `check_mem_size_reg`, and constant keys are), and a helper's `r0` is a fresh value
/// (`backtrack_insn` stops the precision of `r0` at the call). Not for a helper that calls
/// back (`bpf_loop` bounds its rounds by `r1`): 0 there. For a kfunc: [`kfunc_anything_args`].
pub(crate) fn anything_args(id: i32, kfunc: bool) -> u16 {
    if kfunc {
        return kfunc_anything_args(id);
    }
    // `bpf_for_each_map_elem(map, callback, ctx, flags)`: the flags are `ARG_ANYTHING`
    // (checked at run time), nothing of the callback's walk depends on them.
    if id == 164 {
        return 1 << 4;
    }
    if helpers::takes_callback(id) {
        return 0;
    }
    // `bpf_per_cpu_ptr(ptr, cpu)`: the CPU is `ARG_ANYTHING` (checked at run time: a CPU out
    // of range gives NULL, which the program must test anyway; `transfer/call/cpu_ptr.rs`).
    if id == 153 {
        return 1 << 2;
    }
    // The dynptr helpers, which the helper table does not list (`transfer/call/dynptr.rs`
    // models them, and checks only the type of these arguments): `bpf_dynptr_read(dst, len,
    // src, offset, flags)` and `bpf_dynptr_write(dst, offset, src, len, flags)` take the
    // offset and the flags as `ARG_ANYTHING` (checked at run time), `bpf_dynptr_data(p,
    // offset, len)` its offset; their lengths (`ARG_CONST_SIZE_OR_ZERO`,
    // `ARG_CONST_ALLOC_SIZE_OR_ZERO`) stay exact. `bpf_dynptr_from_mem(data, size, flags,
    // ptr)` its flags (the size stays exact); `bpf_ringbuf_reserve_dynptr(map, size, flags,
    // ptr)` its size and flags (the reservation's size is checked at run time: a failed one
    // leaves a NULL dynptr); `bpf_ringbuf_submit_dynptr` / `_discard_dynptr(ptr, flags)` their
    // flags.
    match id {
        197 => return 1 << 3,
        198 => return 1 << 2 | 1 << 3,
        199 | 200 => return 1 << 2,
        201 => return 1 << 4 | 1 << 5,
        202 => return 1 << 2 | 1 << 5,
        203 => return 1 << 2,
        _ => {}
    }
    let Some(p) = helpers::proto(id) else {
        return 0;
    };
    p.args
        .iter()
        .take(5)
        .enumerate()
        .filter(|(_, a)| **a == Arg::Anything)
        .fold(0, |m, (i, _)| m | 1 << (i + 1))
}

/// The argument registers (bits 1..=5) of a call to the kfunc `id` (its placeholder) whose
/// values need not be exact. The kernel's `check_kfunc_args` marks a scalar argument precise
/// only when it must know its value: a constant (`__k`), a memory size (`__sz`, `__szk`), a
/// `rdonly_buf_size` / `rdwr_buf_size`; a plain scalar is any number to it. Relaxed here are
/// only the plain scalars that our model of the kfunc also never looks at (it checks their
/// type, nothing else); every other argument, and every argument of a kfunc not listed, stays
/// exact (0).
fn kfunc_anything_args(id: i32) -> u16 {
    use crate::xdp::dynptr::DynptrKfunc as D;
    use crate::xdp::netfilter::NfKfunc as N;
    // No argument of an iterator kfunc needs its exact value: the iterator is a stack
    // pointer (compared exactly), `new`'s range and word count are any numbers to the kernel
    // (not marked precise), so a loop's values stay free to be widened.
    if crate::xdp::iter::IterKfunc::from_placeholder(id).is_some() {
        return 0b11_1110;
    }
    // `bpf_throw(u64 cookie)`: the cookie is the program's return value (no range for the
    // program types modelled: `check_return_code` marks nothing precise) or the exception
    // callback's argument (an unknown number there).
    if crate::xdp::exception::ExcKfunc::from_placeholder(id)
        == Some(crate::xdp::exception::ExcKfunc::Throw)
    {
        return 1 << 1;
    }
    match D::from_placeholder(id) {
        // `bpf_dynptr_slice(p, offset, buffer__opt, buffer__szk)`: the offset is checked at
        // run time (`transfer/call/dynptr.rs` only checks it is a number); the size `r4`
        // (`__szk`, a constant) and the buffer `r3` (NULL or memory of that size) stay exact.
        Some(D::Slice | D::SliceRdwr) => 1 << 2,
        // `bpf_dynptr_adjust(p, start, end)`: both bounds are checked at run time.
        Some(D::Adjust) => 1 << 2 | 1 << 3,
        // `bpf_dynptr_from_xdp/skb(ctx, flags, ptr__uninit)`: the flags are checked at run
        // time (a nonzero value makes a NULL dynptr there); `bpf_xdp_pull_data(ctx, len)`: the
        // length is checked at run time.
        Some(D::FromSkb | D::FromXdp | D::XdpPullData) => 1 << 2,
        Some(_) => 0,
        None => match N::from_placeholder(id) {
            // `bpf_ct_set_timeout` / `bpf_ct_change_timeout(ct, u32 timeout)`,
            // `bpf_ct_set_status` / `bpf_ct_change_status(ct, u32 status)`: the number is
            // checked at run time (`transfer/call/kfunc_nf.rs` checks its type only).
            Some(N::CtSetTimeout | N::CtChangeTimeout | N::CtSetStatus | N::CtChangeStatus) => {
                1 << 2
            }
            // `bpf_ct_set_nat_info(ct, addr, int port, enum manip)`: the port and the manip
            // type are checked at run time; the address (16 bytes) stays exact.
            Some(N::CtSetNatInfo) => 1 << 3 | 1 << 4,
            // The tuple and options sizes (`__sz`) of the lookups and allocations stay exact.
            _ => 0,
        },
    }
}

#[cfg(test)]
mod kfunc_args_tests {
    use super::anything_args;
    use crate::xdp::dynptr::DynptrKfunc as D;
    use crate::xdp::netfilter::NfKfunc as N;

    /// Only plain scalars the model does not look at are relaxed: a slice's offset, not its
    /// buffer or its constant size; a conntrack's timeout, not a lookup's `__sz` sizes.
    #[test]
    fn kfunc_arguments_relaxed_as_the_kernel_does() {
        let any = |p: i32| anything_args(p, true);
        assert_eq!(any(D::Slice.placeholder()), 1 << 2);
        assert_eq!(any(D::Adjust.placeholder()), 1 << 2 | 1 << 3);
        assert_eq!(any(D::Clone.placeholder()), 0);
        assert_eq!(
            any(crate::xdp::exception::ExcKfunc::Throw.placeholder()),
            1 << 1
        );
        assert_eq!(any(N::CtSetTimeout.placeholder()), 1 << 2);
        assert_eq!(any(N::CtSetNatInfo.placeholder()), 1 << 3 | 1 << 4);
        for k in [
            N::XdpCtLookup,
            N::SkbCtAlloc,
            N::XdpFlowLookup,
            N::CtRelease,
        ] {
            assert_eq!(any(k.placeholder()), 0, "{k:?}");
        }
        // A helper id read as a kfunc placeholder is not relaxed.
        assert_eq!(any(26), 0);
        // The dynptr helpers: offsets and flags, not lengths.
        let helper = |id: i32| anything_args(id, false);
        assert_eq!(helper(201), 1 << 4 | 1 << 5);
        assert_eq!(helper(202), 1 << 2 | 1 << 5);
        assert_eq!(helper(203), 1 << 2);
        assert_eq!(helper(197), 1 << 3);
        assert_eq!(helper(198), 1 << 2 | 1 << 3);
        assert_eq!(helper(199), 1 << 2);
        assert_eq!(helper(200), 1 << 2);
        assert_eq!(any(201), 0);
    }
}
