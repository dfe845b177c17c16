//! Maps of maps: [`ArrayOfMaps`] (`BPF_MAP_TYPE_ARRAY_OF_MAPS`) and [`HashOfMaps`]
//! (`BPF_MAP_TYPE_HASH_OF_MAPS`), kernel 4.12.
//!
//! Their values are maps: user space puts a map in by its fd, and reads back the inner map's
//! kernel id; a program's `bpf_map_lookup_elem` on the outer map gives the inner map (or NULL),
//! which it passes to the map helpers. Every inner map must have the shape given at creation
//! ([`MapSpec::inner`]): the kernel compares type, key and value sizes, flags and (without
//! `BPF_F_INNER_MAP`) `max_entries`, and refuses another shape with EINVAL.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::{MapSpec, MapType};

use super::{size_u32, Map, UpdateFlags};
use crate::error::{Error, Result};
use crate::pod::{bytes_of, from_bytes, Pod};

/// The template map of a map of maps called `outer` (named `outer` too: only its shape and
/// the special fields of its value's BTF count), with the key/value types `types` when given.
pub(super) fn create_template(
    outer: &str,
    inner: &InnerMap,
    types: Option<(&ebpf_dsl::btf::Btf, u32, u32)>,
) -> Result<Map> {
    inner.check().map_err(Error::invalid)?;
    Map::create_typed(&inner.spec(outer.to_string()), types, None)
}

fn of_maps_spec(
    name: &str,
    t: MapType,
    key_size: u32,
    max_entries: u32,
    inner: InnerMap,
) -> MapSpec {
    MapSpec {
        name: Cow::Owned(name.into()),
        map_type: t,
        key_size,
        value_size: 4,
        max_entries,
        flags: 0,
        btf: None,
        inner: Some(inner),
    }
}

/// The 4-byte value that puts `map` in a map of maps: its fd.
fn fd_value(map: &Map) -> [u8; 4] {
    (map.fd().as_raw_fd() as u32).to_ne_bytes()
}

/// A `BPF_MAP_TYPE_ARRAY_OF_MAPS` (kernel 4.12): maps by index (`u32`).
#[derive(Debug)]
pub struct ArrayOfMaps {
    map: Map,
}
typed_common!(ArrayOfMaps);

impl TryFrom<Map> for ArrayOfMaps {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::ArrayOfMaps], 4, 4)?;
        Ok(ArrayOfMaps { map })
    }
}

impl ArrayOfMaps {
    /// Creates an ARRAY_OF_MAPS of `max_entries` slots holding maps of the shape `inner`.
    pub fn create(name: &str, max_entries: u32, inner: InnerMap) -> Result<Self> {
        Map::create(&of_maps_spec(
            name,
            MapType::ArrayOfMaps,
            4,
            max_entries,
            inner,
        ))?
        .try_into()
    }

    /// Puts `inner` at `index` (its fd; the kernel keeps a reference to the map).
    pub fn set(&self, index: u32, inner: &Map) -> Result<()> {
        self.map
            .update(&index.to_ne_bytes(), &fd_value(inner), UpdateFlags::Any)
    }

    /// The kernel id of the map at `index`, or `None` if the slot is empty.
    pub fn get_id(&self, index: u32) -> Result<Option<u32>> {
        self.map.slot_u32(index)
    }

    /// The map at `index`, opened by its id (`BPF_MAP_GET_FD_BY_ID`, CAP_SYS_ADMIN), or `None`.
    pub fn get(&self, index: u32) -> Result<Option<Map>> {
        self.get_id(index)?.map(Map::from_id).transpose()
    }

    /// Empties slot `index`; false if it was empty.
    pub fn remove(&self, index: u32) -> Result<bool> {
        self.map.clear_slot(index)
    }
}

/// A `BPF_MAP_TYPE_HASH_OF_MAPS` (kernel 4.12): maps by a key of type `K`.
#[derive(Debug)]
pub struct HashOfMaps<K> {
    map: Map,
    _k: PhantomData<K>,
}
typed_common!(HashOfMaps<K>, _k);

impl<K: Pod> TryFrom<Map> for HashOfMaps<K> {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::HashOfMaps], core::mem::size_of::<K>(), 4)?;
        Ok(HashOfMaps {
            map,
            _k: PhantomData,
        })
    }
}

impl<K: Pod> HashOfMaps<K> {
    /// Creates a HASH_OF_MAPS of up to `max_entries` maps of the shape `inner`.
    pub fn create(name: &str, max_entries: u32, inner: InnerMap) -> Result<Self> {
        Map::create(&of_maps_spec(
            name,
            MapType::HashOfMaps,
            size_u32::<K>()?,
            max_entries,
            inner,
        ))?
        .try_into()
    }

    /// Puts `inner` under `key` (create or replace).
    pub fn insert(&self, key: &K, inner: &Map) -> Result<()> {
        self.map
            .update(bytes_of(key), &fd_value(inner), UpdateFlags::Any)
    }

    /// The kernel id of the map under `key`, or `None`.
    pub fn get_id(&self, key: &K) -> Result<Option<u32>> {
        Ok(self
            .map
            .lookup(bytes_of(key))?
            .and_then(|v| v.get(..4).and_then(from_bytes::<u32>)))
    }

    /// The map under `key`, opened by its id (`BPF_MAP_GET_FD_BY_ID`, CAP_SYS_ADMIN), or
    /// `None`.
    pub fn get(&self, key: &K) -> Result<Option<Map>> {
        self.get_id(key)?.map(Map::from_id).transpose()
    }

    /// Removes the map under `key`; false if there was none.
    pub fn remove(&self, key: &K) -> Result<bool> {
        self.map.delete(bytes_of(key))
    }
}
