//! eBPF maps: create any [`MapSpec`], read and write elements, iterate, batch, and typed
//! wrappers that check sizes once, when they are made.
//!
//! - [`Map`]: an untyped map (bytes in, bytes out), created from a [`MapSpec`]
//!   (`BPF_MAP_CREATE`), opened from a pin ([`Map::from_pinned`]) or from an fd.
//! - Typed views: [`Array`], [`HashMap`], [`XskMap`], [`DevMap`], [`CpuMap`], [`ProgArray`].
//!   Each checks the map type and the key and value sizes against its Rust types when it is
//!   built (`TryFrom<Map>`), and the element operations cannot then be given a wrong size.
//!
//! Keys and values of typed maps are [`crate::pod::Pod`] types (integers, arrays of them,
//! or your own `#[repr(C)]` structs with an `unsafe impl Pod`).

use std::borrow::Cow;
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use ebpf_dsl::{MapSpec, MapType};

use crate::error::{generic_hint, Error, Result, HINT_XSKMAP_UNBOUND};
use crate::pod::{bytes_of, from_bytes, Pod};
use crate::sys::bpf::{self as sysbpf, MapFd};

/// How an update treats an existing element (`flags` of `BPF_MAP_UPDATE_ELEM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UpdateFlags {
    /// `BPF_ANY`: create or replace.
    #[default]
    Any,
    /// `BPF_NOEXIST`: create only; EEXIST if the key is there (not for arrays: EEXIST always).
    NoExist,
    /// `BPF_EXIST`: replace only; ENOENT if the key is missing.
    Exist,
}

impl UpdateFlags {
    /// The kernel's value.
    pub const fn bits(self) -> u64 {
        match self {
            UpdateFlags::Any => sysbpf::BPF_ANY,
            UpdateFlags::NoExist => sysbpf::BPF_NOEXIST,
            UpdateFlags::Exist => sysbpf::BPF_EXIST,
        }
    }
}

/// An eBPF map, untyped: keys and values are byte slices of the map's sizes.
#[derive(Debug)]
pub struct Map {
    fd: MapFd,
    name: String,
}

fn create_hint(spec: &MapSpec, errno: i32) -> Option<Cow<'static, str>> {
    match errno {
        libc::EINVAL => Some(Cow::Owned(format!(
            "the kernel refused the shape of this {} map (key {} B, value {} B, max_entries {}, flags {:#x}); \
             check the sizes this map type requires (xskmap/devmap/cpumap/prog_array: 4-byte keys; \
             array: 4-byte keys; max_entries > 0) and the flags it accepts",
            spec.map_type, spec.key_size, spec.value_size, spec.max_entries, spec.flags
        ))),
        libc::E2BIG => Some(Cow::Borrowed(
            "a size is too large for this map type (e.g. key_size of a hash map above 512 B)",
        )),
        _ => generic_hint("BPF_MAP_CREATE", errno).map(Cow::Borrowed),
    }
}

impl Map {
    /// `BPF_MAP_CREATE` (kernel 3.19; names 4.15).
    pub fn create(spec: &MapSpec) -> Result<Map> {
        let name = spec.name_str();
        if name.len() > ebpf_dsl::spec::BPF_OBJ_NAME_MAX {
            return Err(Error::invalid(format!(
                "map name `{name}` is longer than 15 characters (BPF_OBJ_NAME_LEN)"
            )));
        }
        let attr = sysbpf::MapCreateAttr {
            map_type: spec.map_type.as_u32(),
            key_size: spec.key_size,
            value_size: spec.value_size,
            max_entries: spec.max_entries,
            map_flags: spec.flags,
            map_name: sysbpf::obj_name(name),
            ..Default::default()
        };
        let fd = crate::btf_load::map_create(spec, &attr).map_err(|errno| Error::MapOp {
            map: name.to_owned(),
            op: "BPF_MAP_CREATE",
            errno,
            hint: create_hint(spec, errno),
        })?;
        Map::from_fd(fd)
    }

    /// Wraps an open map fd (asks the kernel for its type, sizes and name).
    pub fn from_fd(fd: OwnedFd) -> Result<Map> {
        let fd = MapFd::new(fd)?;
        let name = sysbpf::name_str(&fd.info().name);
        Ok(Map { fd, name })
    }

    /// Opens a map by its kernel id (`BPF_MAP_GET_FD_BY_ID`, needs CAP_SYS_ADMIN).
    pub fn from_id(id: u32) -> Result<Map> {
        let fd = sysbpf::get_fd_by_id(sysbpf::cmd::BPF_MAP_GET_FD_BY_ID, id)
            .map_err(|e| Error::io("BPF_MAP_GET_FD_BY_ID", e))?;
        Map::from_fd(fd)
    }

    /// The name the kernel shows.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The map type, if this crate knows it.
    pub fn map_type(&self) -> Option<MapType> {
        MapType::from_u32(self.fd.info().map_type)
    }

    /// Key size in bytes.
    pub fn key_size(&self) -> u32 {
        self.fd.info().key_size
    }

    /// Value size in bytes, as created (per-CPU maps: of one CPU's value).
    pub fn value_size(&self) -> u32 {
        self.fd.info().value_size
    }

    /// Bytes of a value as seen from user space: [`Map::value_size`], or for per-CPU maps one
    /// 8-byte-aligned slot per possible CPU.
    pub fn value_bytes(&self) -> usize {
        self.fd.value_bytes()
    }

    /// `max_entries`.
    pub fn max_entries(&self) -> u32 {
        self.fd.info().max_entries
    }

    /// `map_flags`.
    pub fn flags(&self) -> u32 {
        self.fd.info().map_flags
    }

    /// The kernel's id for this map (as `bpftool map` lists it).
    pub fn id(&self) -> u32 {
        self.fd.info().id
    }

    /// The map's fd.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.fd()
    }

    /// The raw fd number (what an `ld_imm64` pseudo map fd holds).
    pub fn raw_fd(&self) -> i32 {
        self.fd.fd().as_raw_fd()
    }

    /// A second handle to the same kernel map (the fd is duplicated).
    pub fn try_clone(&self) -> Result<Map> {
        Map::from_fd(crate::sys::dup(self.fd())?)
    }

    fn err(&self, op: &'static str, errno: i32) -> Error {
        let hint: Option<Cow<'static, str>> = match (self.map_type(), op, errno) {
            (Some(MapType::Xskmap), "BPF_MAP_LOOKUP_ELEM", libc::EOPNOTSUPP) => Some(
                "the kernel does not let user space read an XSKMAP (its values are sockets); \
                 keep your own record of which queue holds which socket"
                    .into(),
            ),
            (Some(MapType::Xskmap), "BPF_MAP_UPDATE_ELEM", libc::EINVAL) => {
                Some(HINT_XSKMAP_UNBOUND.into())
            }
            (Some(MapType::Xskmap), "BPF_MAP_UPDATE_ELEM", libc::ENOTSOCK) => Some(
                "the value of an XSKMAP must be the fd of an AF_XDP (PF_XDP) socket; this fd is \
                 not a socket"
                    .into(),
            ),
            (Some(MapType::Xskmap), "BPF_MAP_UPDATE_ELEM", libc::EOPNOTSUPP) => Some(
                "the value of an XSKMAP must be the fd of an AF_XDP (PF_XDP) socket: this is a \
                 socket of another family, or (kernels before 5.10) an AF_XDP socket without \
                 its RX ring and UMEM yet: bind it (XskSocket::bind) before adding it"
                    .into(),
            ),
            (Some(MapType::ProgArray), "BPF_MAP_UPDATE_ELEM", libc::EINVAL) => Some(
                "a PROG_ARRAY value must be the fd of a program of the same type as the caller \
                 (and same JIT/offload properties)"
                    .into(),
            ),
            (_, _, libc::E2BIG) if op == "BPF_MAP_UPDATE_ELEM" => Some(
                "the key is outside the array (index >= max_entries) or the map is full".into(),
            ),
            (_, _, libc::ENOENT) => Some("no element has this key".into()),
            (_, _, libc::EEXIST) => {
                Some("the key exists already (BPF_NOEXIST was asked for)".into())
            }
            (_, _, libc::EINVAL) if op.contains("BATCH") => Some(
                "this map type has no batch operations (kernel 5.6+, hash and array maps)".into(),
            ),
            _ => generic_hint(op, errno).map(Cow::Borrowed),
        };
        Error::MapOp {
            map: self.name.clone(),
            op,
            errno,
            hint,
        }
    }

    fn check_key(&self, key: &[u8]) -> Result<()> {
        if key.len() != self.fd.key_size() {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "key is {} bytes, the map's keys are {} bytes",
                    key.len(),
                    self.fd.key_size()
                ),
            });
        }
        Ok(())
    }

    fn check_value(&self, value: &[u8]) -> Result<()> {
        if value.len() != self.fd.value_bytes() {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "value is {} bytes, the map's values are {} bytes",
                    value.len(),
                    self.fd.value_bytes()
                ),
            });
        }
        Ok(())
    }

    /// `BPF_MAP_LOOKUP_ELEM` into `value`; `Ok(false)` if there is no such key.
    pub fn lookup_into(&self, key: &[u8], value: &mut [u8]) -> Result<bool> {
        self.check_key(key)?;
        self.check_value(value)?;
        match self.fd.lookup(key, value, 0) {
            Ok(()) => Ok(true),
            Err(libc::ENOENT) => Ok(false),
            Err(e) => Err(self.err("BPF_MAP_LOOKUP_ELEM", e)),
        }
    }

    /// `BPF_MAP_LOOKUP_ELEM`: the value of `key`, or `None`.
    pub fn lookup(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        let mut v = vec![0u8; self.fd.value_bytes()];
        Ok(self.lookup_into(key, &mut v)?.then_some(v))
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM` (queue/stack maps 4.20, hash maps 5.14): the value of
    /// `key` (empty for queues and stacks), removed from the map; `None` if absent.
    pub fn lookup_and_delete(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.check_key(key)?;
        let mut v = vec![0u8; self.fd.value_bytes()];
        match self.fd.lookup_and_delete(key, &mut v) {
            Ok(()) => Ok(Some(v)),
            Err(libc::ENOENT) => Ok(None),
            Err(e) => Err(self.err("BPF_MAP_LOOKUP_AND_DELETE_ELEM", e)),
        }
    }

    /// `BPF_MAP_UPDATE_ELEM`.
    pub fn update(&self, key: &[u8], value: &[u8], flags: UpdateFlags) -> Result<()> {
        self.check_key(key)?;
        self.check_value(value)?;
        self.fd
            .update(key, value, flags.bits())
            .map_err(|e| self.err("BPF_MAP_UPDATE_ELEM", e))
    }

    /// `BPF_MAP_DELETE_ELEM`; `Ok(false)` if there was no such key.
    pub fn delete(&self, key: &[u8]) -> Result<bool> {
        self.check_key(key)?;
        match self.fd.delete(key) {
            Ok(()) => Ok(true),
            Err(libc::ENOENT) => Ok(false),
            Err(e) => Err(self.err("BPF_MAP_DELETE_ELEM", e)),
        }
    }

    /// `BPF_MAP_GET_NEXT_KEY`: the key after `key` (the first key for `None`), or `None` at the
    /// end.
    pub fn next_key(&self, key: Option<&[u8]>) -> Result<Option<Vec<u8>>> {
        if let Some(k) = key {
            self.check_key(k)?;
        }
        let mut next = vec![0u8; self.fd.key_size()];
        match self.fd.next_key(key, &mut next) {
            Ok(()) => Ok(Some(next)),
            Err(libc::ENOENT) => Ok(None),
            Err(e) => Err(self.err("BPF_MAP_GET_NEXT_KEY", e)),
        }
    }

    /// Iterates the keys with `BPF_MAP_GET_NEXT_KEY`. Elements deleted or added while iterating
    /// may be seen or missed (the kernel restarts from the first key when the current one
    /// vanishes from a hash map); the iteration ends after at most `max_entries` keys.
    pub fn keys(&self) -> Keys<'_> {
        Keys {
            map: self,
            prev: None,
            done: false,
            count: 0,
        }
    }

    /// `BPF_MAP_FREEZE` (kernel 5.2): no more writes from user space.
    pub fn freeze(&self) -> Result<()> {
        self.fd.freeze().map_err(|e| self.err("BPF_MAP_FREEZE", e))
    }

    /// All entries with `BPF_MAP_LOOKUP_BATCH` (kernel 5.6; hash, LRU and array maps), reading
    /// up to `chunk` elements per system call. With `delete`, uses
    /// `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (hash maps) and empties the map.
    pub fn lookup_batch(&self, chunk: u32, delete: bool) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let chunk = chunk.max(1);
        let ks = self.fd.key_size();
        let vs = self.fd.value_bytes();
        let batch_len = ks.max(4);
        let mut keys = vec![0u8; ks * chunk as usize];
        let mut values = vec![0u8; vs * chunk as usize];
        let mut in_batch: Option<Vec<u8>> = None;
        let mut out_batch = vec![0u8; batch_len];
        let mut out = Vec::new();
        let op = if delete {
            "BPF_MAP_LOOKUP_AND_DELETE_BATCH"
        } else {
            "BPF_MAP_LOOKUP_BATCH"
        };
        let limit = self.max_entries() as usize + chunk as usize;
        loop {
            let (n, r) = self.fd.lookup_batch(
                delete,
                in_batch.as_deref(),
                &mut out_batch,
                &mut keys,
                &mut values,
                chunk,
            );
            let end = match r {
                Ok(()) => false,
                Err(libc::ENOENT) => true,
                Err(e) => return Err(self.err(op, e)),
            };
            for i in 0..n as usize {
                out.push((
                    keys[i * ks..(i + 1) * ks].to_vec(),
                    values[i * vs..(i + 1) * vs].to_vec(),
                ));
            }
            if end || out.len() > limit {
                return Ok(out);
            }
            in_batch = Some(out_batch.clone());
        }
    }

    /// `BPF_MAP_UPDATE_BATCH` (kernel 5.6): `keys` and `values` are the elements' bytes back to
    /// back. Returns how many were written.
    pub fn update_batch(&self, keys: &[u8], values: &[u8], flags: UpdateFlags) -> Result<u32> {
        let ks = self.fd.key_size().max(1);
        if !keys.len().is_multiple_of(ks) {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} key bytes are not a whole number of {ks}-byte keys",
                    keys.len()
                ),
            });
        }
        let n = u32::try_from(keys.len() / ks).map_err(|_| Error::invalid("too many keys"))?;
        if values.len() != n as usize * self.fd.value_bytes() {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} value bytes for {n} keys of a map with {}-byte values",
                    values.len(),
                    self.fd.value_bytes()
                ),
            });
        }
        let (done, r) = self.fd.update_batch(keys, values, n, flags.bits());
        r.map_err(|e| self.err("BPF_MAP_UPDATE_BATCH", e))?;
        Ok(done)
    }

    /// `BPF_MAP_DELETE_BATCH` (kernel 5.6, hash maps). Returns how many were deleted.
    pub fn delete_batch(&self, keys: &[u8]) -> Result<u32> {
        let ks = self.fd.key_size().max(1);
        if !keys.len().is_multiple_of(ks) {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "{} key bytes are not a whole number of {ks}-byte keys",
                    keys.len()
                ),
            });
        }
        let n = u32::try_from(keys.len() / ks).map_err(|_| Error::invalid("too many keys"))?;
        let (done, r) = self.fd.delete_batch(keys, n);
        r.map_err(|e| self.err("BPF_MAP_DELETE_BATCH", e))?;
        Ok(done)
    }

    fn expect(&self, types: &[MapType], key: usize, value: usize) -> Result<()> {
        let t = self.map_type();
        if !t.is_some_and(|t| types.contains(&t)) {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "is a {} map, expected {}",
                    t.map_or_else(
                        || format!("type {}", self.fd.info().map_type),
                        |t| t.to_string()
                    ),
                    types
                        .iter()
                        .map(|t| t.name())
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            });
        }
        if self.fd.key_size() != key {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "key size is {} bytes, the Rust key type has {key}",
                    self.fd.key_size()
                ),
            });
        }
        if self.value_size() as usize != value {
            return Err(Error::MapMismatch {
                map: self.name.clone(),
                reason: format!(
                    "value size is {} bytes, the Rust value type has {value}",
                    self.value_size()
                ),
            });
        }
        Ok(())
    }
}

impl AsFd for Map {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd()
    }
}

/// The iterator of [`Map::keys`].
pub struct Keys<'a> {
    map: &'a Map,
    prev: Option<Vec<u8>>,
    done: bool,
    count: u64,
}

impl Iterator for Keys<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.count > u64::from(self.map.max_entries()) {
            return None;
        }
        match self.map.next_key(self.prev.as_deref()) {
            Ok(Some(k)) => {
                self.count += 1;
                self.prev = Some(k.clone());
                Some(Ok(k))
            }
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

macro_rules! typed_common {
    ($t:ident $(<$($g:ident),*>)?) => {
        impl$(<$($g: Pod),*>)? $t$(<$($g),*>)? {
            /// The untyped map.
            pub fn map(&self) -> &Map {
                &self.map
            }

            /// Unwraps the untyped map.
            pub fn into_map(self) -> Map {
                self.map
            }
        }

        impl$(<$($g: Pod),*>)? AsFd for $t$(<$($g),*>)? {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.map.fd()
            }
        }
    };
}

/// A `BPF_MAP_TYPE_ARRAY` (or `PERCPU_ARRAY` is not accepted: use [`Map`]) of `V`, indexed by
/// `u32` from 0 to `max_entries - 1`. Every element exists (zeroed at creation) and cannot be
/// deleted.
#[derive(Debug)]
pub struct Array<V: Pod> {
    map: Map,
    _v: PhantomData<V>,
}
typed_common!(Array<V>);

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

/// A `BPF_MAP_TYPE_HASH` or `LRU_HASH` from `K` to `V`.
#[derive(Debug)]
pub struct HashMap<K: Pod, V: Pod> {
    map: Map,
    _kv: PhantomData<(K, V)>,
}
typed_common!(HashMap<K, V>);

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

fn size_u32<T>() -> Result<u32> {
    u32::try_from(core::mem::size_of::<T>()).map_err(|_| Error::invalid("type too large for a map"))
}

/// Key/value plumbing of the fd-valued maps ([`XskMap`], [`DevMap`], [`CpuMap`],
/// [`ProgArray`]): all are keyed by a `u32` slot and hold a `u32` (an fd on update, an id,
/// ifindex or queue size on lookup) at the start of the value.
impl Map {
    /// Writes `value` at slot `index` (`BPF_ANY`).
    fn set_slot(&self, index: u32, value: &[u8]) -> Result<()> {
        self.update(&index.to_ne_bytes(), value, UpdateFlags::Any)
    }

    /// Puts the descriptor `fd` at slot `index` (the 4-byte value the kernel resolves).
    fn set_slot_fd(&self, index: u32, fd: BorrowedFd<'_>) -> Result<()> {
        self.set_slot(index, &(fd.as_raw_fd() as u32).to_ne_bytes())
    }

    /// The `u32` at the start of slot `index`'s value, or `None` if the slot is empty.
    fn slot_u32(&self, index: u32) -> Result<Option<u32>> {
        Ok(self
            .lookup(&index.to_ne_bytes())?
            .and_then(|v| v.get(..4).and_then(from_bytes::<u32>)))
    }

    /// Empties slot `index`; false if it was empty.
    fn clear_slot(&self, index: u32) -> Result<bool> {
        self.delete(&index.to_ne_bytes())
    }
}

fn fd_map_spec(name: &str, t: MapType, max_entries: u32, value_size: u32) -> MapSpec {
    MapSpec {
        name: Cow::Owned(name.into()),
        map_type: t,
        key_size: 4,
        value_size,
        max_entries,
        flags: 0,
        btf: None,
    }
}

/// A `BPF_MAP_TYPE_XSKMAP` (kernel 4.18): AF_XDP sockets by index, the target of
/// `bpf_redirect_map(&xsks, ctx->rx_queue_index, 0)`.
///
/// Kernel semantics: the key is (by convention) the RX queue index; the value written from user
/// space is the fd of an AF_XDP socket, which should already be bound to an interface and
/// queue. A descriptor that is not a socket fails with ENOTSOCK, a socket of another family
/// with EOPNOTSUPP (both reported with a hint).
///
/// An AF_XDP socket that is not bound yet: kernels 4.18 to 5.9 refuse it with EOPNOTSUPP
/// unless its RX ring and UMEM are set up (the error's hint says to bind it first); since
/// 5.10 the kernel accepts any AF_XDP socket, and a packet redirected to one that is not bound
/// (or bound to another queue or interface) is dropped — checked per packet, not at update
/// time (tested on 6.18: the update succeeds). No kernel answers EINVAL for that; an EINVAL
/// on an update (bad flags) still carries the "must be bound" hint
/// ([`HINT_XSKMAP_UNBOUND`]) because old guides say so.
///
/// User space cannot read the map back (lookup fails with EOPNOTSUPP, which [`XskMap::get`]
/// explains); delete works. A socket's entry disappears when the socket is closed.
#[derive(Debug)]
pub struct XskMap {
    map: Map,
}
typed_common!(XskMap);

impl TryFrom<Map> for XskMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::Xskmap], 4, 4)?;
        Ok(XskMap { map })
    }
}

impl XskMap {
    /// Creates an XSKMAP with `max_entries` slots (one per queue you will use).
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::Xskmap, max_entries, 4))?.try_into()
    }

    /// Puts the AF_XDP socket `xsk` (bound already) at `queue`.
    pub fn set(&self, queue: u32, xsk: BorrowedFd<'_>) -> Result<()> {
        self.map.set_slot_fd(queue, xsk)
    }

    /// Removes the socket at `queue`. The kernel reports success for an empty slot too, so
    /// there is nothing to return.
    pub fn remove(&self, queue: u32) -> Result<()> {
        self.map.clear_slot(queue).map(|_| ())
    }

    /// Reads slot `queue` from user space, which the kernel does not support: always an
    /// [`Error::MapOp`] with errno EOPNOTSUPP and a hint saying so (kept so the behaviour is
    /// visible and tested rather than surprising).
    pub fn get(&self, queue: u32) -> Result<u32> {
        let v = self.map.lookup(&queue.to_ne_bytes())?;
        v.as_deref()
            .and_then(from_bytes)
            .ok_or_else(|| self.map.err("BPF_MAP_LOOKUP_ELEM", libc::ENOENT))
    }

    /// Number of slots.
    pub fn len(&self) -> u32 {
        self.map.max_entries()
    }

    /// True if there are no slots.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A `BPF_MAP_TYPE_DEVMAP` (kernel 4.14) or `DEVMAP_HASH` (5.4): interfaces to
/// `bpf_redirect_map` to. Values are an ifindex (4 bytes) or `struct bpf_devmap_val`
/// (ifindex + program fd, 8 bytes, kernel 5.8).
#[derive(Debug)]
pub struct DevMap {
    map: Map,
}
typed_common!(DevMap);

impl TryFrom<Map> for DevMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let vs = if map.value_size() == 8 { 8 } else { 4 };
        map.expect(&[MapType::Devmap, MapType::DevmapHash], 4, vs)?;
        Ok(DevMap { map })
    }
}

impl DevMap {
    /// Creates a DEVMAP with 4-byte values (ifindex only).
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::Devmap, max_entries, 4))?.try_into()
    }

    /// Sets slot `index` to interface `ifindex` (with `prog`, an XDP program of expected attach
    /// type `BPF_XDP_DEVMAP` to run on the egress device, if the map has 8-byte values).
    pub fn set(&self, index: u32, ifindex: u32, prog: Option<BorrowedFd<'_>>) -> Result<()> {
        let mut v = ifindex.to_ne_bytes().to_vec();
        if self.map.value_size() == 8 {
            let fd: i32 = prog.map_or(-1, |p| p.as_raw_fd());
            v.extend_from_slice(&fd.to_ne_bytes());
        } else if prog.is_some() {
            return Err(Error::invalid(
                "a program per device needs a devmap with 8-byte values (struct bpf_devmap_val)",
            ));
        }
        self.map.set_slot(index, &v)
    }

    /// The ifindex at `index`, or `None` if the slot is empty.
    pub fn get(&self, index: u32) -> Result<Option<u32>> {
        self.map.slot_u32(index)
    }

    /// Empties slot `index`.
    pub fn remove(&self, index: u32) -> Result<bool> {
        self.map.clear_slot(index)
    }
}

/// A `BPF_MAP_TYPE_CPUMAP` (kernel 4.15): CPUs to `bpf_redirect_map` to, keyed by CPU number.
/// Values are the queue size (4 bytes) or `struct bpf_cpumap_val` (queue size + program fd, 8
/// bytes, kernel 5.9).
#[derive(Debug)]
pub struct CpuMap {
    map: Map,
}
typed_common!(CpuMap);

impl TryFrom<Map> for CpuMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let vs = if map.value_size() == 8 { 8 } else { 4 };
        map.expect(&[MapType::Cpumap], 4, vs)?;
        Ok(CpuMap { map })
    }
}

impl CpuMap {
    /// Creates a CPUMAP with 4-byte values and one slot per possible CPU.
    pub fn create(name: &str) -> Result<Self> {
        let cpus = crate::sys::possible_cpus()?;
        Map::create(&fd_map_spec(name, MapType::Cpumap, cpus, 4))?.try_into()
    }

    /// Enables redirecting to `cpu` with a kthread queue of `queue_size` frames.
    pub fn set(&self, cpu: u32, queue_size: u32) -> Result<()> {
        let mut v = queue_size.to_ne_bytes().to_vec();
        if self.map.value_size() == 8 {
            v.extend_from_slice(&0i32.to_ne_bytes());
        }
        self.map.set_slot(cpu, &v)
    }

    /// The queue size of `cpu`, or `None` if it is not enabled.
    pub fn get(&self, cpu: u32) -> Result<Option<u32>> {
        self.map.slot_u32(cpu)
    }

    /// Disables `cpu`.
    pub fn remove(&self, cpu: u32) -> Result<bool> {
        self.map.clear_slot(cpu)
    }
}

/// A `BPF_MAP_TYPE_PROG_ARRAY` (kernel 4.2): programs for `bpf_tail_call`, by index.
#[derive(Debug)]
pub struct ProgArray {
    map: Map,
}
typed_common!(ProgArray);

impl TryFrom<Map> for ProgArray {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::ProgArray], 4, 4)?;
        Ok(ProgArray { map })
    }
}

impl ProgArray {
    /// Creates a PROG_ARRAY with `max_entries` slots.
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::ProgArray, max_entries, 4))?.try_into()
    }

    /// Puts program `prog` at `index`.
    pub fn set(&self, index: u32, prog: BorrowedFd<'_>) -> Result<()> {
        self.map.set_slot_fd(index, prog)
    }

    /// The kernel id of the program at `index` (user-space lookups return ids, kernel 4.13),
    /// or `None` if empty.
    pub fn get_id(&self, index: u32) -> Result<Option<u32>> {
        // The value is 4 bytes (checked by `try_from`).
        self.map.slot_u32(index)
    }

    /// Empties slot `index`.
    pub fn remove(&self, index: u32) -> Result<bool> {
        self.map.clear_slot(index)
    }
}

/// Maps that [`crate::Loaded::map`] can hand out: [`Map`] itself and every typed view.
pub trait FromMap: Sized {
    /// Checks the map's type and sizes and converts.
    fn from_map(map: Map) -> Result<Self>;
}

impl FromMap for Map {
    fn from_map(map: Map) -> Result<Self> {
        Ok(map)
    }
}

macro_rules! from_map {
    ($($t:ident $(<$($g:ident),*>)?),*) => { $(
        impl$(<$($g: Pod),*>)? FromMap for $t$(<$($g),*>)? {
            fn from_map(map: Map) -> Result<Self> {
                Self::try_from(map)
            }
        }
    )* };
}
from_map!(Array<V>, HashMap<K, V>, XskMap, DevMap, CpuMap, ProgArray);
