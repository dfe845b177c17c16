//! Branch refinement on the state: what a comparison teaches about the registers that are
//! linked to its operands, null checks and packet ranges (`sync_linked_regs`,
//! `mark_ptr_or_null_regs`, `find_good_pkt_pointers`).

use super::state::{Slot, CHUNK, SLOTS};
use super::*;
use crate::verifier::KernelVersion;

/// The kernel's order after a comparison of two numbers: both registers get their refined
/// values, then the copies of the source, then those of the destination, are synchronised
/// (`sync_linked_regs`), each from the register's value at that point.
#[allow(clippy::too_many_arguments)]
pub(crate) fn refine_both(
    st: &mut State,
    dst: u8,
    x: &Scalar,
    nx: Scalar,
    src: Option<u8>,
    y: &Scalar,
    ny: Scalar,
    kernel: KernelVersion,
) {
    let keep = |old: &Scalar, new: Scalar| Scalar {
        link: old.link,
        delta: old.delta,
        ..new
    };
    st.cur_mut().regs[dst as usize] = RegVal::Scalar(keep(x, nx));
    if let Some(r) = src {
        st.cur_mut().regs[r as usize] = RegVal::Scalar(keep(y, ny));
    }
    for r in src.into_iter().chain([dst]) {
        // (`set_linked` with the register's own value: it writes that value back, then
        // updates the copies, if the value has a link.)
        match &st.cur().regs[r as usize] {
            RegVal::Scalar(cur) if cur.id() != 0 => {
                let cur = *cur;
                set_linked(st, r, cur, cur, kernel);
            }
            _ => {}
        }
    }
}

/// Gives register `r` (whose value was `old`) the refined value `new`, and every register and
/// spilled slot linked to it too (the kernel's `sync_linked_regs`): a copy with the same delta
/// gets `new` itself, a copy with another delta gets `new` plus the difference (with the
/// range of a sum that wraps at both ends from
/// [`KernelVersion::ADD_SUB_WRAP`], as `kernel` does). A narrow spill (`Slot::Part`) is
/// updated only from [`KernelVersion::NARROW_SPILL_SYNC`].
pub(crate) fn set_linked(st: &mut State, r: u8, old: Scalar, new: Scalar, kernel: KernelVersion) {
    let known = Scalar {
        link: old.link,
        delta: old.delta,
        ..new
    };
    st.cur_mut().regs[r as usize] = RegVal::Scalar(known);
    let id = old.id();
    if id == 0 {
        return;
    }
    let linked = |x: &RegVal| matches!(x, RegVal::Scalar(v) if v.id() == id);
    // Before NARROW_SPILL_SYNC a narrow spill keeps its link but not the refinements.
    let narrow = kernel >= KernelVersion::NARROW_SPILL_SYNC;
    st.for_each_reg_where_in(narrow, linked, |x| {
        let RegVal::Scalar(v) = x else { return };
        let flagged = |s: &Scalar| s.link & Scalar::ANY_DELTA != 0;
        if (v.link ^ old.link) & Scalar::ANY_DELTA == Scalar::ANY_DELTA {
            // One copy with a 64-bit delta, the other with a 32-bit one: 6.18 leaves it as it
            // is (the delta does not relate values of two widths; `link_mixed_width_delta`).
            return;
        }
        if (!flagged(v) && !flagged(&old)) || v.delta == old.delta {
            *v = known;
        } else {
            let d = v.delta as i64 - old.delta as i64;
            if kernel < KernelVersion::LINK_SUM_SYNC {
                // The kernel adds the delta to each range and the known bits apart and does
                // not make them agree (6.12.118's `sync_linked_regs`): the copy keeps those
                // bounds until its next operation, and a comparison of it is decided by them.
                *v = Scalar {
                    link: v.link,
                    delta: v.delta,
                    ..linked_sum_unsynced(&new, d)
                };
                return;
            }
            // `scalar32_min_max_add` and `scalar_min_max_add` with the delta, as `rX += d`,
            // zero-extended when either copy has a 32-bit delta (the base of such a link fits
            // in 32 bits: `delta_link`; 6.18.44, the selftests scalars_alu32_wrap,
            // scalars_alu32_zext_linked_reg), then one synchronisation, also of a refined
            // value that holds no number (`link_sum_of_a_value_with_no_number`: 6.18.44 made
            // the copy the constant those steps give).
            let zext = (v.link | old.link) & Scalar::ADD_CONST32 != 0;
            *v = Scalar {
                link: v.link,
                delta: v.delta,
                ..super::kernel_alu::linked_sum(kernel, &new, d, zext)
            };
        }
    });
}

/// `known + d` as kernels before [`KernelVersion::LINK_SUM_SYNC`] give it to a linked copy:
/// `scalar32_min_max_add`, `scalar_min_max_add` (a range any end of which overflows becomes
/// unbounded) and `tnum_add` with the constant `d`, each on its own, without
/// `reg_bounds_sync`. Its ranges contain the synced sum's, so nothing is decided here that
/// such a kernel leaves open.
fn linked_sum_unsynced(known: &Scalar, d: i64) -> Scalar {
    let (d32, du) = (d as i32, d as u64);
    let (smin, smax) = match (known.smin.checked_add(d), known.smax.checked_add(d)) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (i64::MIN, i64::MAX),
    };
    let (umin, umax) = match (known.umin.checked_add(du), known.umax.checked_add(du)) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (0, u64::MAX),
    };
    let (s32min, s32max) = match (known.s32min.checked_add(d32), known.s32max.checked_add(d32)) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (i32::MIN, i32::MAX),
    };
    let (u32min, u32max) = match (
        known.u32min.checked_add(d32 as u32),
        known.u32max.checked_add(d32 as u32),
    ) {
        (Some(lo), Some(hi)) => (lo, hi),
        _ => (0, u32::MAX),
    };
    Scalar {
        umin,
        umax,
        smin,
        smax,
        u32min,
        u32max,
        s32min,
        s32max,
        t: known.t.add(super::tnum::Tnum::konst(du)),
        ..Scalar::UNKNOWN
    }
}

/// How many registers and spilled registers one comparison links (`LINKED_REGS_MAX`).
const LINKED_REGS_MAX: usize = 6;

/// The kernel's `collect_linked_regs` before a comparison it cannot decide: the copies of
/// each operand's link (the source's first, then the destination's; `ids`, 0 for none), in the
/// kernel's order (frames from the current one out; in each, the live registers of `r0`..`r9`
/// (`live[frame]`, the registers live before the frame's instruction: the comparison, or the
/// call the frame waits on), then every spilled register from `r10 - 8` down), at most
/// [`LINKED_REGS_MAX`] in all. The ones past that lose their link (`clear_scalar_id`) and keep
/// their value: the comparison's refinement does not reach them, nor does a later one. A
/// register compared with itself, or with a copy of itself, has its link collected twice, so
/// four live copies of it are enough to lose two. Returns how many were collected (past the
/// limit too): more than one, and the kernel records them in the path's instruction history
/// (`push_jmp_history` of `linked_regs`).
pub(crate) fn cap_linked(st: &mut State, ids: [u32; 2], live: &[u16]) -> usize {
    let mut count = 0;
    for id in ids.into_iter().filter(|&id| id != 0) {
        for (f, fr) in st.frames.iter_mut().enumerate().rev() {
            let live = live.get(f).copied().unwrap_or(u16::MAX);
            let mut visit = |v: &mut Scalar| {
                if v.id() == id {
                    count += 1;
                    if count > LINKED_REGS_MAX {
                        *v = v.unlinked();
                    }
                }
            };
            for (n, r) in fr.regs.iter_mut().take(10).enumerate() {
                if let RegVal::Scalar(v) = r {
                    if live & (1 << n) != 0 {
                        visit(v);
                    }
                }
            }
            for i in (0..SLOTS).rev() {
                // Read in place first: most slots hold no copy of the link, and copying each
                // slot out to compare it again cost ~80 instructions a slot.
                let v = match &fr.stack[i] {
                    Slot::Spill(RegVal::Scalar(v)) | Slot::Part(v, ..) => *v,
                    _ => continue,
                };
                if v.id() != id {
                    continue;
                }
                let mut v2 = v;
                visit(&mut v2);
                if v2 != v {
                    match &mut fr.stack[i] {
                        Slot::Spill(RegVal::Scalar(x)) | Slot::Part(x, ..) => *x = v2,
                        _ => {}
                    }
                }
            }
        }
    }
    count
}

pub(crate) fn is_init_data(v: &RegVal) -> bool {
    matches!(v, RegVal::Pkt { kind: PktKind::Data, off: 0, id: 0, var, .. } if var.as_const() == Some(0))
}

/// After a null check: every copy of the lookup result becomes NULL (a zero scalar) or the
/// non-NULL pointer; a NULL ring buffer reservation needs no release. (The walk uses
/// [`mark_null_pair`] on both branches at once; this one branch is its reference in tests.)
#[cfg(test)]
pub(crate) fn mark_null(st: &mut State, p: &RegVal, is_null: bool) {
    let Some((id, rf)) = null_id(p) else {
        return;
    };
    st.for_each_reg_where(|r| has_null_id(r, id), |r| *r = null_value(r, is_null));
    if is_null {
        if let Some(rf) = rf {
            st.refs.retain(|x| *x != rf);
        }
    }
}

/// [`mark_null`] of `a` (NULL if `a_null`) and of `b` the other way, `b` a copy of `a` (the
/// two branches of a NULL check): the same states as the two calls, the registers and spilled
/// registers that hold `p`'s id looked for once.
pub(crate) fn mark_null_pair(a: &mut State, b: &mut State, p: &RegVal, a_null: bool) {
    debug_assert!(*a == *b, "two copies of one state");
    let Some((id, rf)) = null_id(p) else {
        return;
    };
    for (fa, fb) in a.frames.iter_mut().zip(b.frames.iter_mut()) {
        for (ra, rb) in fa.regs.iter_mut().zip(fb.regs.iter_mut()) {
            if has_null_id(ra, id) {
                *rb = null_value(rb, !a_null);
                *ra = null_value(ra, a_null);
            }
        }
        // Only a spilled register can hold the id (a narrow spill is a number). A chunk
        // of plain bytes is passed over at once, as `State::for_each_reg_where` does.
        for c in 0..SLOTS / CHUNK {
            if fa
                .stack
                .chunk(c)
                .iter()
                .all(|s| matches!(s, Slot::Bytes(_)))
            {
                continue;
            }
            for i in c * CHUNK..(c + 1) * CHUNK {
                let (na, nb, new_a, new_b) = match &fa.stack[i] {
                    Slot::Spill(r) if has_null_id(r, id) => {
                        let (na, nb) = (null_value(r, a_null), null_value(r, !a_null));
                        // (`b`'s slot is the same value.)
                        (na, nb, na != *r, nb != *r)
                    }
                    _ => continue,
                };
                if new_a {
                    fa.stack[i] = Slot::Spill(na);
                }
                if new_b {
                    fb.stack[i] = Slot::Spill(nb);
                }
            }
        }
    }
    if let Some(rf) = rf {
        let null = if a_null { a } else { b };
        null.refs.retain(|x| *x != rf);
    }
}

/// The id a NULL check of `p` resolves, with its reference if it holds one; `None` for a
/// pointer that cannot be NULL.
fn null_id(p: &RegVal) -> Option<(u32, Option<u32>)> {
    Some(match p {
        RegVal::MapValueOrNull { id, .. } | RegVal::OpaqueOrNull { id, .. } => (*id, None),
        RegVal::RingbufOrNull { id, ref_id, .. }
        | RegVal::SockOrNull { id, ref_id, .. }
        | RegVal::BtfSockOrNull { id, ref_id, .. }
        | RegVal::KObjOrNull { id, ref_id, .. }
        | RegVal::AllocOrNull { id, ref_id, .. } => (*id, Some(*ref_id)),
        RegVal::BtfPtrOrNull { id, .. } => (*id, None),
        _ => return None,
    })
}

/// True if `r` is a pointer or NULL with id `id`.
#[inline]
fn has_null_id(r: &RegVal, id: u32) -> bool {
    match r {
        RegVal::MapValueOrNull { id: i, .. }
        | RegVal::OpaqueOrNull { id: i, .. }
        | RegVal::RingbufOrNull { id: i, .. }
        | RegVal::SockOrNull { id: i, .. }
        | RegVal::BtfSockOrNull { id: i, .. }
        | RegVal::KObjOrNull { id: i, .. }
        | RegVal::AllocOrNull { id: i, .. }
        | RegVal::BtfPtrOrNull { id: i, .. } => *i == id,
        _ => false,
    }
}

/// What a register holding a pointer or NULL becomes on the branch where it is NULL
/// (`is_null`) or is not.
#[inline]
fn null_value(r: &RegVal, is_null: bool) -> RegVal {
    if is_null {
        RegVal::Scalar(Scalar::konst(0))
    } else {
        not_null(r)
    }
}

/// The kernel's `find_good_pkt_pointers`: after learning `ptr <= end` (or `ptr < end` when
/// `open`), every pointer sharing `ptr`'s variable part is safe up to `ptr`'s offset.
pub(crate) fn find_good_pkt(st: &mut State, ptr: &RegVal, open: bool) {
    let RegVal::Pkt {
        kind, off, var, id, ..
    } = ptr
    else {
        return;
    };
    if *off < 0 || (*off == 0 && open) {
        return;
    }
    if var.umax > MAX_PACKET_OFF || var.umax + *off as u64 > MAX_PACKET_OFF {
        return;
    }
    // `ptr < end` proves one byte more than `ptr <= end`.
    let new_range = *off + i32::from(open);
    let (kind, id) = (*kind, *id);
    let same =
        |r: &RegVal| matches!(r, RegVal::Pkt { kind: k, id: i, .. } if *k == kind && *i == id);
    st.for_each_reg_where(same, |r| {
        if let RegVal::Pkt { range, .. } = r {
            *range = (*range).max(new_range);
        }
    });
}

/// True if `p` is a pointer the kernel knows is not NULL (`reg_not_null`: map values,
/// sockets, ring buffer memory) and `z` the number 0. Not a map value or ring buffer pointer
/// whose variable offset may reach 2^29: 6.18 walks both branches of such a comparison
/// (a map value pointer plus `0..=0x1fffffff` is decided, plus `0..=0x3fffffff` is not; rule
/// cases `jmp_ptr_big_var_ne_zero*`). Such a pointer exists only on a path this verifier
/// refuses unless its exactness walk (`verifier::exact`) accepts the offset, so both
/// branches are walked there.
pub(crate) fn zero_vs_not_null(p: &RegVal, z: &RegVal) -> bool {
    let zero = matches!(z, RegVal::Scalar(z) if z.as_const() == Some(0));
    let big_var = matches!(
        p,
        RegVal::MapValue { var, .. } | RegVal::Ringbuf { var, .. }
            if var.smax >= 1 << 29
    );
    zero && !big_var
        && matches!(
            p,
            RegVal::MapValue { .. }
                | RegVal::Sock { .. }
                | RegVal::Ringbuf { .. }
                | RegVal::KObj { .. }
                | RegVal::Alloc { .. }
        )
}

pub(crate) fn is_or_null(v: &RegVal) -> bool {
    matches!(
        v,
        RegVal::MapValueOrNull { .. }
            | RegVal::OpaqueOrNull { .. }
            | RegVal::RingbufOrNull { .. }
            | RegVal::SockOrNull { .. }
            | RegVal::BtfSockOrNull { .. }
            | RegVal::KObjOrNull { .. }
            | RegVal::AllocOrNull { .. }
            | RegVal::BtfPtrOrNull { .. }
    )
}

/// Marks the id of a lookup result from a map whose value holds a `bpf_spin_lock`: the
/// non-NULL pointer keeps it (the kernel keeps `reg->id` for these), so that two lookups are
/// two different locks.
pub(crate) const LOCK_ID: u32 = 1 << 28;

/// The non-NULL form of a lookup or reservation result.
pub(crate) fn not_null(v: &RegVal) -> RegVal {
    match v {
        RegVal::MapValueOrNull { map, id } => RegVal::MapValue {
            map: *map,
            off: 0,
            var: Scalar::konst(0),
            // Kept only for values holding a spin lock (see `LOCK_ID`).
            id: if id & LOCK_ID != 0 { *id } else { 0 },
        },
        RegVal::OpaqueOrNull { map, .. } => RegVal::Opaque { map: *map },
        RegVal::RingbufOrNull { size, ref_id, .. } => RegVal::Ringbuf {
            size: *size,
            off: 0,
            var: Scalar::konst(0),
            ref_id: *ref_id,
        },
        RegVal::SockOrNull { common, ref_id, .. } => RegVal::Sock {
            common: *common,
            ref_id: *ref_id,
        },
        RegVal::BtfSockOrNull { ty, ref_id, .. } => RegVal::BtfSock {
            ty,
            ref_id: *ref_id,
        },
        RegVal::KObjOrNull { ty, ref_id, .. } => RegVal::KObj {
            ty,
            ref_id: *ref_id,
        },
        RegVal::AllocOrNull {
            ty, off, ref_id, ..
        } => RegVal::Alloc {
            ty: *ty,
            off: *off,
            ref_id: *ref_id,
        },
        RegVal::BtfPtrOrNull { ty, trust, .. } => RegVal::BtfPtr {
            ty: *ty,
            off: 0,
            trust: *trust,
        },
        other => *other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verifier::initial_state;

    /// `mark_null_pair` gives both branches what `mark_null` gives each, on random states:
    /// registers and spills (whole and narrow) holding pointers or NULL of a few ids, with
    /// and without references, in one or two frames.
    #[test]
    fn the_pair_is_mark_null_twice() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..20_000 {
            let mut st = initial_state();
            if next(3) == 0 {
                st.frames.push(state::Frame::new(1, 7, 1));
            }
            let pick = |next: &mut dyn FnMut(u64) -> u64| -> RegVal {
                let id = 1 + next(3) as u32;
                match next(6) {
                    0 => RegVal::MapValueOrNull { map: 0, id },
                    1 => RegVal::OpaqueOrNull { map: 1, id },
                    2 => RegVal::RingbufOrNull {
                        size: 8,
                        id,
                        ref_id: 10 + id,
                    },
                    3 => RegVal::Scalar(Scalar::urange(0, next(100))),
                    4 => RegVal::MapValue {
                        map: 0,
                        off: 0,
                        var: Scalar::konst(0),
                        id: 0,
                    },
                    _ => RegVal::Scalar(Scalar::konst(next(5))),
                }
            };
            for f in 0..st.frames.len() {
                for r in 0..10 {
                    if next(2) == 0 {
                        st.frames[f].regs[r] = pick(&mut next);
                    }
                }
                for _ in 0..next(6) {
                    let i = next(SLOTS as u64) as usize;
                    st.frames[f].stack[i] = match pick(&mut next) {
                        RegVal::Scalar(v) if next(2) == 0 => Slot::Part(v, 4, 0, 0),
                        v => Slot::Spill(v),
                    };
                }
            }
            st.refs = vec![11, 12, 13];
            let p = pick(&mut next);
            let a_null = next(2) == 0;
            let (mut a1, mut b1) = (st.clone(), st.clone());
            mark_null(&mut a1, &p, a_null);
            mark_null(&mut b1, &p, !a_null);
            let (mut a2, mut b2) = (st.clone(), st.clone());
            mark_null_pair(&mut a2, &mut b2, &p, a_null);
            assert_eq!(a1, a2, "{p:?} {a_null}");
            assert_eq!(b1, b2, "{p:?} {a_null}");
        }
    }

    #[test]
    fn refinements_reach_copies_with_their_delta() {
        let mut st = initial_state();
        let base = Scalar {
            link: 5,
            ..Scalar::urange(0, 1000)
        };
        let plus4 = Scalar {
            link: 5 | Scalar::ADD_CONST,
            delta: 4,
            ..Scalar::urange(4, 1004)
        };
        st.cur_mut().regs[6] = RegVal::Scalar(base);
        st.cur_mut().regs[2] = RegVal::Scalar(plus4);
        st.cur_mut().regs[3] = RegVal::Scalar(base);
        // r2 <= 14 refines r2; r6 and r3 (delta 0) become r2 - 4.
        set_linked(
            &mut st,
            2,
            plus4,
            Scalar::urange(4, 14),
            KernelVersion::new(6, 18),
        );
        let RegVal::Scalar(r6) = st.cur().regs[6] else {
            panic!("scalar")
        };
        assert_eq!((r6.umin, r6.umax, r6.link, r6.delta), (0, 10, 5, 0));
        assert_eq!(st.cur().regs[3], st.cur().regs[6]);
    }

    #[test]
    fn a_32_bit_delta_zero_extends_and_mixed_widths_are_skipped() {
        let mut st = initial_state();
        let base = Scalar {
            link: 5,
            ..Scalar::urange(0xffff_ff00, 0xffff_ffff)
        };
        // r1 = w0 + 256 (32-bit delta), 0..=255; r2 = r0 + 1 (64-bit delta).
        let w_plus = Scalar {
            link: 5 | Scalar::ADD_CONST32,
            delta: 256,
            ..Scalar::urange(0, 255)
        };
        let plus1 = Scalar {
            link: 5 | Scalar::ADD_CONST,
            delta: 1,
            ..Scalar::urange(0xffff_ff01, 0x1_0000_0000)
        };
        st.cur_mut().regs[0] = RegVal::Scalar(base);
        st.cur_mut().regs[1] = RegVal::Scalar(w_plus);
        st.cur_mut().regs[2] = RegVal::Scalar(plus1);
        // r1 <= 128: r0 is r1 - 256 in 32 bits, zero-extended.
        set_linked(
            &mut st,
            1,
            w_plus,
            Scalar::urange(0, 128),
            KernelVersion::new(6, 18),
        );
        let RegVal::Scalar(r0) = st.cur().regs[0] else {
            panic!("scalar")
        };
        assert_eq!((r0.umin, r0.umax, r0.link), (0xffff_ff00, 0xffff_ff80, 5));
        // r2 (a 64-bit delta) is left as it was.
        assert_eq!(st.cur().regs[2], RegVal::Scalar(plus1));
    }

    #[test]
    fn refinements_reach_spilled_copies_only() {
        use crate::verifier::domain::state::Slot;
        let mut st = initial_state();
        let base = Scalar {
            link: 5,
            ..Scalar::urange(0, 1000)
        };
        let other = Scalar {
            link: 6,
            ..Scalar::urange(0, 1000)
        };
        st.cur_mut().regs[6] = RegVal::Scalar(base);
        st.cur_mut().stack[3] = Slot::Spill(RegVal::Scalar(base));
        st.cur_mut().stack[4] = Slot::Spill(RegVal::Scalar(other));
        st.cur_mut().stack[9] = Slot::Part(base, 4, 0, 0);
        let before = st.clone();
        set_linked(
            &mut st,
            6,
            base,
            Scalar::urange(0, 10),
            KernelVersion::new(6, 18),
        );
        let refined = Scalar {
            link: 5,
            ..Scalar::urange(0, 10)
        };
        assert_eq!(st.cur().stack[3], Slot::Spill(RegVal::Scalar(refined)));
        assert_eq!(st.cur().stack[9], Slot::Part(refined, 4, 0, 0));
        // Another link's copy is untouched, and its chunk is still shared.
        assert_eq!(st.cur().stack[4], Slot::Spill(RegVal::Scalar(other)));
        assert!(!st.cur().stack.shares_slot(&before.cur().stack, 3));
        assert!(st.cur().stack.shares_slot(&before.cur().stack, 20));
    }

    #[test]
    fn join_holds_both() {
        let j = Scalar::konst(3).join(&Scalar::urange(10, 12));
        assert_eq!((j.umin, j.umax), (3, 12));
        assert!(Scalar::konst(3).is_subset_of(&j));
    }
}
