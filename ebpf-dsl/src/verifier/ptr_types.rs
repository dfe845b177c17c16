//! The pointer kinds each memory instruction was reached with (the table behind
//! `transfer/same_insn.rs`'s rule, the kernel's `save_aux_ptr_type`): kept by the walk's
//! context, filled and read by the transfer.

use super::chunks::Chunks;
use super::domain::ptr_key::PtrKey;
use super::domain::state::RegVal;

/// Per load, store or atomic instruction: the kinds of base pointer the verified paths reached
/// it with, each with the first such pointer, in the order they were first seen. A table by
/// instruction index (made at the first access noted, as long as the program) of the first of
/// its kinds, each kind linked to the next of the same instruction: no map to hash into and no
/// list allocated per instruction (most are reached with one kind only).
#[derive(Default)]
pub(crate) struct PtrTypes {
    /// Per instruction: 0 when no path reached it, else one more than the position in `kinds`
    /// of its first kind.
    first: Vec<u32>,
    /// The kinds, each with its first pointer and (one more than) the position of the next
    /// kind of the same instruction, 0 for none.
    kinds: Chunks<(PtrKey, RegVal, u32)>,
}

impl PtrTypes {
    /// The kinds (with their first pointers) the access at `pc` was reached with, first seen
    /// first.
    pub(crate) fn at(&self, pc: usize) -> impl Iterator<Item = (PtrKey, &RegVal)> {
        let mut k = self.first.get(pc).copied().unwrap_or(0);
        std::iter::from_fn(move || {
            let (key, base, next) = self.kinds.get((k as usize).checked_sub(1)?)?;
            k = *next;
            Some((*key, base))
        })
    }

    /// Adds kind `key`, first reached with `base`, to the kinds of `pc` (one of `insns`
    /// instructions), after those it has.
    pub(crate) fn add(&mut self, insns: usize, pc: usize, key: PtrKey, base: RegVal) {
        if self.first.len() < insns {
            self.first.resize(insns, 0);
        }
        self.kinds.push((key, base, 0));
        let new = self.kinds.len() as u32;
        match self.first[pc] {
            0 => self.first[pc] = new,
            mut k => {
                while self.kinds[k as usize - 1].2 != 0 {
                    k = self.kinds[k as usize - 1].2;
                }
                self.kinds[k as usize - 1].2 = new;
            }
        }
    }
}
