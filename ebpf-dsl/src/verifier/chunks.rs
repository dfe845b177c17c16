//! An append-only vector kept in blocks of at most [`CHUNK_BYTES`] bytes.
//!
//! The explorer's checkpoints (some hundreds of bytes each) and the pairs of the memo tables
//! (`domain::scalar::memo`) are pushed one at a time and never removed. In one `Vec`, they
//! either grow by doublings (each copying everything so far, and leaving behind blocks of sizes
//! never used again) or take room made up front for the most a program could need (hundreds of
//! KB for a 1,000-instruction program, of which a short one uses a few KB). A block that large
//! is a "large" block of the allocator: the CLI's (mimalloc) serves it from a span of the heap
//! of its own, often in a 2 MB region not touched before, and the first write there costs a
//! page fault that zeroes the whole region (a transparent huge page: about 160 µs on the
//! machine of `BENCHMARKS.md`, more than the whole verification of a 1,000-instruction
//! program). Here nothing is ever copied and every block is a small one (mimalloc's small
//! blocks, at most 8 KB, come from 64 KB pages shared by every block of their size), taken only
//! as elements come.

use std::ops::{Index, IndexMut};

/// The largest block of elements: mimalloc's largest small block.
const CHUNK_BYTES: usize = 8 << 10;

/// An append-only vector in blocks of `2^SHIFT` elements (see the module's doc).
pub(crate) struct Chunks<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Chunks<T> {
    /// log2 of the elements per block: the most whose bytes fit [`CHUNK_BYTES`] (at least 1).
    const SHIFT: u32 = {
        let size = if std::mem::size_of::<T>() == 0 {
            1
        } else {
            std::mem::size_of::<T>()
        };
        let per = CHUNK_BYTES / size;
        if per <= 1 {
            0
        } else {
            usize::BITS - 1 - per.leading_zeros()
        }
    };
    const MASK: usize = (1 << Self::SHIFT) - 1;

    /// An empty vector (allocates nothing).
    pub(crate) const fn new() -> Self {
        Chunks {
            chunks: Vec::new(),
            len: 0,
        }
    }

    /// The number of elements.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `x` (a new block when the last one is full).
    #[inline]
    pub(crate) fn push(&mut self, x: T) {
        if self.len & Self::MASK == 0 {
            self.chunks.push(Vec::with_capacity(1 << Self::SHIFT));
        }
        if let Some(last) = self.chunks.last_mut() {
            last.push(x);
            self.len += 1;
        }
    }

    /// Element `i`, if there is one.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i >> Self::SHIFT)?.get(i & Self::MASK)
    }

    /// The bytes of one full block (for tests).
    #[cfg(test)]
    pub(crate) fn block_bytes() -> usize {
        (1usize << Self::SHIFT) * std::mem::size_of::<T>()
    }
}

impl<T> Default for Chunks<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Index<usize> for Chunks<T> {
    type Output = T;

    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.chunks[i >> Self::SHIFT][i & Self::MASK]
    }
}

impl<T> IndexMut<usize> for Chunks<T> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.chunks[i >> Self::SHIFT][i & Self::MASK]
    }
}

#[cfg(test)]
mod tests {
    use super::{Chunks, CHUNK_BYTES};

    #[test]
    fn elements_keep_their_index_across_blocks() {
        let mut c: Chunks<[u64; 40]> = Chunks::new();
        for k in 0..1000u64 {
            c.push([k; 40]);
        }
        assert_eq!(c.len(), 1000);
        for k in 0..1000usize {
            assert_eq!(c[k][39], k as u64);
            assert_eq!(c.get(k).map(|x| x[0]), Some(k as u64));
        }
        assert!(c.get(1000).is_none());
        c[517][3] = 7;
        c[999][0] = 9;
        assert_eq!((c[517][3], c[517][4], c[999][0]), (7, 517, 9));
    }

    #[test]
    fn blocks_are_small_and_never_grow() {
        // 320-byte elements: 16 a block (5 KB); 3,000-byte ones: 2 (6 KB); 9 KB ones: 1.
        assert_eq!(Chunks::<[u64; 40]>::block_bytes(), 16 * 320);
        assert_eq!(Chunks::<[u8; 3000]>::block_bytes(), 6000);
        assert_eq!(Chunks::<[u8; 9000]>::block_bytes(), 9000);
        assert_eq!(Chunks::<u8>::block_bytes(), CHUNK_BYTES);
        let mut c: Chunks<[u64; 40]> = Chunks::new();
        for k in 0..100u64 {
            c.push([k; 40]);
        }
        assert_eq!(c.chunks.len(), 7);
        assert!(c.chunks.iter().all(|b| b.capacity() == 16));
        // Nothing allocated for an empty one.
        assert_eq!(Chunks::<u64>::new().chunks.capacity(), 0);
    }
}
