//! A list of checkpoint ids per instruction, made only for the instructions that get one.
//!
//! The explorer keeps two such tables (the finished checkpoints and the unfinished ones of each
//! prune point). As `Vec<Vec<usize>>` sized by the program they cost 48 bytes per instruction,
//! all written before the first instruction is processed (a 1,700-instruction program: 80 KB,
//! some twenty page faults in a fresh process); here a zeroed `u32` per instruction says where
//! an instruction's list is, and the lists are pushed as instructions get one.

use std::ops::{Index, IndexMut};

/// A `Vec<T>` per instruction (checkpoint ids by default), indexed like `Vec<Vec<T>>`.
pub(crate) struct PcLists<T = usize> {
    /// 0 when instruction `pc` has no list yet, else one more than its list's position.
    at: Vec<u32>,
    lists: Vec<Vec<T>>,
    /// The empty list of an instruction that has none yet.
    none: Vec<T>,
}

impl<T> PcLists<T> {
    /// Empty lists for `insns` instructions.
    pub(crate) fn new(insns: usize) -> Self {
        PcLists {
            at: vec![0; insns],
            lists: Vec::new(),
            none: Vec::new(),
        }
    }

    /// Instruction `pc`'s list, taken out (empty if it has none) until [`PcLists::put`]
    /// puts it back.
    #[inline]
    pub(crate) fn take(&mut self, pc: usize) -> Vec<T> {
        match self.at[pc] {
            0 => Vec::new(),
            k => std::mem::take(&mut self.lists[k as usize - 1]),
        }
    }

    /// Puts `list` back as instruction `pc`'s (after [`PcLists::take`]).
    #[inline]
    pub(crate) fn put(&mut self, pc: usize, list: Vec<T>) {
        match self.at[pc] {
            0 if list.is_empty() => {}
            0 => {
                self.lists.push(list);
                self.at[pc] = self.lists.len() as u32;
            }
            k => self.lists[k as usize - 1] = list,
        }
    }

    /// Instruction `pc`'s list, mutably, without making one when it has none (the empty
    /// slice then).
    pub(crate) fn slice_mut(&mut self, pc: usize) -> &mut [T] {
        match self.at[pc] {
            0 => &mut [],
            k => &mut self.lists[k as usize - 1],
        }
    }
}

impl<T> Index<usize> for PcLists<T> {
    type Output = Vec<T>;

    fn index(&self, pc: usize) -> &Vec<T> {
        match self.at[pc] {
            0 => &self.none,
            k => &self.lists[k as usize - 1],
        }
    }
}

impl<T> IndexMut<usize> for PcLists<T> {
    fn index_mut(&mut self, pc: usize) -> &mut Vec<T> {
        if self.at[pc] == 0 {
            self.lists.push(Vec::new());
            self.at[pc] = self.lists.len() as u32;
        }
        &mut self.lists[self.at[pc] as usize - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::PcLists;

    #[test]
    fn lists_are_per_instruction_and_start_empty() {
        let mut l: PcLists = PcLists::new(5);
        assert!(l[3].is_empty());
        l[3].push(7);
        l[1].push(2);
        l[3].push(9);
        assert_eq!(l[3], vec![7, 9]);
        assert_eq!(l[1], vec![2]);
        assert!(l[0].is_empty() && l[4].is_empty());
        l[3].swap_remove(0);
        assert_eq!(l[3], vec![9]);
    }
}
