//! eBPF maps: create any [`MapSpec`], read and write elements, iterate, batch, and typed
//! wrappers that check sizes once, when they are made.
//!
//! - [`Map`]: an untyped map (bytes in, bytes out), created from a [`MapSpec`]
//!   (`BPF_MAP_CREATE`), opened from a pin ([`Map::from_pinned`]) or from an fd.
//! - Typed views: [`Array`], [`HashMap`], [`XskMap`], [`DevMap`], [`CpuMap`], [`ProgArray`],
//!   [`ArrayOfMaps`], [`HashOfMaps`].
//!   Each checks the map type and the key and value sizes against its Rust types when it is
//!   built (`TryFrom<Map>`), and the element operations cannot then be given a wrong size.
//!
//! One file per kind: this module holds [`Map`] and its element operations; `batch.rs` the
//! batch operations; `array.rs` [`Array`]; `hash.rs` [`HashMap`]; `redirect.rs` the
//! `bpf_redirect_map` targets [`XskMap`], [`DevMap`] and [`CpuMap`]; `prog_array.rs`
//! [`ProgArray`]; `of_maps.rs` the maps of maps [`ArrayOfMaps`] and [`HashOfMaps`] (created
//! with the template their [`MapSpec::inner`](ebpf_dsl::MapSpec::inner) describes).
//!
//! Keys and values of typed maps are [`crate::pod::Pod`] types (integers, arrays of them,
//! or your own `#[repr(C)]` structs with an `unsafe impl Pod`).

use std::borrow::Cow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use ebpf_dsl::{MapSpec, MapType};

use crate::error::{generic_hint, Error, Result, HINT_XSKMAP_UNBOUND};
use crate::pod::{from_bytes, Pod};
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

/// The hint of `ENOTSUPP` from `BPF_MAP_CREATE` of a map of maps whose template carries the
/// inner definition's BTF: the kernel refuses inner maps whose values hold special fields.
pub const HINT_INNER_FIELDS: &str =
    "this kernel refuses a map of maps whose inner maps' values hold a special field \
     (bpf_spin_lock, bpf_timer, a kptr; older kernels, e.g. 6.1, refuse them in inner maps): \
     keep such a value in a map that is not an inner map, or use a newer kernel";

/// Whether the running kernel's BTF has `t` in `enum bpf_map_type` (`None` when it cannot
/// tell: no BTF, no such enum). A kernel answers `EINVAL` to a map type it does not know.
pub fn kernel_knows_map_type(t: MapType) -> Option<bool> {
    use ebpf_dsl::btf::Kind;
    let btf = crate::bpf::target::running_kernel_btf().ok()?;
    let id = btf.find("bpf_map_type", 6)?;
    match &btf.get(id)?.kind {
        Kind::Enum { values, .. } => Some(
            values
                .iter()
                .any(|v| v.value == u64::from(t.as_u32()) && !v.name.starts_with("__")),
        ),
        _ => None,
    }
}

fn create_hint(spec: &MapSpec, errno: i32) -> Option<Cow<'static, str>> {
    if errno == libc::EINVAL && kernel_knows_map_type(spec.map_type) == Some(false) {
        return Some(Cow::Owned(format!(
            "this kernel does not know the {} map type (its BTF's enum bpf_map_type has no \
             value {}): it needs a newer kernel",
            spec.map_type,
            spec.map_type.as_u32()
        )));
    }
    // The rule the static verifier knows the kernel refuses this map by (Linux 6.18's
    // `BPF_MAP_CREATE` checks: `MapSpec::creation_check`), when it knows one.
    if matches!(errno, libc::EINVAL | libc::E2BIG | 524 | libc::EOPNOTSUPP) {
        if let Err(e) = spec.creation_check(ebpf_dsl::verifier::MAP_CREATE_REFERENCE) {
            return Some(Cow::Owned(e.message));
        }
    }
    match errno {
        libc::EINVAL => Some(Cow::Owned(format!(
            "the kernel refused the shape of this {} map (key {} B, value {} B, max_entries {}, flags {:#x}); \
             check the sizes this map type requires (xskmap/devmap/cpumap/prog_array: 4-byte keys; \
             array: 4-byte keys; max_entries > 0) and the flags it accepts",
            spec.map_type, spec.key_size, spec.value_size, spec.max_entries, spec.flags
        ))),
        libc::E2BIG => Some(Cow::Borrowed(
            "a size is too large for this map type (e.g. a hash map's key and value over 4 MiB, a cpumap over the kernel's NR_CPUS)",
        )),
        // Seen on the reference kernel (6.18.44 as deployed here): every arena is refused,
        // whatever its attributes and the caller's capabilities (root has CAP_BPF).
        libc::EPERM if spec.map_type == MapType::Arena => Some(Cow::Borrowed(
            "this kernel refuses BPF arenas (BPF_MAP_TYPE_ARENA needs Linux 6.9, CAP_BPF, a JIT that supports arenas, and a kernel build that allows them): with root and CAP_BPF this EPERM means arenas are disabled here",
        )),
        _ => generic_hint("BPF_MAP_CREATE", errno).map(Cow::Borrowed),
    }
}

impl Map {
    /// `BPF_MAP_CREATE` (kernel 3.19; names 4.15).
    pub fn create(spec: &MapSpec) -> Result<Map> {
        Map::create_typed(spec, None, None)
    }

    /// [`Map::create`] with key/value types from other BTF (an ELF object's): `(btf, key id,
    /// value id)` instead of the spec's own; `inner_types` likewise for a map of maps' inner
    /// template (libbpf creates it with the inner definition's types, so that the kernel's
    /// template has the special fields of the inner maps' values).
    pub(crate) fn create_typed(
        spec: &MapSpec,
        types: Option<(&ebpf_dsl::btf::Btf, u32, u32)>,
        inner_types: Option<(&ebpf_dsl::btf::Btf, u32, u32)>,
    ) -> Result<Map> {
        let name = spec.name_str();
        if name.len() > ebpf_dsl::spec::BPF_OBJ_NAME_MAX {
            return Err(Error::invalid(format!(
                "map name `{name}` is longer than 15 characters (BPF_OBJ_NAME_LEN)"
            )));
        }
        ebpf_dsl::asm::check_inner(spec).map_err(Error::invalid)?;
        // A map of maps: a map of the inner shape as the template (`inner_map_fd`); the kernel
        // keeps a copy of its shape, so the template closes when this function returns.
        let template = match &spec.inner {
            Some(inner) => Some(of_maps::create_template(name, inner, inner_types)?),
            None => None,
        };
        let attr = sysbpf::MapCreateAttr {
            map_type: spec.map_type.as_u32(),
            key_size: spec.key_size,
            value_size: spec.value_size,
            max_entries: spec.max_entries,
            map_flags: spec.flags,
            map_name: sysbpf::obj_name(name),
            inner_map_fd: template.as_ref().map_or(0, |t| t.raw_fd() as u32),
            ..Default::default()
        };
        let fd = match types {
            Some((btf, key, value)) => crate::bpf::btf::map_create_with(btf, key, value, &attr),
            None => crate::bpf::btf::map_create(spec, &attr),
        }
        .map_err(|errno| Error::MapOp {
            map: name.to_owned(),
            op: "BPF_MAP_CREATE",
            errno,
            hint: match (errno, inner_types) {
                // The template was made with the inner definition's BTF (its special fields).
                (524, Some(_)) if spec.inner.is_some() => Some(Cow::Borrowed(HINT_INNER_FIELDS)),
                _ => create_hint(spec, errno),
            },
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
    ($t:ident $(<$($g:ident),*>)? $(, $phantom:ident)?) => {
        impl$(<$($g: Pod),*>)? $t$(<$($g),*>)? {
            /// Wraps a map known to have this type and these sizes (a `defmap!` item's map in a
            /// [`crate::Loaded`]): no check.
            pub(crate) fn from_map_unchecked(map: Map) -> Self {
                $t { map $(, $phantom: std::marker::PhantomData)? }
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

        impl$(<$($g: Pod),*>)? AsFd for $t$(<$($g),*>)? {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.map.fd()
            }
        }
    };
}

mod array;
mod batch;
mod hash;
mod of_maps;
pub mod percpu;
mod prog_array;
mod redirect;
pub mod ringbuf;
pub mod typed;

pub use array::Array;
pub use hash::HashMap;
pub use of_maps::{ArrayOfMaps, HashOfMaps};
pub use percpu::{PerCpuArray, PerCpuHashMap, PerCpuValues};
pub use prog_array::ProgArray;
pub use redirect::{CpuMap, DevMap, XskMap};
pub use ringbuf::RingBuf;
pub use typed::{MapSelector, MapSource, TypedMap};

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
        inner: None,
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
from_map!(
    Array<V>,
    HashMap<K, V>,
    XskMap,
    DevMap,
    CpuMap,
    ProgArray,
    ArrayOfMaps,
    HashOfMaps<K>
);

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal whose rule the static verifier knows is explained by that rule; others get
    /// the general hint.
    #[test]
    fn a_refused_shape_is_explained_by_the_kernel_rule() {
        let lpm = MapSpec {
            name: Cow::Borrowed("routes"),
            map_type: MapType::LpmTrie,
            key_size: 8,
            value_size: 4,
            max_entries: 16,
            flags: 0,
            btf: None,
            inner: None,
        };
        let h = create_hint(&lpm, libc::EINVAL).unwrap();
        assert!(
            h.contains("lpm_trie map `routes` without BPF_F_NO_PREALLOC")
                && h.contains("trie_alloc"),
            "{h}"
        );
        let ok = MapSpec { flags: 1, ..lpm };
        let h = create_hint(&ok, libc::EINVAL).unwrap();
        assert!(h.contains("refused the shape"), "{h}");
    }
}
