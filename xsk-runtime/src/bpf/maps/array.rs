//! [`Array`]: a `BPF_MAP_TYPE_ARRAY` of a [`Pod`] value type.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::os::fd::{AsFd, BorrowedFd};

use ebpf_dsl::{MapSpec, MapType};

use super::{size_u32, Map, UpdateFlags};
use crate::error::{Error, Result};
use crate::pod::{bytes_of, from_bytes, Pod};

/// A `BPF_MAP_TYPE_ARRAY` (or `PERCPU_ARRAY` is not accepted: use [`Map`]) of `V`, indexed by
/// `u32` from 0 to `max_entries - 1`. Every element exists (zeroed at creation) and cannot be
/// deleted.
#[derive(Debug)]
pub struct Array<V: Pod> {
    map: Map,
    _v: PhantomData<V>,
}
typed_common!(Array<V>, _v);

impl<V: Pod> TryFrom<Map> for Array<V> {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::Array], 4, core::mem::size_of::<V>())?;
        Ok(Array {
            map,
            _v: PhantomData,
        })
    }
}

impl<V: Pod> Array<V> {
    /// Creates an array map named `name` with `len` elements.
    pub fn create(name: &str, len: u32) -> Result<Self> {
        Map::create(&MapSpec {
            name: Cow::Owned(name.into()),
            map_type: MapType::Array,
            key_size: 4,
            value_size: size_u32::<V>()?,
            max_entries: len,
            flags: 0,
            btf: None,
            inner: None,
        })?
        .try_into()
    }

    /// Number of elements.
    pub fn len(&self) -> u32 {
        self.map.max_entries()
    }

    /// True if the array has no elements (never, for a created array).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Element `index`.
    pub fn get(&self, index: u32) -> Result<V> {
        self.check_index(index)?;
        let v = self.map.lookup(&index.to_ne_bytes())?;
        v.as_deref()
            .and_then(from_bytes)
            .ok_or_else(|| self.map.err("BPF_MAP_LOOKUP_ELEM", libc::ENOENT))
    }

    /// Sets element `index`.
    pub fn set(&self, index: u32, value: &V) -> Result<()> {
        self.check_index(index)?;
        self.map
            .update(&index.to_ne_bytes(), bytes_of(value), UpdateFlags::Any)
    }

    fn check_index(&self, index: u32) -> Result<()> {
        if index >= self.len() {
            return Err(Error::invalid(format!(
                "index {index} is outside array `{}` of {} elements",
                self.map.name(),
                self.len()
            )));
        }
        Ok(())
    }
}
