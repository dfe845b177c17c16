//! Per-CPU maps, typed: [`PerCpuArray<V>`] (`BPF_MAP_TYPE_PERCPU_ARRAY`) and
//! [`PerCpuHashMap<K, V>`] (`PERCPU_HASH` and `LRU_PERCPU_HASH`).
//!
//! A per-CPU map keeps one value per *possible* CPU (`/sys/devices/system/cpu/possible`, not
//! only the online ones). User space reads and writes all of them at once: the kernel copies
//! one slot per possible CPU, each slot `round_up(value_size, 8)` bytes long, so a `u32` value
//! takes 8 bytes per CPU and a `[u8; 12]` 16. These types hide that layout: a read is a
//! [`PerCpuValues<V>`] (one `V` per CPU, in CPU order) that can be [summed](PerCpuValues::sum)
//! or [folded](PerCpuValues::fold); a write takes one `V` per CPU or one `V` for all.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::Deref;
use std::os::fd::{AsFd, BorrowedFd};

use ebpf_dsl::{MapSpec, MapType};

use super::{FromMap, Map, UpdateFlags};
use crate::error::{Error, Result};
use crate::pod::{bytes_of, from_bytes, Pod};

/// Bytes of one CPU's slot of a per-CPU value of `V`: `size_of::<V>()` rounded up to 8, as
/// the kernel lays out the values it copies to and from user space.
pub const fn slot_size<V>() -> usize {
    core::mem::size_of::<V>().div_ceil(8) * 8
}

/// One value per possible CPU, in CPU order (index `i` is CPU `i`): what a per-CPU map holds
/// for one key. Dereferences to the slice of values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerCpuValues<V> {
    values: Vec<V>,
}

impl<V: Pod> PerCpuValues<V> {
    /// Decodes the kernel's per-CPU layout (one 8-byte-aligned slot per CPU).
    fn decode(bytes: &[u8]) -> Option<Self> {
        let stride = slot_size::<V>();
        if stride == 0 || !bytes.len().is_multiple_of(stride) {
            return None;
        }
        let size = core::mem::size_of::<V>();
        let values = bytes
            .chunks_exact(stride)
            .map(|slot| from_bytes::<V>(&slot[..size]))
            .collect::<Option<Vec<V>>>()?;
        Some(PerCpuValues { values })
    }

    /// Encodes `values` in the kernel's per-CPU layout (padding bytes zero).
    fn encode(values: &[V]) -> Vec<u8> {
        let stride = slot_size::<V>();
        let mut out = vec![0u8; stride * values.len()];
        for (slot, v) in out.chunks_exact_mut(stride).zip(values) {
            slot[..core::mem::size_of::<V>()].copy_from_slice(bytes_of(v));
        }
        out
    }
}

impl<V> PerCpuValues<V> {
    /// The values, one per possible CPU.
    pub fn into_vec(self) -> Vec<V> {
        self.values
    }

    /// Folds the CPUs' values into one, in CPU order (e.g. a field-wise sum of a struct).
    pub fn fold<A>(&self, init: A, f: impl FnMut(A, &V) -> A) -> A {
        self.values.iter().fold(init, f)
    }

    /// The sum over all CPUs (for numeric `V`; use [`Self::fold`] for others). Wraps on
    /// overflow like the kernel's counters do.
    pub fn sum(&self) -> V
    where
        V: Copy + Default + WrappingAdd,
    {
        self.values
            .iter()
            .fold(V::default(), |a, v| a.wrapping_add_(*v))
    }
}

impl<V> Deref for PerCpuValues<V> {
    type Target = [V];
    fn deref(&self) -> &[V] {
        &self.values
    }
}

/// Integer addition that wraps, for [`PerCpuValues::sum`].
pub trait WrappingAdd {
    /// `self + other`, wrapping at the type's bounds.
    fn wrapping_add_(self, other: Self) -> Self;
}

macro_rules! wrapping_add {
    ($($t:ty),*) => { $(
        impl WrappingAdd for $t {
            fn wrapping_add_(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
        }
    )* };
}
wrapping_add!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

/// Checks that `map` has one of `types`, `key` and `value` sizes; the number of CPUs its
/// values hold.
fn expect(map: &Map, types: &[MapType], key: usize, value: usize) -> Result<usize> {
    let mismatch = |reason: String| Error::MapMismatch {
        map: map.name().to_owned(),
        reason,
    };
    match map.map_type() {
        Some(t) if types.contains(&t) => {}
        t => {
            return Err(mismatch(format!(
                "is a {} map, expected {}",
                t.map_or_else(|| "unknown".to_owned(), |t| t.to_string()),
                types
                    .iter()
                    .map(|t| t.name())
                    .collect::<Vec<_>>()
                    .join(" or ")
            )))
        }
    }
    if map.key_size() as usize != key {
        return Err(mismatch(format!(
            "key size is {} bytes, the Rust key type has {key}",
            map.key_size()
        )));
    }
    if map.value_size() as usize != value {
        return Err(mismatch(format!(
            "value size is {} bytes, the Rust value type has {value}",
            map.value_size()
        )));
    }
    Ok(cpus_of(map))
}

/// How many CPUs a per-CPU map's values hold (from its user-space value length).
fn cpus_of(map: &Map) -> usize {
    let stride = (map.value_size() as usize).div_ceil(8) * 8;
    map.value_bytes().checked_div(stride).unwrap_or(0)
}

fn values_for<V: Pod>(map: &Map, cpus: usize, values: &[V]) -> Result<Vec<u8>> {
    if values.len() != cpus {
        return Err(Error::invalid(format!(
            "per-CPU map `{}` holds one value per possible CPU ({cpus}); {} values were given",
            map.name(),
            values.len()
        )));
    }
    Ok(PerCpuValues::encode(values))
}

fn decode<V: Pod>(map: &Map, bytes: Vec<u8>) -> Result<PerCpuValues<V>> {
    PerCpuValues::decode(&bytes).ok_or_else(|| Error::MapMismatch {
        map: map.name().to_owned(),
        reason: format!(
            "a per-CPU value of {} bytes does not split into {}-byte slots",
            bytes.len(),
            slot_size::<V>()
        ),
    })
}

/// A `BPF_MAP_TYPE_PERCPU_ARRAY` (kernel 4.6) of `V`: `max_entries` elements indexed by `u32`,
/// each one `V` per possible CPU.
#[derive(Debug)]
pub struct PerCpuArray<V: Pod> {
    map: Map,
    cpus: usize,
    _v: PhantomData<V>,
}

impl<V: Pod> PerCpuArray<V> {
    /// Creates a per-CPU array named `name` with `len` elements (all zero).
    pub fn create(name: &str, len: u32) -> Result<Self> {
        let value_size = u32::try_from(core::mem::size_of::<V>())
            .map_err(|_| Error::invalid("the value type is too large for a map"))?;
        Map::create(&MapSpec {
            name: Cow::Owned(name.into()),
            map_type: MapType::PercpuArray,
            key_size: 4,
            value_size,
            max_entries: len,
            flags: 0,
            btf: None,
            inner: None,
        })?
        .try_into()
    }

    /// Wraps a map known to be a per-CPU array of `V` (a `defmap!` item's map).
    pub(crate) fn from_map_unchecked(map: Map) -> Self {
        let cpus = cpus_of(&map);
        PerCpuArray {
            map,
            cpus,
            _v: PhantomData,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> u32 {
        self.map.max_entries()
    }

    /// True if the array has no elements (never, for a created array).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of possible CPUs: how many values each element holds.
    pub fn cpus(&self) -> usize {
        self.cpus
    }

    /// Element `index`: one value per possible CPU.
    pub fn get(&self, index: u32) -> Result<PerCpuValues<V>> {
        self.check_index(index)?;
        let bytes = self.map.lookup(&index.to_ne_bytes())?.ok_or_else(|| {
            Error::invalid(format!("no element {index} in `{}`", self.map.name()))
        })?;
        decode(&self.map, bytes)
    }

    /// Element `index` summed over the CPUs (see [`PerCpuValues::sum`]).
    pub fn sum(&self, index: u32) -> Result<V>
    where
        V: Default + WrappingAdd,
    {
        Ok(self.get(index)?.sum())
    }

    /// Sets element `index`: `values[i]` on CPU `i`; exactly [`Self::cpus`] values.
    pub fn set(&self, index: u32, values: &[V]) -> Result<()> {
        self.check_index(index)?;
        let bytes = values_for(&self.map, self.cpus, values)?;
        self.map
            .update(&index.to_ne_bytes(), &bytes, UpdateFlags::Any)
    }

    /// Sets element `index` to `value` on every CPU (e.g. zero to reset a counter).
    pub fn set_all(&self, index: u32, value: &V) -> Result<()> {
        self.set(index, &vec![*value; self.cpus])
    }

    /// The untyped map.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Unwraps the untyped map.
    pub fn into_map(self) -> Map {
        self.map
    }

    fn check_index(&self, index: u32) -> Result<()> {
        if index >= self.len() {
            return Err(Error::invalid(format!(
                "index {index} is outside per-CPU array `{}` of {} elements",
                self.map.name(),
                self.len()
            )));
        }
        Ok(())
    }
}

impl<V: Pod> TryFrom<Map> for PerCpuArray<V> {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let cpus = expect(&map, &[MapType::PercpuArray], 4, core::mem::size_of::<V>())?;
        Ok(PerCpuArray {
            map,
            cpus,
            _v: PhantomData,
        })
    }
}

/// A `BPF_MAP_TYPE_PERCPU_HASH` (kernel 4.6) or `LRU_PERCPU_HASH` (4.10) from `K` to one `V`
/// per possible CPU.
#[derive(Debug)]
pub struct PerCpuHashMap<K: Pod, V: Pod> {
    map: Map,
    cpus: usize,
    _kv: PhantomData<(K, V)>,
}

impl<K: Pod, V: Pod> PerCpuHashMap<K, V> {
    /// Creates a per-CPU hash map named `name` with room for `max_entries` keys.
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        let size = |n: usize| {
            u32::try_from(n).map_err(|_| Error::invalid("a key or value type is too large"))
        };
        Map::create(&MapSpec {
            name: Cow::Owned(name.into()),
            map_type: MapType::PercpuHash,
            key_size: size(core::mem::size_of::<K>())?,
            value_size: size(core::mem::size_of::<V>())?,
            max_entries,
            flags: 0,
            btf: None,
            inner: None,
        })?
        .try_into()
    }

    /// Wraps a map known to be a per-CPU hash of `K` to `V` (a `defmap!` item's map).
    pub(crate) fn from_map_unchecked(map: Map) -> Self {
        let cpus = cpus_of(&map);
        PerCpuHashMap {
            map,
            cpus,
            _kv: PhantomData,
        }
    }

    /// The number of possible CPUs: how many values each key holds.
    pub fn cpus(&self) -> usize {
        self.cpus
    }

    /// The values of `key`, one per possible CPU, or `None` if the key is absent.
    pub fn get(&self, key: &K) -> Result<Option<PerCpuValues<V>>> {
        match self.map.lookup(bytes_of(key))? {
            Some(bytes) => decode(&self.map, bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Sets `key`: `values[i]` on CPU `i`; exactly [`Self::cpus`] values.
    pub fn insert(&self, key: &K, values: &[V], flags: UpdateFlags) -> Result<()> {
        let bytes = values_for(&self.map, self.cpus, values)?;
        self.map.update(bytes_of(key), &bytes, flags)
    }

    /// Sets `key` to `value` on every CPU.
    pub fn insert_all(&self, key: &K, value: &V, flags: UpdateFlags) -> Result<()> {
        self.insert(key, &vec![*value; self.cpus], flags)
    }

    /// Removes `key`; false if it was absent.
    pub fn remove(&self, key: &K) -> Result<bool> {
        self.map.delete(bytes_of(key))
    }

    /// The keys (see [`Map::keys`] for what concurrent changes do).
    pub fn keys(&self) -> impl Iterator<Item = Result<K>> + '_ {
        self.map.keys().map(|k| {
            k.and_then(|k| {
                from_bytes(&k).ok_or_else(|| Error::invalid("a key of the wrong size came back"))
            })
        })
    }

    /// Every key with its per-CPU values (keys removed meanwhile are skipped).
    pub fn entries(&self) -> Result<Vec<(K, PerCpuValues<V>)>> {
        let mut out = Vec::new();
        for k in self.keys() {
            let k = k?;
            if let Some(v) = self.get(&k)? {
                out.push((k, v));
            }
        }
        Ok(out)
    }

    /// The untyped map.
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// Unwraps the untyped map.
    pub fn into_map(self) -> Map {
        self.map
    }
}

impl<K: Pod, V: Pod> TryFrom<Map> for PerCpuHashMap<K, V> {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let cpus = expect(
            &map,
            &[MapType::PercpuHash, MapType::LruPercpuHash],
            core::mem::size_of::<K>(),
            core::mem::size_of::<V>(),
        )?;
        Ok(PerCpuHashMap {
            map,
            cpus,
            _kv: PhantomData,
        })
    }
}

impl<V: Pod> AsFd for PerCpuArray<V> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.map.fd()
    }
}

impl<K: Pod, V: Pod> AsFd for PerCpuHashMap<K, V> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.map.fd()
    }
}

impl<V: Pod> FromMap for PerCpuArray<V> {
    fn from_map(map: Map) -> Result<Self> {
        Self::try_from(map)
    }
}

impl<K: Pod, V: Pod> FromMap for PerCpuHashMap<K, V> {
    fn from_map(map: Map) -> Result<Self> {
        Self::try_from(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_rounded_to_8_bytes() {
        assert_eq!(slot_size::<u32>(), 8);
        assert_eq!(slot_size::<u64>(), 8);
        assert_eq!(slot_size::<[u8; 12]>(), 16);
        assert_eq!(slot_size::<[u64; 4]>(), 32);
    }

    #[test]
    fn decode_skips_the_padding_and_sums() {
        // Three CPUs of u32, each in an 8-byte slot whose padding is garbage.
        let mut bytes = Vec::new();
        for v in [1u32, 2, u32::MAX] {
            bytes.extend_from_slice(&v.to_ne_bytes());
            bytes.extend_from_slice(&[0xAA; 4]);
        }
        let v = PerCpuValues::<u32>::decode(&bytes).unwrap();
        assert_eq!(&*v, &[1, 2, u32::MAX]);
        assert_eq!(v.sum(), 2, "wraps like the kernel's counters");
        assert_eq!(
            v.fold(0u64, |a, x| a + u64::from(*x)),
            u64::from(u32::MAX) + 3
        );
        assert!(PerCpuValues::<u32>::decode(&bytes[..20]).is_none());
        let enc = PerCpuValues::encode(&[1u32, 2, u32::MAX]);
        assert_eq!(enc.len(), 24);
        assert_eq!(&enc[4..8], &[0; 4]);
        assert_eq!(PerCpuValues::<u32>::decode(&enc).unwrap(), v);
    }
}
