//! Exactness marks (`super::super::exact` computes them): which scalars of a state hold
//! exactly the kernel's bounds. Kept here, with the state they belong to, so that the state
//! does not import the code that computes them.

use core::fmt;
use core::hash::{Hash, Hasher};

/// Frames tracked (the kernel's `MAX_CALL_FRAMES`).
pub(crate) const FRAMES: usize = 8;

/// The marks of one state: per frame, a bit per register and a bit per stack slot. Not part
/// of the state's identity: two states that differ only in their marks are equal and hash
/// alike (pruning and deduplication never look at them; the dump's walk compares them
/// explicitly, `verifier::exact`'s `prunes`).
///
/// Boxed, and absent while no mark is set: only the dump's walk sets any, and every other
/// verification copies the state (each branch, each checkpoint) with one word for them instead
/// of their 80 bytes.
#[derive(Clone, Default)]
pub struct Exact(Option<Box<Marks>>);

/// The bits of [`Exact`].
#[derive(Clone, Copy, Default)]
struct Marks {
    regs: [u16; FRAMES],
    slots: [u64; FRAMES],
}

impl PartialEq for Exact {
    fn eq(&self, _: &Exact) -> bool {
        true
    }
}

impl Eq for Exact {}

impl Hash for Exact {
    fn hash<H: Hasher>(&self, _: &mut H) {}
}

impl fmt::Debug for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0.as_deref().copied().unwrap_or_default();
        write!(f, "Exact({:?}, {:?})", m.regs, m.slots)
    }
}

impl Exact {
    /// True if register `r` of frame `frame` is marked.
    pub fn reg(&self, frame: usize, r: usize) -> bool {
        frame < FRAMES
            && r < 16
            && self
                .0
                .as_ref()
                .is_some_and(|m| m.regs[frame] & (1 << r) != 0)
    }

    /// True if stack slot `i` (offset `-512 + 8 * i`) of frame `frame` is marked.
    pub fn slot(&self, frame: usize, i: usize) -> bool {
        frame < FRAMES
            && i < 64
            && self
                .0
                .as_ref()
                .is_some_and(|m| m.slots[frame] & (1 << i) != 0)
    }

    /// The marked registers of frame `frame`, a bit per register (0 past [`FRAMES`]).
    pub(crate) fn reg_bits(&self, frame: usize) -> u16 {
        match &self.0 {
            Some(m) if frame < FRAMES => m.regs[frame],
            _ => 0,
        }
    }

    /// The marked stack slots of frame `frame`, a bit per slot (0 past [`FRAMES`]).
    pub(crate) fn slot_bits(&self, frame: usize) -> u64 {
        match &self.0 {
            Some(m) if frame < FRAMES => m.slots[frame],
            _ => 0,
        }
    }

    /// Marks the registers of `regs` and the slots of `slots` (a bit each) of frame `frame`
    /// (nothing past [`FRAMES`]; no allocation when both are empty).
    pub(crate) fn add_bits(&mut self, frame: usize, regs: u16, slots: u64) {
        if frame < FRAMES && (regs != 0 || slots != 0) {
            let m = self.0.get_or_insert_default();
            m.regs[frame] |= regs;
            m.slots[frame] |= slots;
        }
    }

    pub(crate) fn set_reg(&mut self, frame: usize, r: usize) {
        if frame < FRAMES && r < 16 {
            self.0.get_or_insert_default().regs[frame] |= 1 << r;
        }
    }

    pub(crate) fn set_slot(&mut self, frame: usize, i: usize) {
        if frame < FRAMES && i < 64 {
            self.0.get_or_insert_default().slots[frame] |= 1 << i;
        }
    }
}
