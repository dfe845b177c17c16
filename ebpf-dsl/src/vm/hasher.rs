//! A cheap hasher for the VM's own tables (map-value regions, hash-map keys): a multiply and
//! a rotate per word. The keys come from the program under test, not from an adversary, so
//! SipHash's resistance to crafted collisions buys nothing here and costs a lot per lookup.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The multiplier (the golden ratio in 64 bits, as in Fibonacci hashing).
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// The hasher (see the module's documentation).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FastHasher(u64);

impl FastHasher {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn write_isize(&mut self, i: isize) {
        self.add(i as u64);
    }
}

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash(v: impl Hash) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(v)
    }

    #[test]
    fn different_keys_hash_apart_and_maps_work() {
        assert_ne!(hash(b"ab".to_vec()), hash(b"ba".to_vec()));
        assert_ne!(hash(vec![0u8; 8]), hash(vec![0u8; 9]));
        assert_ne!(hash((1usize, 2usize)), hash((2usize, 1usize)));
        let mut m: FastMap<Vec<u8>, usize> = FastMap::default();
        for i in 0..1000u32 {
            m.insert(i.to_le_bytes().to_vec(), i as usize);
        }
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get(77u32.to_le_bytes().as_slice()), Some(&77));
    }
}
