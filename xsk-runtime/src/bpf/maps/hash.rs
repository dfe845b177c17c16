//! [`HashMap`]: a `BPF_MAP_TYPE_HASH` (or `LRU_HASH`) from a [`Pod`] key to a [`Pod`] value.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::os::fd::{AsFd, BorrowedFd};

use ebpf_dsl::{MapSpec, MapType};

use super::{size_u32, Map, UpdateFlags};
use crate::error::{Error, Result};
use crate::pod::{bytes_of, from_bytes, Pod};

/// A `BPF_MAP_TYPE_HASH` or `LRU_HASH` from `K` to `V`.
#[derive(Debug)]
pub struct HashMap<K: Pod, V: Pod> {
    map: Map,
    _kv: PhantomData<(K, V)>,
}
typed_common!(HashMap<K, V>, _kv);

impl<K: Pod, V: Pod> TryFrom<Map> for HashMap<K, V> {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(
            &[MapType::Hash, MapType::LruHash],
            core::mem::size_of::<K>(),
            core::mem::size_of::<V>(),
        )?;
        Ok(HashMap {
            map,
            _kv: PhantomData,
        })
    }
}

impl<K: Pod, V: Pod> HashMap<K, V> {
    /// Creates a hash map named `name` with room for `max_entries` elements.
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&MapSpec {
            name: Cow::Owned(name.into()),
            map_type: MapType::Hash,
            key_size: size_u32::<K>()?,
            value_size: size_u32::<V>()?,
            max_entries,
            flags: 0,
            btf: None,
            inner: None,
        })?
        .try_into()
    }

    /// The value of `key`, or `None`.
    pub fn get(&self, key: &K) -> Result<Option<V>> {
        Ok(self
            .map
            .lookup(bytes_of(key))?
            .as_deref()
            .and_then(from_bytes))
    }

    /// Inserts or replaces, as `flags` says.
    pub fn insert(&self, key: &K, value: &V, flags: UpdateFlags) -> Result<()> {
        self.map.update(bytes_of(key), bytes_of(value), flags)
    }

    /// Removes `key`; `Ok(false)` if it was not there.
    pub fn remove(&self, key: &K) -> Result<bool> {
        self.map.delete(bytes_of(key))
    }

    /// The keys (see [`Map::keys`]).
    pub fn keys(&self) -> impl Iterator<Item = Result<K>> + '_ {
        self.map.keys().map(|k| {
            k.and_then(|k| {
                from_bytes(&k).ok_or_else(|| Error::invalid("kernel returned a short key"))
            })
        })
    }

    /// All entries with one `BPF_MAP_LOOKUP_BATCH` per `chunk` elements (kernel 5.6).
    pub fn entries_batch(&self, chunk: u32) -> Result<Vec<(K, V)>> {
        self.map
            .lookup_batch(chunk, false)?
            .into_iter()
            .map(|(k, v)| {
                Ok((
                    from_bytes(&k).ok_or_else(|| Error::invalid("short key"))?,
                    from_bytes(&v).ok_or_else(|| Error::invalid("short value"))?,
                ))
            })
            .collect()
    }

    /// Inserts many elements with `BPF_MAP_UPDATE_BATCH` (kernel 5.6).
    pub fn insert_batch(&self, entries: &[(K, V)], flags: UpdateFlags) -> Result<u32> {
        let mut ks = Vec::with_capacity(entries.len() * core::mem::size_of::<K>());
        let mut vs = Vec::with_capacity(entries.len() * core::mem::size_of::<V>());
        for (k, v) in entries {
            ks.extend_from_slice(bytes_of(k));
            vs.extend_from_slice(bytes_of(v));
        }
        self.map.update_batch(&ks, &vs, flags)
    }

    /// Removes many keys with `BPF_MAP_DELETE_BATCH` (kernel 5.6).
    pub fn remove_batch(&self, keys: &[K]) -> Result<u32> {
        self.map.delete_batch(crate::pod::slice_bytes(keys))
    }
}
