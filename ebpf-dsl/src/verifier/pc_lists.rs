//! A list of checkpoint ids per instruction, made only for the instructions that get one.
//!
//! The explorer keeps two such tables (the finished checkpoints and the unfinished ones of each
//! prune point). As `Vec<Vec<usize>>` sized by the program they cost 48 bytes per instruction,
//! all written before the first instruction is processed (a 1,700-instruction program: 80 KB,
//! some twenty page faults in a fresh process); here a zeroed `u32` per instruction says where
//! an instruction's list is, and the lists are pushed as instructions get one.

use std::ops::{Index, IndexMut};

/// The empty list of an instruction that has none yet.
static NONE: Vec<usize> = Vec::new();

/// A `Vec<usize>` per instruction, indexed like `Vec<Vec<usize>>`.
pub(crate) struct PcLists {
    /// 0 when instruction `pc` has no list yet, else one more than its list's position.
    at: Vec<u32>,
    lists: Vec<Vec<usize>>,
}

impl PcLists {
    /// Empty lists for `insns` instructions.
    pub(crate) fn new(insns: usize) -> Self {
        PcLists {
            at: vec![0; insns],
            lists: Vec::new(),
        }
    }
}

impl Index<usize> for PcLists {
    type Output = Vec<usize>;

    fn index(&self, pc: usize) -> &Vec<usize> {
        match self.at[pc] {
            0 => &NONE,
            k => &self.lists[k as usize - 1],
        }
    }
}

impl IndexMut<usize> for PcLists {
    fn index_mut(&mut self, pc: usize) -> &mut Vec<usize> {
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
        let mut l = PcLists::new(5);
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
