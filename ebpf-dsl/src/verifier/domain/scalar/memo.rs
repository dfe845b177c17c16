//! A memo of [`Scalar::sync`]'s slow path: a pure function of its input that every refined
//! comparison operand, ALU result and bounds intersection goes through, with the same inputs
//! over and over (the same loop walked again, the same packet offsets). A small direct-mapped
//! table per thread, keyed by the whole value (links included), gives back exactly what the
//! slow path computed for it.

use std::cell::{Cell, RefCell};

use super::Scalar;
use crate::verifier::chunks::Chunks;

/// Entries of the table of [`memoised`] (a power of two).
const ENTRIES: usize = 1024;

/// A direct-mapped table of `N` entries (a power of two) of a pure function's (input, output)
/// pairs: `slots[i]` is 0 when entry `i` is empty, else one more than the position of its pair
/// in `pairs`. The pairs are pushed as entries fill (a full table of them can be hundreds of
/// KB: allocated and written at once it would cost a short program tens of page faults), in
/// small blocks ([`Chunks`]): a short program's verification touches only the few KB its pairs
/// take, never a block of the allocator's large sizes (each in a region of the heap of its
/// own, often touched for the first time: a transparent huge page fault, some 160 µs).
pub(crate) struct Table<K, V, const N: usize> {
    slots: Vec<u16>,
    pairs: Chunks<(K, V)>,
}

impl<K: PartialEq + Copy, V: Copy, const N: usize> Table<K, V, N> {
    /// An empty table (allocates nothing).
    pub(crate) const fn new() -> Self {
        Table {
            slots: Vec::new(),
            pairs: Chunks::new(),
        }
    }

    /// The value stored for `k` at entry `hash % N`, if any.
    #[inline]
    pub(crate) fn get(&self, hash: u64, k: &K) -> Option<V> {
        let j = *self.slots.get(Self::entry(hash))?;
        match self.pairs.get((j as usize).wrapping_sub(1)) {
            Some((key, v)) if key == k => Some(*v),
            _ => None,
        }
    }

    /// Stores `v` for `k` at entry `hash % N` (replacing what was there).
    pub(crate) fn put(&mut self, hash: u64, k: K, v: V) {
        let i = Self::entry(hash);
        if self.slots.is_empty() {
            self.slots = vec![0; N];
        }
        match self.slots[i] {
            0 => {
                // Never more than `N` pairs (one per entry).
                self.pairs.push((k, v));
                self.slots[i] = self.pairs.len() as u16;
            }
            j => self.pairs[j as usize - 1] = (k, v),
        }
    }

    /// Empties the table and gives back its memory, as [`Table::new`].
    pub(crate) fn clear(&mut self) {
        *self = Self::new();
    }

    fn entry(hash: u64) -> usize {
        (hash >> 32) as usize & (N - 1)
    }
}

thread_local! {
    static MEMO: RefCell<Table<Scalar, Option<Scalar>, ENTRIES>> =
        const { RefCell::new(Table::new()) };
}

thread_local! {
    static OLD_SYNC: Cell<bool> = const { Cell::new(false) };
}

/// Empties this thread's table of [`memoised`].
pub(crate) fn clear() {
    MEMO.with(|m| m.borrow_mut().clear());
}

/// Whether this thread verifies for a kernel before
/// [`KernelVersion::BOUNDS_SYNC`](crate::verifier::KernelVersion::BOUNDS_SYNC): then
/// [`Scalar::sync`] is that kernel's shorter `reg_bounds_sync` and the tables of this module's
/// users are neither read nor written (they hold the newer results only).
#[inline]
pub(crate) fn old_sync() -> bool {
    OLD_SYNC.with(Cell::get)
}

/// Sets the mode of [`old_sync`] for this thread until the guard is dropped (the previous mode
/// is then restored).
pub(crate) fn old_sync_while(old: bool) -> OldSyncGuard {
    OldSyncGuard(OLD_SYNC.with(|c| c.replace(old)))
}

/// Restores the previous mode of [`old_sync`] when dropped.
pub(crate) struct OldSyncGuard(bool);

impl Drop for OldSyncGuard {
    fn drop(&mut self) {
        OLD_SYNC.with(|c| c.set(self.0));
    }
}

/// Mixes `words` into `h` (for a [`Table`] entry).
#[inline]
pub(crate) fn mix(h: u64, words: &[u64]) -> u64 {
    words.iter().fold(h, |h, w| {
        (h.rotate_left(23) ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    })
}

/// The whole of `s` (links included) as words, for hashing.
#[inline]
pub(crate) fn words(s: &Scalar) -> [u64; 9] {
    [
        s.umin,
        s.umax,
        s.smin as u64,
        s.smax as u64,
        s.u32min as u64 | (s.u32max as u64) << 32,
        s.s32min as u32 as u64 | (s.s32max as u32 as u64) << 32,
        s.t.value,
        s.t.mask,
        s.link as u64 | (s.delta as u32 as u64) << 32,
    ]
}

/// `slow(s)`, looked up first (the table is not borrowed while `slow` runs).
#[inline]
pub(super) fn memoised(s: Scalar, slow: impl FnOnce(Scalar) -> Option<Scalar>) -> Option<Scalar> {
    let h = mix(0, &words(&s));
    if let Some(v) = MEMO.with(|m| m.borrow().get(h, &s)) {
        return v;
    }
    let v = slow(s);
    MEMO.with(|m| m.borrow_mut().put(h, s, v));
    v
}

#[cfg(test)]
mod tests {
    use super::super::Scalar;
    use super::Table;

    #[test]
    fn a_table_keeps_its_pairs_past_its_first_block() {
        // 2 KB pairs: 4 a block of the pairs, 16 blocks for all 64.
        type Big = [u64; 256];
        let mut t: Table<u64, Big, 64> = Table::new();
        let h = |k: u64| k << 32;
        for k in 0..64 {
            assert_eq!(t.get(h(k), &k), None);
            t.put(h(k), k, [k; 256]);
        }
        assert_eq!(t.pairs.len(), 64);
        for k in 0..64 {
            assert_eq!(t.get(h(k), &k), Some([k; 256]));
        }
        // An entry taken by another key: replaced, no new pair.
        t.put(h(64), 64, [7; 256]);
        assert_eq!(t.get(h(0), &0), None);
        assert_eq!(t.get(h(64), &64), Some([7; 256]));
        assert_eq!(t.pairs.len(), 64);
    }

    #[test]
    fn sync_keeps_the_link() {
        // The slow path neither reads nor changes the link and delta (`Scalar::sync` keys its
        // table by the unlinked value): the same bounds whatever they are, contradictions too.
        let mut n = 0;
        for a in [
            0u64,
            1,
            7,
            255,
            0x8000_0000,
            u32::MAX as u64,
            1 << 40,
            u64::MAX - 3,
        ] {
            for b in [0u64, 5, 0xffff, 1 << 33, i64::MAX as u64, u64::MAX] {
                for s32 in [None, Some((-3, 9)), Some((5, 2))] {
                    let mut s = Scalar {
                        umin: a.min(b),
                        umax: a.max(b),
                        smin: -(b as i64 & 0xfff),
                        ..Scalar::UNKNOWN
                    };
                    if let Some((lo, hi)) = s32 {
                        (s.s32min, s.s32max) = (lo, hi);
                    }
                    for (link, delta) in [(0, 0), (7, 0), (Scalar::ADD_CONST | 9, -4)] {
                        let l = Scalar { link, delta, ..s };
                        let want = s.sync_full().map(|r| Scalar { link, delta, ..r });
                        assert_eq!(l.sync_full(), want, "{l:?}");
                        assert_eq!(l.sync(), want, "{l:?}");
                        n += 1;
                    }
                }
            }
        }
        assert!(n > 400);
    }

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
