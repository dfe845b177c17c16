//! Comparing states for pruning (the kernel's `states_equal`, `regsafe`, `stacksafe`): whether
//! an old, explored state covers a new one, with liveness, precision and a consistent renaming
//! of ids; and the quick differences the prune hints use.

use super::*;

/// Pairs an [`IdMap`] holds without allocating (a comparison rarely meets more ids).
const IDS_INLINE: usize = 8;

/// A consistent renaming of ids between an old and a new state (the first pairs in place, any
/// further ones in `more`), and the count of temporary ids handed out (see
/// [`IdMap::check_scalar`]).
#[derive(Default)]
struct IdMap {
    pairs: [(u32, u32); IDS_INLINE],
    len: usize,
    more: Vec<(u32, u32)>,
    temps: u32,
}

impl IdMap {
    /// The space of temporary ids: no state's id (scalar ids stay below 2^29, references
    /// are compared with bit 31 set) has this bit.
    const TEMP: u32 = 0x4000_0000;

    #[inline]
    fn check(&mut self, old: u32, new: u32) -> bool {
        for &(o, n) in self.pairs[..self.len].iter().chain(&self.more) {
            if o == old || n == new {
                return o == old && n == new;
            }
        }
        if self.len < IDS_INLINE {
            self.pairs[self.len] = (old, new);
            self.len += 1;
        } else {
            self.more.push((old, new));
        }
        true
    }

    /// The kernel's `check_scalar_ids` for a linked old scalar (`old != 0`): an unlinked new
    /// scalar (`new == 0`) gets a fresh temporary id, so that it stands for a value of its own,
    /// which maps only if no other location of `old`'s link has been mapped yet (two
    /// locations linked in `old` but independent in `new` do not match).
    #[inline]
    fn check_scalar(&mut self, old: u32, new: u32) -> bool {
        let new = if new != 0 {
            new
        } else {
            self.temps += 1;
            Self::TEMP | self.temps
        };
        self.check(old, new)
    }
}

fn reg_covers(old: &RegVal, new: &RegVal, ids: &mut IdMap) -> bool {
    use RegVal::*;
    match (old, new) {
        (NotInit, _) => true,
        (Scalar(o), Scalar(n)) => {
            use super::super::scalar::Scalar as S;
            let (ol, nl) = (o.id(), n.id());
            let add = |s: &S| s.link & S::ANY_DELTA;
            n.is_subset_of(o)
                && (n.link & S::BIG_DELTA == 0 || o.link & S::BIG_DELTA != 0)
                && (ol == 0
                    || (add(o) == add(n)
                        && (add(o) == 0 || o.delta == n.delta)
                        && ids.check_scalar(ol, nl)))
        }
        (Ctx { off: a }, Ctx { off: b }) => a == b,
        // Never dereferenced: the same offsets (the variable one as a set of values).
        (CtxVar { off: a, var: v }, CtxVar { off: b, var: w }) => a == b && w.offset_covered_by(v),
        (Stack { frame: f1, off: a }, Stack { frame: f2, off: b }) => f1 == f2 && a == b,
        (
            Pkt {
                kind: k1,
                off: o1,
                var: v1,
                id: i1,
                range: r1,
            },
            Pkt {
                kind: k2,
                off: o2,
                var: v2,
                id: i2,
                range: r2,
            },
        ) => {
            // A pointer marked at or past data_end (a negative range, `BEYOND_PKT_END`) decides
            // its later comparisons with data_end: only the same mark covers it, both ways (the
            // kernel's regsafe; an old pointer past the end does not cover one in bounds).
            let ranges = if *r1 < 0 || *r2 < 0 {
                r1 == r2
            } else {
                r2 >= r1
            };
            // Ids as the kernel's `check_ids`: both set (and mapped consistently) or both
            // unset; an old pointer linked to others (a range learnt through one of them
            // reaches all) does not cover a new one on its own, whose variable part may differ
            // from theirs.
            k1 == k2
                && o1 == o2
                && v2.offset_covered_by(v1)
                && ranges
                && (*i1 == 0) == (*i2 == 0)
                && (*i1 == 0 || ids.check(*i1, *i2))
        }
        (
            StackVar {
                frame: f1,
                off: a,
                var: v1,
            },
            StackVar {
                frame: f2,
                off: b,
                var: v2,
            },
        ) => f1 == f2 && a == b && v2.offset_covered_by(v1),
        (PktEnd, PktEnd) => true,
        (MapPtr { map: a }, MapPtr { map: b }) => a == b,
        (Func { target: a }, Func { target: b }) => a == b,
        (
            MapValue {
                map: m1,
                off: o1,
                var: v1,
                id: i1,
            },
            MapValue {
                map: m2,
                off: o2,
                var: v2,
                id: i2,
            },
        ) => m1 == m2 && o1 == o2 && v2.offset_covered_by(v1) && value_ids(*i1, *i2, ids),
        (MapValueOrNull { map: m1, id: i1 }, MapValueOrNull { map: m2, id: i2 })
        | (OpaqueOrNull { map: m1, id: i1 }, OpaqueOrNull { map: m2, id: i2 }) => {
            m1 == m2 && ids.check(*i1, *i2)
        }
        (Opaque { map: a }, Opaque { map: b }) => a == b,
        (
            Ringbuf {
                size: s1,
                off: o1,
                var: v1,
                ref_id: r1,
            },
            Ringbuf {
                size: s2,
                off: o2,
                var: v2,
                ref_id: r2,
            },
        ) => {
            s1 == s2
                && o1 == o2
                && v2.offset_covered_by(v1)
                && same_mem_kind(*r1, *r2)
                && ids.check(*r1 | 1 << 31, *r2 | 1 << 31)
        }
        (
            RingbufOrNull {
                size: s1,
                id: i1,
                ref_id: r1,
            },
            RingbufOrNull {
                size: s2,
                id: i2,
                ref_id: r2,
            },
        ) => {
            s1 == s2
                && same_mem_kind(*r1, *r2)
                && ids.check(*i1, *i2)
                && ids.check(*r1 | 1 << 31, *r2 | 1 << 31)
        }
        (
            Sock {
                common: c1,
                ref_id: r1,
            },
            Sock {
                common: c2,
                ref_id: r2,
            },
        ) => c1 == c2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (
            SockOrNull {
                common: c1,
                id: i1,
                ref_id: r1,
            },
            SockOrNull {
                common: c2,
                id: i2,
                ref_id: r2,
            },
        ) => c1 == c2 && ids.check(*i1, *i2) && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (BtfSock { ty: t1, ref_id: r1 }, BtfSock { ty: t2, ref_id: r2 }) => {
            t1 == t2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31)
        }
        (
            BtfSockOrNull {
                ty: t1,
                id: i1,
                ref_id: r1,
            },
            BtfSockOrNull {
                ty: t2,
                id: i2,
                ref_id: r2,
            },
        ) => t1 == t2 && ids.check(*i1, *i2) && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (KObj { ty: t1, ref_id: r1 }, KObj { ty: t2, ref_id: r2 }) => {
            t1 == t2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31)
        }
        (
            BtfObjAt {
                ty: t1,
                kobj: k1,
                off: o1,
                ref_id: r1,
            },
            BtfObjAt {
                ty: t2,
                kobj: k2,
                off: o2,
                ref_id: r2,
            },
        ) => t1 == t2 && k1 == k2 && o1 == o2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (
            KObjOrNull {
                ty: t1,
                id: i1,
                ref_id: r1,
            },
            KObjOrNull {
                ty: t2,
                id: i2,
                ref_id: r2,
            },
        ) => t1 == t2 && ids.check(*i1, *i2) && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        // The id in the slices' key space, so that a dynptr and its slices map together.
        (
            Dynptr {
                kind: k1,
                first: f1,
                id: i1,
                ref_id: r1,
            },
            Dynptr {
                kind: k2,
                first: f2,
                id: i2,
                ref_id: r2,
            },
        ) => {
            k1 == k2
                && f1 == f2
                && ids.check(*i1 | DYNPTR_SLICE | 1 << 31, *i2 | DYNPTR_SLICE | 1 << 31)
                && value_ids(*r1 | 1 << 31, *r2 | 1 << 31, ids)
        }
        // The depth is not compared (the kernel's `stacksafe` for `STACK_ITER`): it only tells
        // the rounds of a loop apart for the infinite-loop check ([`iter_depths_differ`]).
        (
            Iter {
                kind: k1,
                first: f1,
                ref_id: r1,
                drained: d1,
                ..
            },
            Iter {
                kind: k2,
                first: f2,
                ref_id: r2,
                drained: d2,
                ..
            },
        ) => k1 == k2 && f1 == f2 && d1 == d2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (BtfPtr { .. }, BtfPtr { .. }) => old == new,
        (
            Alloc {
                ty: t1,
                off: o1,
                ref_id: r1,
            },
            Alloc {
                ty: t2,
                off: o2,
                ref_id: r2,
            },
        ) => t1 == t2 && o1 == o2 && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (
            AllocOrNull {
                ty: t1,
                off: o1,
                id: i1,
                ref_id: r1,
            },
            AllocOrNull {
                ty: t2,
                off: o2,
                id: i2,
                ref_id: r2,
            },
        ) => t1 == t2 && o1 == o2 && ids.check(*i1, *i2) && ids.check(*r1 | 1 << 31, *r2 | 1 << 31),
        (
            BtfPtrOrNull {
                ty: t1,
                trust: f1,
                id: i1,
            },
            BtfPtrOrNull {
                ty: t2,
                trust: f2,
                id: i2,
            },
        ) => t1 == t2 && f1 == f2 && ids.check(*i1, *i2),
        _ => false,
    }
}

/// The kernel's `check_ids` for value identities: both untracked, or consistently renamed.
#[inline]
fn value_ids(old: u32, new: u32, ids: &mut IdMap) -> bool {
    (old == 0 && new == 0) || (old != 0 && new != 0 && ids.check(old, new))
}

/// The held locks match: none in both, or the same map (or object) through consistently
/// renamed ids.
fn lock_covers(old: &State, new: &State, ids: &mut IdMap) -> bool {
    match (old.lock, new.lock) {
        (None, None) => true,
        // An object's lock: its owning reference, in the references' key space.
        (Some((m1, i1)), Some((m2, i2))) if m1 == OBJECT_LOCK => {
            m2 == m1 && ids.check(i1 | 1 << 31, i2 | 1 << 31)
        }
        (Some((m1, i1)), Some((m2, i2))) => m1 == m2 && value_ids(i1, i2, ids),
        _ => false,
    }
}

/// True if `new`'s frame is allocated at least as deep as `old`'s (`Stack::allocated_from`):
/// then every read the paths from `old` made within their frame's allocation is within
/// `new`'s too. (The frames of the targets whose reads allocate start fully allocated.)
fn allocation_covers(old: &Frame, new: &Frame) -> bool {
    new.stack.allocated_from() <= old.stack.allocated_from()
}

/// True unless one of the slots of `slots` (bit `i`: slot `i`) lies below `new`'s allocation
/// ([`Frame::alloc`]) where `old` holds more than bytes never known (a spill, a known zero):
/// the kernel's `stacksafe` refuses such a slot (`i >= cur->allocated_stack`) before comparing
/// what it holds, unknown or never-written old bytes excepted (`STACK_MISC` for a privileged
/// loader, `STACK_INVALID`).
pub(crate) fn unallocated_covers(old: &Frame, new: &Frame, slots: u64) -> bool {
    let below = if new.alloc >= 64 {
        !0
    } else {
        (1u64 << new.alloc) - 1
    };
    let mut bits = slots & below;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        if !matches!(&old.stack[i], Slot::Bytes(b) if no_zero(b)) {
            return false;
        }
    }
    true
}

fn slot_covers(old: &Slot, new: &Slot, ids: &mut IdMap) -> bool {
    match (old, new) {
        // An old byte never written (`Byte::Unset`) covers any: a read of it (refused, or
        // unknown where the target allows it) was not made or gave an unknown number; where
        // it is not allocated, the frames' depths are compared (`allocation_covers`). A new
        // one is covered by nothing else (the targets before 6.1.100 refuse its read).
        (Slot::Bytes(o), Slot::Bytes(n)) => {
            o == n
                || o.iter().zip(n).all(|(o, n)| {
                    *o == Byte::Unset || (*o == Byte::Misc && *n != Byte::Unset) || o == n
                })
        }
        // Narrow spills as `stacksafe` compares them, byte by byte: an old byte unknown (or
        // never written) covers any; an old known zero needs a known zero, an old spilled byte
        // a spilled one (a wider spill, an 8-byte one); then the spilled registers (the whole
        // register the kernel keeps for a narrow spill, `regsafe`). A fill the old spill gave
        // (its size or less, from its start) gives the new one's value, or a subset.
        // A new never-written byte past a narrow spill, as a new never-written byte of plain
        // bytes, is covered only by an old never-written one.
        (Slot::Bytes(o), Slot::Part(_, _, zn, un)) => o.iter().enumerate().all(|(j, b)| {
            let bit = 1 << j;
            match b {
                Byte::Unset => true,
                Byte::Misc => un & bit == 0,
                Byte::Zero => zn & bit != 0,
            }
        }),
        (Slot::Bytes(o), Slot::Spill(RegVal::Scalar(_))) => {
            o.iter().all(|b| matches!(b, Byte::Misc | Byte::Unset))
        }
        (Slot::Part(o, a, zo, uo), Slot::Part(n, b, zn, un)) => {
            a <= b
                && zo & !zn == 0
                && un & !uo == 0
                && reg_covers(&RegVal::Scalar(*o), &RegVal::Scalar(*n), ids)
        }
        (Slot::Part(o, _, zo, _), Slot::Spill(n @ RegVal::Scalar(_))) => {
            *zo == 0 && reg_covers(&RegVal::Scalar(*o), n, ids)
        }
        (Slot::Part(..), _) | (_, Slot::Part(..)) => false,
        (Slot::Bytes(_), Slot::Spill(_)) => false,
        // Bytes read back as an unknown, unlinked number (the kernel's `unbound_reg`).
        (Slot::Spill(o @ RegVal::Scalar(s)), Slot::Bytes(n)) => {
            s.unlinked() == Scalar::UNKNOWN
                && !n.contains(&Byte::Unset)
                && reg_covers(o, &RegVal::Scalar(Scalar::UNKNOWN), ids)
        }
        (Slot::Spill(_), Slot::Bytes(_)) => false,
        (Slot::Spill(o), Slot::Spill(n)) => reg_covers(o, n, ids),
    }
}

/// True if every concrete state `new` stands for is also one `old` stands for, so that a
/// path from `new` is safe whenever the (fully explored) path from `old` was. `live` is the set
/// of registers of the innermost frame that may still be read.
pub fn covers(old: &State, new: &State, live: u16) -> bool {
    covers_calls(old, new, live, &[])
}

/// What every comparison of checkpoints starts with: the same frames and references, a
/// taint only where the old state had one, the same lock held and RCU section open (the
/// kernel's `states_equal` compares `active_rcu_lock`); the id map so far.
fn same_shape(old: &State, new: &State) -> Option<IdMap> {
    if old.frames.len() != new.frames.len()
        || old.refs.len() != new.refs.len()
        || (new.taint.is_some() && old.taint.is_none())
        || old.rcu != new.rcu
    {
        return None;
    }
    let mut ids = IdMap::default();
    lock_covers(old, new, &mut ids).then_some(ids)
}

/// [`covers`], knowing which instructions are bpf-to-bpf calls (`local_calls[pc]`; missing:
/// not one): a frame that called a function through one has `r0`..`r5` dead until the
/// callee returns, which sets `r0` and clears the others (a callback's caller, whose call
/// runs again with its arguments, keeps them).
pub fn covers_calls(old: &State, new: &State, live: u16, local_calls: &[bool]) -> bool {
    let Some(mut ids) = same_shape(old, new) else {
        return false;
    };
    let last = old.frames.len() - 1;
    for (k, (fo, fnew)) in old.frames.iter().zip(&new.frames).enumerate() {
        if fo.callsite != fnew.callsite
            || fo.callback_depth > fnew.callback_depth
            || !allocation_covers(fo, fnew)
            || !unallocated_covers(fo, fnew, !0)
        {
            return false;
        }
        let args_dead = k != last && local_calls.get(old.frames[k + 1].callsite) == Some(&true);
        for r in 0..11 {
            if (k == last && live & (1 << r) == 0) || (args_dead && r <= 5) {
                continue;
            }
            if !reg_covers(&fo.regs[r], &fnew.regs[r], &mut ids) {
                return false;
            }
        }
        // The same shared slots cover themselves; only spilled registers (whose ids must
        // map consistently) need the full test then.
        for c in 0..SLOTS / CHUNK {
            let shared = fo.stack.chunks_shared(&fnew.stack, c);
            for (so, sn) in fo.stack.chunk(c).iter().zip(fnew.stack.chunk(c)) {
                if shared && matches!(so, Slot::Bytes(_)) {
                    continue;
                }
                if !slot_covers(so, sn, &mut ids) {
                    return false;
                }
            }
        }
    }
    old.refs
        .iter()
        .zip(&new.refs)
        .all(|(o, n)| ids.check(*o | 1 << 31, *n | 1 << 31))
}

/// One register of [`covers_frames`]' comparison: an old scalar whose value never mattered
/// (`precise` false) covers any scalar; anything else as [`reg_covers`].
#[inline]
fn reg_loc_covers(old: &RegVal, new: &RegVal, precise: bool, ids: &mut IdMap) -> bool {
    if !precise && matches!(old, RegVal::Scalar(_)) {
        return matches!(new, RegVal::Scalar(_));
    }
    reg_covers(old, new, ids)
}

/// One slot of [`covers_frames`]' comparison, `so` (old) against `sn` (new): bytes both
/// stacks share (`shared`) cover; an old number whose value never mattered (`precise` false)
/// covers any number; anything else as [`slot_covers`].
#[inline(always)]
fn slot_loc_covers(
    so: &Slot,
    sn: &Slot,
    shared: bool,
    precise: bool,
    byte_kinds: bool,
    ids: &mut IdMap,
) -> bool {
    if shared && matches!(so, Slot::Bytes(_)) {
        return true;
    }
    if byte_kinds && unknown_bytes_cover(so, sn) {
        return true;
    }
    if !precise && slot_is_scalar(so) {
        if !byte_kinds {
            return slot_is_scalar(sn);
        }
        return imprecise_slot_covers(so, sn);
    }
    slot_covers(so, sn, ids)
}

/// True if no byte of `b` is a known zero (each byte read as one 8-byte word: the kinds'
/// discriminants are 0, 1, 2, and only [`Byte::Zero`]'s, 1, has the low bit).
#[inline(always)]
fn no_zero(b: &[Byte; 8]) -> bool {
    const _: () = assert!(Byte::Zero as u8 == 1 && Byte::Misc as u8 & 1 == 0);
    const _: () = assert!(Byte::Unset as u8 & 1 == 0);
    u64::from_le_bytes(b.map(|x| x as u8)) & 0x0101_0101_0101_0101 == 0
}

/// 6.18's `stacksafe` for a privileged loader skips every old byte that is unknown or never
/// written (`STACK_MISC` with `allow_uninit_stack`, `STACK_INVALID`): a slot of such bytes
/// covers whatever the new one holds, a spilled pointer included (a path safe whatever 8 bytes
/// were there is safe with these); not a dynptr's or an iterator's slot (kept exact here).
fn unknown_bytes_cover(old: &Slot, new: &Slot) -> bool {
    matches!(old, Slot::Bytes(b) if no_zero(b))
        && !matches!(
            new,
            Slot::Spill(RegVal::Dynptr { .. } | RegVal::Iter { .. })
        )
}

thread_local! {
    /// Whether a slot holding an imprecise number is compared byte by byte as the kernel's
    /// `stacksafe` does ([`imprecise_slot_covers`]) or as any number: the former for 6.18,
    /// whether the slots compared are the kernel's (its stack liveness, `verifier::stack_live`)
    /// or our read marks, which may take more slots than the kernel's (a helper's memory up to
    /// the frame's top; comparing those byte by byte prunes less than the kernel, never more:
    /// as any number, a narrow spill covered unknown bytes where the kernel's comparison
    /// fails, and a program with callbacks pruned paths the kernel explores). Set by the
    /// explorer for the walk it runs ([`set_byte_kinds`]).
    static BYTE_KINDS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Sets how the walk on this thread compares slots holding imprecise numbers (see
/// [`BYTE_KINDS`]); returns the previous setting.
pub(crate) fn set_byte_kinds(on: bool) -> bool {
    BYTE_KINDS.with(|b| b.replace(on))
}

/// What the kernel's `stacksafe` sees in each byte of a slot, byte `i` (0: the lowest
/// address) in bits `8 * i ..`: 1 for a byte of a spilled register (`STACK_SPILL`), 2 for a
/// known zero, 0 for unknown (`STACK_MISC`; for a privileged loader `STACK_INVALID` compares
/// as it does).
#[inline]
fn byte_kinds(s: &Slot) -> u64 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    match s {
        Slot::Spill(_) => LOW,
        // Known zeros are the bytes whose discriminant is 1 ([`no_zero`]).
        Slot::Bytes(b) => (u64::from_le_bytes(b.map(|x| x as u8)) & LOW) << 1,
        Slot::Part(_, n, z, _) => {
            let spill = if *n >= 8 {
                LOW
            } else {
                LOW & ((1u64 << (8 * *n)) - 1)
            };
            let mut zeros = 0u64;
            for i in 0..8 {
                if z & (1 << i) != 0 {
                    zeros |= 2 << (8 * i);
                }
            }
            spill | (zeros & !(spill * 0xff))
        }
    }
}

/// A slot the kernel reads back as one number (`scalar_reg_for_stack`): a spilled 8-byte
/// number, or unknown bytes only.
#[inline]
fn whole_number(s: &Slot) -> bool {
    const _: () = assert!(Byte::Misc as u8 == 0);
    match s {
        Slot::Spill(RegVal::Scalar(_)) => true,
        Slot::Bytes(b) => u64::from_le_bytes(b.map(|x| x as u8)) == 0,
        _ => false,
    }
}

/// A slot holding a number whose value never mattered (`old`, [`slot_is_scalar`]) covers
/// `new` as the kernel's `stacksafe` has it: two slots each read back as one number
/// (`scalar_reg_for_stack`) are equal; otherwise each byte `old` does not hold unknown must
/// be of the same kind in `new` (a 2-byte spill is not a 1-byte one, a known zero is not a
/// spilled byte), and a spilled register's value is then any number. (The bytes' kinds
/// compared all at once: [`byte_kinds`].)
fn imprecise_slot_covers(old: &Slot, new: &Slot) -> bool {
    if !slot_is_scalar(new) {
        return false;
    }
    if whole_number(old) && whole_number(new) {
        return true;
    }
    let (o, n) = (byte_kinds(old), byte_kinds(new));
    // Every byte of `old` that is not unknown (kind 1 or 2: either bit set) has its kind in
    // `new`.
    let known = ((o | (o >> 1)) & 0x0101_0101_0101_0101) * 0xff;
    (o ^ n) & known == 0
}

/// [`slot_loc_covers`] for each slot of `slots` (bit `i`: slot `i`; `precise` likewise), in
/// increasing order, chunk by chunk: each chunk's memory and whether both stacks share it
/// are looked up once for all its slots. The first slot that does not cover, if any, is the
/// error.
#[inline]
fn live_slots_cover(
    old: &Stack,
    new: &Stack,
    mut slots: u64,
    precise: u64,
    ids: &mut IdMap,
) -> Result<(), usize> {
    let all_shared = Rc::ptr_eq(&old.0, &new.0);
    let byte_kinds = BYTE_KINDS.with(|b| b.get());
    while slots != 0 {
        let c = slots.trailing_zeros() as usize / CHUNK;
        let (co, cn) = (&old.0[c], &new.0[c]);
        let shared = all_shared || Rc::ptr_eq(co, cn);
        let mut bits = (slots >> (c * CHUNK)) & 0xff;
        slots &= !(0xff << (c * CHUNK));
        while bits != 0 {
            let j = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let exact = precise & (1 << (c * CHUNK + j)) != 0;
            if !slot_loc_covers(&co[j], &cn[j], shared, exact, byte_kinds, ids) {
                return Err(c * CHUNK + j);
            }
        }
    }
    Ok(())
}

/// [`reg_covers`] of two numbers alone, no other location's ids mapped yet (an old link then
/// maps to whatever the new number has: the check of ids always passes), without an id map:
/// the test of a precise number that `verifier::prune_hint`'s copies make.
#[inline]
pub(crate) fn scalar_covers_alone(o: &Scalar, n: &Scalar) -> bool {
    let add = |s: &Scalar| s.link & Scalar::ANY_DELTA;
    n.is_subset_of(o)
        && (n.link & Scalar::BIG_DELTA == 0 || o.link & Scalar::BIG_DELTA != 0)
        && (o.id() == 0 || (add(o) == add(n) && (add(o) == 0 || o.delta == n.delta)))
}

/// [`covers_frames`]' test of one register alone, no other location's ids mapped yet (for
/// `verifier::prune_hint` and `verifier::trace`).
pub(crate) fn reg_loc_covers_alone(old: &RegVal, new: &RegVal, precise: bool) -> bool {
    reg_loc_covers(old, new, precise, &mut IdMap::default())
}

/// [`covers_frames`]' test of slot `i` alone (see [`reg_loc_covers_alone`]).
pub(crate) fn slot_loc_covers_alone(old: &Stack, new: &Stack, i: usize, precise: bool) -> bool {
    let shared = old.shares_slot(new, i);
    let byte_kinds = BYTE_KINDS.with(|b| b.get());
    slot_loc_covers(
        &old[i],
        &new[i],
        shared,
        precise,
        byte_kinds,
        &mut IdMap::default(),
    )
}

/// [`slot_loc_covers_alone`] of an old slot's content (a copy): the same answer, since bytes
/// both stacks share cover either way (they are the same bytes).
pub(crate) fn slot_covers_alone(old: &Slot, new: &Slot, precise: bool) -> bool {
    let byte_kinds = BYTE_KINDS.with(|b| b.get());
    slot_loc_covers(old, new, false, precise, byte_kinds, &mut IdMap::default())
}

/// True for slots that hold a number (of any representation) or unknown bytes.
pub(crate) fn slot_is_scalar(s: &Slot) -> bool {
    matches!(
        s,
        Slot::Bytes(_) | Slot::Part(..) | Slot::Spill(RegVal::Scalar(_))
    )
}

/// [`covers_frames`] for the outermost frame's marks alone (deeper frames compared exactly).
#[cfg(test)]
pub fn covers_masked(
    old: &State,
    new: &State,
    live_static: u16,
    live: u128,
    precise: u128,
    local_calls: &[bool],
) -> bool {
    covers_frames(old, new, live_static, &[(live, precise)], local_calls)
}

/// [`covers_calls`] for a fully explored `old` whose later exploration read only the locations
/// in `marks[k].0` of its frame `k` and needed the exact value of the scalars in `marks[k].1`
/// (bits: registers 0..=10, then the 64 stack slots; see `verifier::deps`): locations never
/// read are ignored, and a scalar whose value never mattered covers any scalar (the kernel's
/// `regsafe` and `stacksafe` with liveness and precision, frame by frame). Pointers are
/// compared exactly when live; frames without marks (beyond `marks`) are compared exactly.
pub fn covers_frames(
    old: &State,
    new: &State,
    live_static: u16,
    marks: &[(u128, u128)],
    local_calls: &[bool],
) -> bool {
    covers_frames_where(old, new, live_static, marks, local_calls).is_ok()
}

/// Where [`covers_frames_where`] found that the old state does not cover the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failed {
    /// A test of the whole state or of a frame (call frames, references, lock, a frame's
    /// allocation), not of one location.
    Whole,
    /// The location (frame, register `0..=10` or `11 +` slot): every location compared
    /// before it (frame by frame, registers then slots, in order) covered, ids mapped.
    At(u8, u8),
}

/// [`covers_frames`], saying where the comparison failed. A location that covers with the
/// ids mapped so far also covers alone (an id map only refuses more as it grows), so the
/// locations before [`Failed::At`] cover alone too: `verifier::prune_hint` looks for the
/// first location that fails alone from there.
#[inline]
pub(crate) fn covers_frames_where(
    old: &State,
    new: &State,
    live_static: u16,
    marks: &[(u128, u128)],
    local_calls: &[bool],
) -> Result<(), Failed> {
    let Some(mut ids) = same_shape(old, new) else {
        return Err(Failed::Whole);
    };
    let last = old.frames.len() - 1;
    for (k, (fo, fnew)) in old.frames.iter().zip(&new.frames).enumerate() {
        if fo.callsite != fnew.callsite
            || fo.callback_depth > fnew.callback_depth
            || !allocation_covers(fo, fnew)
        {
            return Err(Failed::Whole);
        }
        // See `covers_calls`: a bpf-to-bpf call's caller has r0-r5 dead until it returns.
        let args_dead = k != last && local_calls.get(old.frames[k + 1].callsite) == Some(&true);
        let (live, precise) = marks.get(k).copied().unwrap_or((!0, !0));
        for r in 0..11 {
            if (k == last && live_static & (1 << r) == 0)
                || (args_dead && r <= 5)
                || live & (1u128 << r) == 0
            {
                continue;
            }
            let precise = precise & (1u128 << r) != 0;
            if !reg_loc_covers(&fo.regs[r], &fnew.regs[r], precise, &mut ids) {
                return Err(Failed::At(k as u8, r as u8));
            }
        }
        // Only the live slots, in order (a slot never read is never compared).
        // The 64 slots' bits as 64-bit words (cheaper than 128-bit shifts).
        let (slots, precise) = ((live >> 11) as u64, (precise >> 11) as u64);
        if !unallocated_covers(fo, fnew, slots) {
            return Err(Failed::Whole);
        }
        if let Err(i) = live_slots_cover(&fo.stack, &fnew.stack, slots, precise, &mut ids) {
            return Err(Failed::At(k as u8, (11 + i) as u8));
        }
    }
    if old
        .refs
        .iter()
        .zip(&new.refs)
        .all(|(o, n)| ids.check(*o | 1 << 31, *n | 1 << 31))
    {
        Ok(())
    } else {
        Err(Failed::Whole)
    }
}

/// True if `a` and `b` are the same state up to a renaming of ids, with the same `may_goto`
/// depth (the kernel's `EXACT` comparison for the infinite-loop check).
pub fn same_state(a: &State, b: &State) -> bool {
    // Quick refusal: a register differs in kind or (for numbers) in value.
    if a.frames.len() != b.frames.len()
        || a.may_goto_depth != b.may_goto_depth
        || first_differing_reg(a, b).is_some()
    {
        return false;
    }
    a.may_goto_depth == b.may_goto_depth
        && !slots_differ(a, b)
        && a.rcu == b.rcu
        && ((a.frames == b.frames && a.refs == b.refs && a.lock == b.lock)
            || (covers(a, b, 0x7ff) && covers(b, a, 0x7ff) && !iter_depths_differ(a, b)))
}

/// True if `a` and `b` hold an active iterator of different depths in the same slot (the
/// kernel's `iter_active_depths_differ`): a loop that comes back through a `next` call with
/// one more round behind it is not the same state, whatever else it holds.
pub fn iter_depths_differ(a: &State, b: &State) -> bool {
    a.frames.iter().zip(&b.frames).any(|(fa, fb)| {
        fa.stack.iter().zip(fb.stack.iter()).any(|pair| {
            matches!(
                pair,
                (
                    Slot::Spill(RegVal::Iter { drained: false, depth: x, .. }),
                    Slot::Spill(RegVal::Iter { drained: false, depth: y, .. }),
                ) if x != y
            )
        })
    })
}

/// [`same_state`]'s quick refusal of one register: `x` and `y` differ in kind or (numbers)
/// in value, so that no renaming of ids makes them the same.
#[inline]
pub(crate) fn reg_differs(x: &RegVal, y: &RegVal) -> bool {
    match (x, y) {
        (RegVal::Scalar(p), RegVal::Scalar(q)) => !p.same_value(q),
        _ => std::mem::discriminant(x) != std::mem::discriminant(y),
    }
}

/// The first register (frame by frame: the frame's index, the register's) at which `a` and
/// `b` [differ](reg_differs), if any; `a`'s frames beyond `b`'s are not looked at.
pub(crate) fn first_differing_reg(a: &State, b: &State) -> Option<(usize, usize)> {
    a.frames
        .iter()
        .zip(&b.frames)
        .enumerate()
        .find_map(|(k, (fa, fb))| {
            (0..fa.regs.len())
                .find(|&r| reg_differs(&fa.regs[r], &fb.regs[r]))
                .map(|r| (k, r))
        })
}

/// A quick refusal for [`same_state`] (same frames): two slots of one kind that cannot cover
/// each other both ways (the kinds that can, such as unknown bytes and an unknown spilled
/// number, are left to the full comparison).
fn slots_differ(a: &State, b: &State) -> bool {
    let same = |p: &Scalar, q: &Scalar| p.is_subset_of(q) && q.is_subset_of(p);
    a.frames.iter().zip(&b.frames).any(|(fa, fb)| {
        (0..SLOTS / CHUNK).any(|c| {
            !fa.stack.chunks_shared(&fb.stack, c)
                && fa
                    .stack
                    .chunk(c)
                    .iter()
                    .zip(fb.stack.chunk(c))
                    .any(|pair| match pair {
                        (Slot::Bytes(p), Slot::Bytes(q)) => p != q,
                        (Slot::Spill(RegVal::Scalar(p)), Slot::Spill(RegVal::Scalar(q))) => {
                            !same(p, q)
                        }
                        (Slot::Part(p, x, zp, up), Slot::Part(q, y, zq, uq)) => {
                            x != y || zp != zq || up != uq || !same(p, q)
                        }
                        _ => false,
                    })
        })
    })
}

/// Whether two `PTR_TO_MEM` references (of [`RegVal::Ringbuf`]) are the same kind of memory: a
/// reservation, a read-only dynptr slice, a dynptr's data (writable), ... (their flags).
fn same_mem_kind(r1: u32, r2: u32) -> bool {
    let kind = DYNPTR_DATA | DYNPTR_MEM | DYNPTR_SLICE;
    r1 & kind == r2 & kind
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind of byte `i` of `s` as the kernel's `stacksafe` sees it (the per-byte rule
    /// [`byte_kinds`] packs): 1 spilled, 2 known zero, 0 unknown.
    fn kind_of(s: &Slot, i: usize) -> u64 {
        match s {
            Slot::Spill(_) => 1,
            Slot::Part(_, n, ..) if i < *n as usize => 1,
            _ if s.zero_byte(i) => 2,
            _ => 0,
        }
    }

    /// The packed kinds and the comparison built on them agree with the byte-by-byte rule on
    /// every kind of slot.
    #[test]
    fn packed_byte_kinds_compare_as_byte_by_byte() {
        let mut slots = vec![
            Slot::Spill(RegVal::Scalar(Scalar::UNKNOWN)),
            Slot::Spill(RegVal::Scalar(Scalar::konst(0))),
            Slot::Spill(RegVal::PktEnd),
        ];
        let bytes = [Byte::Misc, Byte::Zero, Byte::Unset];
        for k in 0..81u32 {
            let b = std::array::from_fn(|i| bytes[(k as usize / 3usize.pow(i as u32 % 4)) % 3]);
            slots.push(Slot::Bytes(b));
        }
        for n in [1u8, 2, 4] {
            for z in [0u8, 0xff, 0xf0, 0x0c, 0x81] {
                for u in [0u8, 0x0f, 0xf0] {
                    slots.push(Slot::Part(Scalar::konst(3), n, z, u));
                }
            }
        }
        for a in &slots {
            let packed = byte_kinds(a);
            for i in 0..8 {
                assert_eq!((packed >> (8 * i)) & 0xff, kind_of(a, i), "{a:?} byte {i}");
            }
            for b in &slots {
                let by_byte = slot_is_scalar(b)
                    && ((whole_number(a) && whole_number(b))
                        || (0..8).all(|i| kind_of(a, i) == 0 || kind_of(a, i) == kind_of(b, i)));
                assert_eq!(imprecise_slot_covers(a, b), by_byte, "{a:?} {b:?}");
            }
        }
    }
}
