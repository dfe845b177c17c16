//! A list of checkpoint ids per instruction and call site, made only for those that get one.
//!
//! The explorer keeps two such tables (the finished checkpoints and the unfinished ones of each
//! prune point). A state is compared only with the checkpoints of its own instruction whose
//! innermost frame was called from the same call site, as the kernel's `explored_state` finds
//! them (its hash of the instruction and that frame's `callsite`): a subprogram called from
//! many places keeps the states of each call site apart, so the visits from one call site
//! neither count as misses of another's checkpoints nor evict them.
//!
//! As `Vec<Vec<usize>>` sized by the program the lists would cost 48 bytes per instruction,
//! all written before the first instruction is processed (a 1,700-instruction program: 80 KB,
//! some twenty page faults in a fresh process); here a zeroed `u32` per instruction says where
//! an instruction's first list is, and the lists are pushed as instructions get one, each
//! naming its call site and the instruction's next list (most instructions have one call site).

/// A `Vec<T>` per instruction and call site (checkpoint ids by default).
pub(crate) struct PcLists<T = usize> {
    /// 0 when instruction `pc` has no list yet, else one more than its first list's position.
    at: Vec<u32>,
    lists: Vec<Node<T>>,
    /// The empty list of an instruction and call site that have none yet.
    none: Vec<T>,
}

/// One list of an instruction.
struct Node<T> {
    /// The call site of the innermost frame of the states it lists.
    site: u32,
    /// 0 for the instruction's last list, else one more than the next one's position.
    next: u32,
    list: Vec<T>,
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

    /// The position of the list of `pc` and `site`, if it has one.
    #[inline]
    fn find(&self, pc: usize, site: usize) -> Option<usize> {
        let mut k = self.at[pc];
        while k != 0 {
            let n = &self.lists[k as usize - 1];
            if n.site as usize == site {
                return Some(k as usize - 1);
            }
            k = n.next;
        }
        None
    }

    /// [`PcLists::find`], moving the list found to the front of its instruction's (the
    /// lists of one instruction are independent: their order only decides how soon each is
    /// found). A visit looks its list up several times, and the visits of one call site come
    /// in runs (a subprogram called from many sites: each call's paths are explored in turn),
    /// so the list wanted is then the first.
    #[inline]
    fn find_front(&mut self, pc: usize, site: usize) -> Option<usize> {
        let head = self.at[pc];
        if head == 0 {
            return None;
        }
        if self.lists[head as usize - 1].site as usize == site {
            return Some(head as usize - 1);
        }
        self.find_further(pc, site)
    }

    /// [`PcLists::find_front`] past the first list of `pc`.
    #[cold]
    #[inline(never)]
    fn find_further(&mut self, pc: usize, site: usize) -> Option<usize> {
        let head = self.at[pc];
        let (mut prev, mut k) = (0u32, head);
        while k != 0 {
            let i = k as usize - 1;
            let next = self.lists[i].next;
            if self.lists[i].site as usize == site {
                if prev != 0 {
                    self.lists[prev as usize - 1].next = next;
                    self.lists[i].next = head;
                    self.at[pc] = k;
                }
                return Some(i);
            }
            (prev, k) = (k, next);
        }
        None
    }

    /// The position of the list of `pc` and `site`, made (empty) if it has none.
    #[inline]
    fn find_or_make(&mut self, pc: usize, site: usize) -> usize {
        if let Some(k) = self.find_front(pc, site) {
            return k;
        }
        self.lists.push(Node {
            site: site as u32,
            next: self.at[pc],
            list: Vec::new(),
        });
        self.at[pc] = self.lists.len() as u32;
        self.lists.len() - 1
    }

    /// The list of `pc` and `site` (empty if it has none).
    #[inline]
    pub(crate) fn get(&self, pc: usize, site: usize) -> &Vec<T> {
        match self.find(pc, site) {
            Some(k) => &self.lists[k].list,
            None => &self.none,
        }
    }

    /// The list of `pc` and `site`, mutably (made if it has none).
    #[inline]
    pub(crate) fn get_mut(&mut self, pc: usize, site: usize) -> &mut Vec<T> {
        let k = self.find_or_make(pc, site);
        &mut self.lists[k].list
    }

    /// The list of `pc` and `site`, taken out (empty if it has none) until [`PcLists::put`]
    /// puts it back.
    #[inline]
    pub(crate) fn take(&mut self, pc: usize, site: usize) -> Vec<T> {
        match self.find_front(pc, site) {
            Some(k) => std::mem::take(&mut self.lists[k].list),
            None => Vec::new(),
        }
    }

    /// Puts `list` back as the list of `pc` and `site` (after [`PcLists::take`]).
    #[inline]
    pub(crate) fn put(&mut self, pc: usize, site: usize, list: Vec<T>) {
        match self.find_front(pc, site) {
            Some(k) => self.lists[k].list = list,
            None if list.is_empty() => {}
            None => {
                let k = self.find_or_make(pc, site);
                self.lists[k].list = list;
            }
        }
    }

    /// The list of `pc` and `site`, mutably, without making one when it has none (the empty
    /// slice then).
    #[inline]
    pub(crate) fn slice_mut(&mut self, pc: usize, site: usize) -> &mut [T] {
        match self.find_front(pc, site) {
            Some(k) => &mut self.lists[k].list,
            None => &mut [],
        }
    }

    /// Every list of `pc` (each call site's).
    #[cfg(test)]
    pub(crate) fn all(&self, pc: usize) -> impl Iterator<Item = &Vec<T>> {
        let mut k = self.at[pc];
        std::iter::from_fn(move || {
            if k == 0 {
                return None;
            }
            let n = &self.lists[k as usize - 1];
            k = n.next;
            Some(&n.list)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::PcLists;

    #[test]
    fn lists_are_per_instruction_and_start_empty() {
        let mut l: PcLists = PcLists::new(5);
        assert!(l.get(3, 0).is_empty());
        l.get_mut(3, 0).push(7);
        l.get_mut(1, 0).push(2);
        l.get_mut(3, 0).push(9);
        assert_eq!(l.get(3, 0), &vec![7, 9]);
        assert_eq!(l.get(1, 0), &vec![2]);
        assert!(l.get(0, 0).is_empty() && l.get(4, 0).is_empty());
        l.get_mut(3, 0).swap_remove(0);
        assert_eq!(l.get(3, 0), &vec![9]);
    }

    #[test]
    fn lists_are_per_call_site() {
        let mut l: PcLists = PcLists::new(5);
        l.get_mut(2, 10).push(1);
        l.get_mut(2, 20).push(2);
        l.get_mut(2, 10).push(3);
        assert_eq!(l.get(2, 10), &vec![1, 3]);
        assert_eq!(l.get(2, 20), &vec![2]);
        assert!(l.get(2, 0).is_empty() && l.slice_mut(2, 30).is_empty());
        assert_eq!(l.all(2).map(|x| x.len()).sum::<usize>(), 3);
        let t = l.take(2, 20);
        assert!(l.get(2, 20).is_empty());
        l.put(2, 20, t);
        assert_eq!(l.get(2, 20), &vec![2]);
        l.put(4, 7, vec![5]);
        assert_eq!(l.get(4, 7), &vec![5]);
        l.put(3, 7, Vec::new());
        assert_eq!(l.all(3).count(), 0);
    }

    /// Looking a list up moves it to the front of its instruction's: every list keeps its
    /// entries whatever the order of the lookups.
    #[test]
    fn lookups_in_any_order_keep_each_list() {
        let mut l: PcLists = PcLists::new(2);
        for site in 0..5 {
            l.get_mut(1, site).push(site);
        }
        for &site in &[0, 3, 0, 4, 1, 1, 2, 0, 4] {
            let mut t = l.take(1, site);
            t.push(10 + site);
            l.put(1, site, t);
            l.slice_mut(1, site)[0] += 100;
        }
        let counts = [3, 2, 1, 1, 2];
        for (site, &n) in counts.iter().enumerate() {
            let got = l.get(1, site);
            assert_eq!(got[0], site + 100 * n);
            assert_eq!(got.len(), 1 + n);
            assert!(got[1..].iter().all(|&x| x == 10 + site));
        }
        assert_eq!(l.all(1).count(), 5);
        assert!(l.get(0, 0).is_empty());
    }
}
