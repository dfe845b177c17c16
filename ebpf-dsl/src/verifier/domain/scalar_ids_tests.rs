//! The kernel's `check_scalar_ids` in [`super::covers`] and [`super::covers_masked`]: an
//! unlinked old scalar covers any new one; a linked old scalar needs the new one linked the
//! same way (the same delta) or unlinked, and the old links must map one-to-one to new ones,
//! an unlinked new scalar standing for a link of its own (a fresh temporary id).

use super::super::scalar::Scalar;
use super::{covers, covers_masked, RegVal, Slot, State};
use crate::verifier::initial_state;

fn linked(link: u32, delta: i32) -> RegVal {
    RegVal::Scalar(Scalar {
        link,
        delta,
        ..Scalar::urange(0, u32::MAX as u64)
    })
}

/// A state with the scalars `regs` (register, link, delta) and the spilled scalar `slot`
/// (slot 1) if given.
fn state(regs: &[(usize, u32, i32)], slot: Option<(u32, i32)>) -> State {
    let mut st = initial_state();
    for &(r, link, delta) in regs {
        st.frames[0].regs[r] = linked(link, delta);
    }
    if let Some((link, delta)) = slot {
        st.frames[0].stack[1] = Slot::Spill(linked(link, delta));
    }
    st
}

/// Registers 6 and 7 and slot 1 live and precise.
const LIVE: u128 = 1 << 6 | 1 << 7 | 1 << 12;

fn both(old: &State, new: &State) -> bool {
    let full = covers(old, new, 1 << 6 | 1 << 7);
    let masked = covers_masked(old, new, 0x7ff, LIVE, LIVE, &[]);
    assert_eq!(full, masked, "covers and covers_masked disagree");
    full
}

#[test]
fn a_linked_old_scalar_covers_an_unlinked_new_one_alone() {
    let add = Scalar::ADD_CONST;
    // r7 alone linked in old: the unlinked r7 of new takes a temporary id.
    assert!(both(&state(&[(7, 5, 0)], None), &state(&[(7, 0, 0)], None)));
    // Unlinked old scalars cover linked new ones (with or without a delta).
    assert!(both(
        &state(&[(6, 0, 0), (7, 0, 0)], None),
        &state(&[(6, 4, 0), (7, 4 | add, 2)], None)
    ));
    // A link renamed consistently.
    assert!(both(
        &state(&[(6, 5, 0), (7, 5, 0)], None),
        &state(&[(6, 8, 0), (7, 8, 0)], None)
    ));
}

#[test]
fn two_linked_old_scalars_need_one_new_link() {
    let old = state(&[(6, 5, 0), (7, 5, 0)], None);
    // Both unlinked in new: two temporary ids, the link of old maps to one only.
    assert!(!both(&old, &state(&[(6, 0, 0), (7, 0, 0)], None)));
    // One unlinked, one linked.
    assert!(!both(&old, &state(&[(6, 0, 0), (7, 8, 0)], None)));
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 0, 0)], None)));
    // Two different links.
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 9, 0)], None)));
    // Two new locations of one link may stand for two old links: not the other way round.
    assert!(!both(
        &state(&[(6, 5, 0), (7, 6, 0)], None),
        &state(&[(6, 8, 0), (7, 8, 0)], None)
    ));
}

#[test]
fn a_delta_must_match() {
    let add = Scalar::ADD_CONST;
    let old = state(&[(6, 5, 0), (7, 5 | add, 2)], None);
    assert!(both(&old, &state(&[(6, 8, 0), (7, 8 | add, 2)], None)));
    // Another delta, no delta, or no link.
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 8 | add, 3)], None)));
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 8, 0)], None)));
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 0, 0)], None)));
    // r7 = r6 + 2 in old, r7 of another link in new.
    assert!(!both(&old, &state(&[(6, 8, 0), (7, 9 | add, 2)], None)));
    // A linked old scalar without a delta does not cover one with a delta.
    assert!(!both(
        &state(&[(7, 5, 0)], None),
        &state(&[(7, 8 | add, 2)], None)
    ));
}

#[test]
fn spilled_scalars_share_the_id_map() {
    let old = state(&[(6, 5, 0)], Some((5, 0)));
    assert!(both(&old, &state(&[(6, 9, 0)], Some((9, 0)))));
    // The spilled copy independent of r6 in new (unlinked, or another link).
    assert!(!both(&old, &state(&[(6, 0, 0)], Some((9, 0)))));
    assert!(!both(&old, &state(&[(6, 9, 0)], Some((0, 0)))));
    assert!(!both(&old, &state(&[(6, 0, 0)], Some((0, 0)))));
    assert!(!both(&old, &state(&[(6, 9, 0)], Some((8, 0)))));
    // An unlinked old spill covers a linked new one.
    assert!(both(
        &state(&[(6, 0, 0)], Some((0, 0))),
        &state(&[(6, 9, 0)], Some((9, 0)))
    ));
}

#[test]
fn a_linked_unknown_spill_covers_unknown_bytes_once() {
    let misc = || Slot::Bytes([super::Byte::Misc; 8]);
    let mut new = state(&[(6, 0, 0)], None);
    new.frames[0].stack[1] = misc();
    let unknown = |link| {
        Slot::Spill(RegVal::Scalar(Scalar {
            link,
            ..Scalar::UNKNOWN
        }))
    };
    let mut old = state(&[(6, 0, 0)], None);
    old.frames[0].stack[1] = unknown(5);
    assert!(both(&old, &new));
    // Linked to r6 in old: r6 and the bytes are independent in new.
    old.frames[0].regs[6] = linked(5, 0);
    assert!(!both(&old, &new));
    // A delta in old: the bytes have none.
    let mut old = state(&[(6, 0, 0)], None);
    old.frames[0].stack[1] = Slot::Spill(RegVal::Scalar(Scalar {
        link: 5 | Scalar::ADD_CONST,
        delta: 1,
        ..Scalar::UNKNOWN
    }));
    assert!(!both(&old, &new));
}
