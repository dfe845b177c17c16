//! Maps in memory, with the kernel's semantics for the operations a program and its test use:
//! arrays and per-CPU arrays, hashes (plain, per-CPU, LRU), LPM tries, the redirect maps
//! (XSKMAP, DEVMAP, DEVMAP_HASH, CPUMAP), PROG_ARRAY and ring buffers.

use std::fmt;

use super::hasher::FastMap;
use crate::spec::{MapSpec, MapType};

/// `-EINVAL` and friends, as helpers return them (negated).
pub(crate) const E2BIG: i64 = 7;
pub(crate) const ENOENT: i64 = 2;
pub(crate) const EEXIST: i64 = 17;
pub(crate) const EINVAL: i64 = 22;
pub(crate) const ENOSPC: i64 = 28;

/// `BPF_ANY`: create or update.
pub const BPF_ANY: u64 = 0;
/// `BPF_NOEXIST`: create only.
pub const BPF_NOEXIST: u64 = 1;
/// `BPF_EXIST`: update only.
pub const BPF_EXIST: u64 = 2;

/// A map operation that failed, with the errno the kernel would give.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapError {
    /// The positive errno (`EEXIST`, `ENOENT`, `E2BIG`, `EINVAL`).
    pub errno: i64,
    /// What went wrong.
    pub why: String,
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.why, self.errno)
    }
}

impl std::error::Error for MapError {}

fn err(errno: i64, why: impl Into<String>) -> MapError {
    MapError {
        errno,
        why: why.into(),
    }
}

#[derive(Clone, Debug)]
struct Slot {
    key: Vec<u8>,
    /// One value per CPU for per-CPU maps, else one.
    values: Vec<Vec<u8>>,
    used: u64,
}

/// One map: its spec and its contents. Tests seed it before a run and read it after.
#[derive(Clone, Debug)]
pub struct Map {
    spec: MapSpec,
    /// What the map type implies, worked out once ([`Map::is_array`], [`Map::has_holes`],
    /// [`Map::is_percpu`]): lookups ask on every call.
    array: bool,
    holes: bool,
    percpu: bool,
    cpus: usize,
    slots: Vec<Option<Slot>>,
    index: FastMap<Vec<u8>, usize>,
    free: Vec<usize>,
    clock: u64,
    records: Vec<Vec<u8>>,
}

impl Map {
    /// An empty map (arrays: every element zero) for `spec`, with `cpus` CPUs for per-CPU maps.
    pub fn new(spec: &MapSpec, cpus: usize) -> Map {
        let t = spec.map_type;
        let mut m = Map {
            spec: spec.clone(),
            array: matches!(
                t,
                MapType::Array
                    | MapType::PercpuArray
                    | MapType::ProgArray
                    | MapType::Xskmap
                    | MapType::Devmap
                    | MapType::Cpumap
            ),
            holes: matches!(
                t,
                MapType::ProgArray | MapType::Xskmap | MapType::Devmap | MapType::Cpumap
            ),
            percpu: matches!(
                t,
                MapType::PercpuArray | MapType::PercpuHash | MapType::LruPercpuHash
            ),
            cpus: cpus.max(1),
            slots: Vec::new(),
            index: FastMap::default(),
            free: Vec::new(),
            clock: 0,
            records: Vec::new(),
        };
        if m.is_array() {
            let n = m.copies();
            for i in 0..spec.max_entries {
                m.slots.push(Some(Slot {
                    key: i.to_le_bytes().to_vec(),
                    values: vec![vec![0; spec.value_size as usize]; n],
                    used: 0,
                }));
            }
        }
        m
    }

    /// The map's name.
    pub fn name(&self) -> &str {
        self.spec.name_str()
    }

    /// The map's spec.
    pub fn spec(&self) -> &MapSpec {
        &self.spec
    }

    fn is_array(&self) -> bool {
        self.array
    }

    /// Whether values exist once per CPU.
    pub fn is_percpu(&self) -> bool {
        self.percpu
    }

    fn copies(&self) -> usize {
        if self.is_percpu() {
            self.cpus
        } else {
            1
        }
    }

    /// Whether an array-like map's element `idx` is "empty" for lookups (redirect maps and
    /// PROG_ARRAY have holes; plain arrays never do).
    fn has_holes(&self) -> bool {
        self.holes
    }

    fn check_key(&self, key: &[u8]) -> Result<(), MapError> {
        if key.len() != self.spec.key_size as usize {
            return Err(err(
                EINVAL,
                format!(
                    "key of {} bytes, map `{}` has {}-byte keys",
                    key.len(),
                    self.name(),
                    self.spec.key_size
                ),
            ));
        }
        Ok(())
    }

    /// The slot holding `key`, if present (LPM tries: the longest matching prefix).
    pub(crate) fn find(&mut self, key: &[u8]) -> Option<usize> {
        if key.len() != self.spec.key_size as usize {
            return None;
        }
        let slot = if self.is_array() {
            let idx = u32::from_le_bytes(key.get(..4)?.try_into().ok()?) as usize;
            if idx >= self.slots.len() || (self.has_holes() && self.holes_empty(idx)) {
                return None;
            }
            idx
        } else if self.spec.map_type == MapType::LpmTrie {
            self.lpm_match(key)?
        } else {
            *self.index.get(key)?
        };
        self.clock += 1;
        if let Some(Some(s)) = self.slots.get_mut(slot) {
            s.used = self.clock;
        }
        Some(slot)
    }

    fn holes_empty(&self, idx: usize) -> bool {
        self.slots[idx]
            .as_ref()
            .is_none_or(|s| s.used == 0 && s.values[0].iter().all(|&b| b == 0))
    }

    fn lpm_match(&self, key: &[u8]) -> Option<usize> {
        let plen = u32::from_le_bytes(key.get(..4)?.try_into().ok()?) as usize;
        let data = &key[4..];
        let mut best: Option<(usize, usize)> = None;
        for (i, s) in self.slots.iter().enumerate() {
            let Some(s) = s else { continue };
            let elen = u32::from_le_bytes(s.key[..4].try_into().ok()?) as usize;
            if elen > plen || elen > data.len() * 8 {
                continue;
            }
            if prefix_eq(&s.key[4..], data, elen) && best.is_none_or(|(l, _)| elen > l) {
                best = Some((elen, i));
            }
        }
        best.map(|(_, i)| i)
    }

    pub(crate) fn value_at(&self, slot: usize, cpu: usize) -> Option<&[u8]> {
        let s = self.slots.get(slot)?.as_ref()?;
        s.values
            .get(if self.is_percpu() { cpu } else { 0 })
            .map(Vec::as_slice)
    }

    pub(crate) fn value_at_mut(&mut self, slot: usize, cpu: usize) -> Option<&mut [u8]> {
        let percpu = self.is_percpu();
        let s = self.slots.get_mut(slot)?.as_mut()?;
        s.values
            .get_mut(if percpu { cpu } else { 0 })
            .map(Vec::as_mut_slice)
    }

    /// The value of `key` (CPU 0's for per-CPU maps).
    pub fn lookup(&self, key: &[u8]) -> Option<&[u8]> {
        self.lookup_on(key, 0)
    }

    /// The value of `key` on `cpu` (per-CPU maps; other maps ignore `cpu`).
    pub fn lookup_on(&self, key: &[u8], cpu: usize) -> Option<&[u8]> {
        let mut probe = self.clone_index_only();
        let slot = probe.find(key)?;
        self.value_at(slot, cpu)
    }

    // `find` bumps the LRU clock; reads from the test must not, so they use a cheap probe.
    fn clone_index_only(&self) -> Probe<'_> {
        Probe { map: self }
    }

    /// Every value of `key`, one per CPU (one for maps that are not per-CPU).
    pub fn lookup_percpu(&self, key: &[u8]) -> Option<Vec<&[u8]>> {
        let slot = self.clone_index_only().find(key)?;
        let s = self.slots.get(slot)?.as_ref()?;
        Some(s.values.iter().map(Vec::as_slice).collect())
    }

    /// Creates or updates an element as `bpf_map_update_elem` from user space does (per-CPU
    /// maps: every CPU gets `value`); `flags` is `BPF_ANY`, `BPF_NOEXIST` or `BPF_EXIST`.
    pub fn update(&mut self, key: &[u8], value: &[u8], flags: u64) -> Result<(), MapError> {
        self.update_on(key, value, flags, None)
    }

    /// The program's update: per-CPU maps change only `cpu`'s value (a new element's other
    /// CPUs are zero).
    pub(crate) fn update_on(
        &mut self,
        key: &[u8],
        value: &[u8],
        flags: u64,
        cpu: Option<usize>,
    ) -> Result<(), MapError> {
        self.check_key(key)?;
        if value.len() != self.spec.value_size as usize {
            return Err(err(
                EINVAL,
                format!(
                    "value of {} bytes, map `{}` has {}-byte values",
                    value.len(),
                    self.name(),
                    self.spec.value_size
                ),
            ));
        }
        if flags & !4 > BPF_EXIST {
            return Err(err(EINVAL, format!("bad update flags {flags:#x}")));
        }
        let n = self.copies();
        let vals = |old: Option<&Vec<Vec<u8>>>| -> Vec<Vec<u8>> {
            match cpu {
                Some(c) if n > 1 => {
                    let mut v = old
                        .cloned()
                        .unwrap_or_else(|| vec![vec![0; value.len()]; n]);
                    v[c.min(n - 1)] = value.to_vec();
                    v
                }
                _ => vec![value.to_vec(); n],
            }
        };
        if self.is_array() {
            let idx = u32::from_le_bytes(key[..4].try_into().unwrap_or_default()) as usize;
            if idx >= self.slots.len() {
                return Err(err(E2BIG, format!("index {idx} past max_entries")));
            }
            if flags & 3 == BPF_NOEXIST {
                return Err(err(EEXIST, "array elements always exist"));
            }
            self.clock += 1;
            let old = self.slots[idx].take();
            let values = vals(old.as_ref().map(|s| &s.values));
            self.slots[idx] = Some(Slot {
                key: key.to_vec(),
                values,
                used: self.clock,
            });
            return Ok(());
        }
        if self.spec.map_type == MapType::LpmTrie {
            let plen = u32::from_le_bytes(key[..4].try_into().unwrap_or_default()) as usize;
            if plen > (key.len() - 4) * 8 {
                return Err(err(EINVAL, format!("prefix length {plen} too long")));
            }
        }
        let existing = self.index.get(&self.index_key(key)).copied();
        match (existing, flags & 3) {
            (Some(_), BPF_NOEXIST) => return Err(err(EEXIST, "the key exists")),
            (None, BPF_EXIST) => return Err(err(ENOENT, "no such key")),
            _ => {}
        }
        self.clock += 1;
        if let Some(i) = existing {
            let old = self.slots[i].take();
            let values = vals(old.as_ref().map(|s| &s.values));
            self.slots[i] = Some(Slot {
                key: key.to_vec(),
                values,
                used: self.clock,
            });
            return Ok(());
        }
        if self.index.len() >= self.spec.max_entries as usize {
            if self.spec.map_type == MapType::LpmTrie {
                return Err(err(ENOSPC, "the trie is full"));
            }
            let lru = matches!(
                self.spec.map_type,
                MapType::LruHash | MapType::LruPercpuHash
            );
            if !lru {
                return Err(err(E2BIG, "the map is full"));
            }
            let victim = self
                .slots
                .iter()
                .enumerate()
                .filter_map(|(i, s)| s.as_ref().map(|s| (s.used, i)))
                .min()
                .map(|(_, i)| i);
            if let Some(v) = victim {
                self.remove_slot(v);
            }
        }
        let slot = Slot {
            key: key.to_vec(),
            values: vals(None),
            used: self.clock,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(slot);
                i
            }
            None => {
                self.slots.push(Some(slot));
                self.slots.len() - 1
            }
        };
        let k = self.index_key(key);
        self.index.insert(k, i);
        Ok(())
    }

    /// The key an element is known by: for an LPM trie the prefix length and the prefix bits
    /// only (a key differing past its prefix names the same element), else the key.
    fn index_key(&self, key: &[u8]) -> Vec<u8> {
        if self.spec.map_type != MapType::LpmTrie || key.len() < 4 {
            return key.to_vec();
        }
        let plen = u32::from_le_bytes([key[0], key[1], key[2], key[3]]) as usize;
        let mut k = key.to_vec();
        for (i, b) in k[4..].iter_mut().enumerate() {
            let keep = plen.saturating_sub(i * 8).min(8);
            *b &= !(0xffu16 >> keep) as u8;
        }
        k
    }

    fn remove_slot(&mut self, i: usize) {
        if let Some(s) = self.slots[i].take() {
            let k = self.index_key(&s.key);
            self.index.remove(&k);
            self.free.push(i);
        }
    }

    /// Deletes an element (`-EINVAL` for arrays, `-ENOENT` if absent).
    pub fn delete(&mut self, key: &[u8]) -> Result<(), MapError> {
        self.check_key(key)?;
        if self.is_array() {
            if self.has_holes() {
                let idx = u32::from_le_bytes(key[..4].try_into().unwrap_or_default()) as usize;
                if idx >= self.slots.len() {
                    return Err(err(E2BIG, "index past max_entries"));
                }
                let size = self.spec.value_size as usize;
                self.slots[idx] = Some(Slot {
                    key: key.to_vec(),
                    values: vec![vec![0; size]],
                    used: 0,
                });
                return Ok(());
            }
            return Err(err(EINVAL, "array elements cannot be deleted"));
        }
        if self.spec.map_type == MapType::LpmTrie {
            let plen = u32::from_le_bytes(key[..4].try_into().unwrap_or_default()) as usize;
            if plen > (key.len() - 4) * 8 {
                return Err(err(EINVAL, format!("prefix length {plen} too long")));
            }
        }
        match self.index.get(&self.index_key(key)).copied() {
            Some(i) => {
                self.remove_slot(i);
                Ok(())
            }
            None => Err(err(ENOENT, "no such key")),
        }
    }

    /// The keys present, in slot order (arrays: every index).
    pub fn keys(&self) -> Vec<Vec<u8>> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let s = s.as_ref()?;
                (!self.has_holes() || !self.holes_empty(i)).then(|| s.key.clone())
            })
            .collect()
    }

    /// The number of elements present.
    pub fn len(&self) -> usize {
        self.keys().len()
    }

    /// Whether no element is present.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The records a ring buffer received (`bpf_ringbuf_output`, submitted reservations).
    pub fn records(&self) -> &[Vec<u8>] {
        &self.records
    }

    pub(crate) fn push_record(&mut self, rec: Vec<u8>) -> bool {
        // Each record takes an 8-byte header and its length rounded up to 8 bytes.
        let size = |n: usize| n.div_ceil(8) * 8 + 8;
        let used: usize = self.records.iter().map(|r| size(r.len())).sum();
        if used + size(rec.len()) > self.spec.max_entries as usize {
            return false;
        }
        self.records.push(rec);
        true
    }

    /// Removes and returns the ring buffer's records.
    pub fn take_records(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.records)
    }
}

struct Probe<'a> {
    map: &'a Map,
}

impl Probe<'_> {
    fn find(&mut self, key: &[u8]) -> Option<usize> {
        let m = self.map;
        if key.len() != m.spec.key_size as usize {
            return None;
        }
        if m.is_array() {
            let idx = u32::from_le_bytes(key.get(..4)?.try_into().ok()?) as usize;
            (idx < m.slots.len() && !(m.has_holes() && m.holes_empty(idx))).then_some(idx)
        } else if m.spec.map_type == MapType::LpmTrie {
            m.lpm_match(key)
        } else {
            m.index.get(key).copied()
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: usize) -> bool {
    let whole = bits / 8;
    if a.len() < whole.div_ceil(8).max(whole) || b.len() < whole {
        return false;
    }
    if a[..whole] != b[..whole] {
        return false;
    }
    let rest = bits % 8;
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn spec(t: MapType, k: u32, v: u32, n: u32) -> MapSpec {
        MapSpec {
            name: Cow::Borrowed("m"),
            map_type: t,
            key_size: k,
            value_size: v,
            max_entries: n,
            flags: 0,
            btf: None,
            inner: None,
        }
    }

    #[test]
    fn array_semantics() {
        let mut m = Map::new(&spec(MapType::Array, 4, 8, 2), 1);
        assert_eq!(m.lookup(&1u32.to_le_bytes()), Some(&[0u8; 8][..]));
        assert_eq!(m.lookup(&2u32.to_le_bytes()), None);
        m.update(&1u32.to_le_bytes(), &[1; 8], BPF_ANY).unwrap();
        assert_eq!(m.lookup(&1u32.to_le_bytes()), Some(&[1u8; 8][..]));
        assert_eq!(
            m.update(&1u32.to_le_bytes(), &[1; 8], BPF_NOEXIST)
                .unwrap_err()
                .errno,
            EEXIST
        );
        assert_eq!(m.delete(&0u32.to_le_bytes()).unwrap_err().errno, EINVAL);
        assert_eq!(
            m.update(&5u32.to_le_bytes(), &[1; 8], 0).unwrap_err().errno,
            E2BIG
        );
    }

    #[test]
    fn hash_semantics() {
        let mut m = Map::new(&spec(MapType::Hash, 2, 1, 2), 1);
        m.update(b"aa", &[1], BPF_NOEXIST).unwrap();
        assert_eq!(
            m.update(b"aa", &[2], BPF_NOEXIST).unwrap_err().errno,
            EEXIST
        );
        assert_eq!(m.update(b"bb", &[2], BPF_EXIST).unwrap_err().errno, ENOENT);
        m.update(b"bb", &[2], BPF_ANY).unwrap();
        assert_eq!(m.update(b"cc", &[3], BPF_ANY).unwrap_err().errno, E2BIG);
        m.delete(b"aa").unwrap();
        assert_eq!(m.delete(b"aa").unwrap_err().errno, ENOENT);
        m.update(b"cc", &[3], BPF_ANY).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.lookup(b"cc"), Some(&[3u8][..]));
    }

    #[test]
    fn lru_evicts_least_recently_used() {
        let mut m = Map::new(&spec(MapType::LruHash, 1, 1, 2), 1);
        m.update(b"a", &[1], 0).unwrap();
        m.update(b"b", &[2], 0).unwrap();
        assert!(m.find(b"a").is_some());
        m.update(b"c", &[3], 0).unwrap();
        assert!(m.lookup(b"b").is_none());
        assert!(m.lookup(b"a").is_some());
    }

    #[test]
    fn percpu_values() {
        let mut m = Map::new(&spec(MapType::PercpuHash, 1, 1, 4), 3);
        m.update_on(b"k", &[5], 0, Some(1)).unwrap();
        assert_eq!(m.lookup_percpu(b"k").unwrap(), vec![&[0u8][..], &[5], &[0]]);
        m.update(b"k", &[7], 0).unwrap();
        assert_eq!(m.lookup_on(b"k", 2), Some(&[7u8][..]));
    }

    #[test]
    fn lpm_longest_prefix() {
        let mut m = Map::new(&spec(MapType::LpmTrie, 8, 1, 8), 1);
        let key = |plen: u32, ip: [u8; 4]| {
            let mut k = plen.to_le_bytes().to_vec();
            k.extend(ip);
            k
        };
        m.update(&key(8, [10, 0, 0, 0]), &[1], 0).unwrap();
        m.update(&key(24, [10, 1, 2, 0]), &[2], 0).unwrap();
        assert_eq!(m.lookup(&key(32, [10, 1, 2, 3])), Some(&[2u8][..]));
        assert_eq!(m.lookup(&key(32, [10, 9, 2, 3])), Some(&[1u8][..]));
        assert_eq!(m.lookup(&key(32, [11, 1, 2, 3])), None);
        assert_eq!(
            m.update(&key(33, [0; 4]), &[1], 0).unwrap_err().errno,
            EINVAL
        );
        // Bits past the prefix do not make another element.
        m.update(&key(8, [10, 7, 7, 7]), &[3], 0).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m.lookup(&key(32, [10, 9, 2, 3])), Some(&[3u8][..]));
        m.delete(&key(8, [10, 1, 1, 1])).unwrap();
        assert_eq!(m.len(), 1);
    }

    #[test]
    fn redirect_maps_have_holes_and_ringbuf_capacity() {
        let mut m = Map::new(&spec(MapType::Xskmap, 4, 4, 4), 1);
        assert!(m.lookup(&0u32.to_le_bytes()).is_none());
        m.update(&0u32.to_le_bytes(), &9u32.to_le_bytes(), 0)
            .unwrap();
        assert!(m.lookup(&0u32.to_le_bytes()).is_some());
        let mut rb = Map::new(&spec(MapType::Ringbuf, 0, 0, 32), 1);
        assert!(rb.push_record(vec![1; 5])); // 8 + 8
        assert!(!rb.push_record(vec![1; 9])); // 16 + 8 more than the 16 left
        assert!(rb.push_record(vec![1; 8]));
        assert_eq!(rb.records().len(), 2);
    }
}
