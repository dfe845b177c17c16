//! A memo of [`Scalar::sync`]'s slow path: a pure function of its input that every refined
//! comparison operand, ALU result and bounds intersection goes through, with the same inputs
//! over and over (the same loop walked again, the same packet offsets). A small direct-mapped
//! table per thread, keyed by the whole value (links included), gives back exactly what the
//! slow path computed for it.

use std::cell::RefCell;

use super::Scalar;

/// Entries of the table (a power of two).
const ENTRIES: usize = 1024;

/// The table: `slots[i]` is 0 when entry `i` is empty, else one more than the position of its
/// (input, output) pair in `pairs`. The pairs are pushed as entries fill (a full table of them is
/// 150 KB: allocated and written at once it would cost a short program tens of page faults).
struct Table {
    slots: Vec<u16>,
    pairs: Vec<(Scalar, Option<Scalar>)>,
}

thread_local! {
    static MEMO: RefCell<Table> = const {
        RefCell::new(Table {
            slots: Vec::new(),
            pairs: Vec::new(),
        })
    };
}

/// The table entry of `s`.
fn index(s: &Scalar) -> usize {
    let words = [
        s.umin,
        s.umax,
        s.smin as u64,
        s.smax as u64,
        s.u32min as u64 | (s.u32max as u64) << 32,
        s.s32min as u32 as u64 | (s.s32max as u32 as u64) << 32,
        s.t.value,
        s.t.mask,
        s.link as u64 | (s.delta as u32 as u64) << 32,
    ];
    let h = words.iter().fold(0u64, |h, w| {
        (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    });
    (h >> 32) as usize & (ENTRIES - 1)
}

/// `slow(s)`, looked up first (the table is not borrowed while `slow` runs).
pub(super) fn memoised(s: Scalar, slow: impl FnOnce(Scalar) -> Option<Scalar>) -> Option<Scalar> {
    let i = index(&s);
    let hit = MEMO.with(|m| {
        let m = m.borrow();
        match m.slots.get(i) {
            Some(&j) if j != 0 && m.pairs[j as usize - 1].0 == s => Some(m.pairs[j as usize - 1].1),
            _ => None,
        }
    });
    if let Some(v) = hit {
        return v;
    }
    let v = slow(s);
    MEMO.with(|m| {
        let m = &mut *m.borrow_mut();
        if m.slots.is_empty() {
            m.slots = vec![0; ENTRIES];
        }
        match m.slots[i] {
            0 => {
                m.pairs.push((s, v));
                m.slots[i] = m.pairs.len() as u16;
            }
            j => m.pairs[j as usize - 1] = (s, v),
        }
    });
    v
}

#[cfg(test)]
mod tests {
    use super::super::Scalar;

    #[test]
    fn memoised_sync_is_the_slow_path() {
        // The same inputs twice (the second time from the table), colliding ones included.
        let mut inputs = Vec::new();
        for a in [0u64, 1, 5, 255, 0xffff, 1 << 31, 1 << 40, u64::MAX / 3] {
            for b in [0u64, 3, 64, 1 << 20, u64::MAX - 7] {
                let s = Scalar {
                    umin: a.min(b),
                    umax: a.max(b),
                    ..Scalar::UNKNOWN
                };
                inputs.push(s);
                inputs.push(Scalar {
                    smin: -(b as i64 & 0xffff),
                    link: 7,
                    ..s
                });
            }
        }
        for _ in 0..2 {
            for s in &inputs {
                assert_eq!(s.sync(), s.sync_full(), "{s:?}");
            }
        }
    }
}
