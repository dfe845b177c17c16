//! Maps by their `defmap!` item, typed at compile time.
//!
//! `defmap!` makes each map an [`ebpf_dsl::MapDef<K, V, Kind>`]: the spec plus, in its type, the
//! key type, the value type and the map kind. [`Loaded::map`](crate::Loaded::map) (and
//! [`XskInterface::map`](crate::XskInterface::map)) take such an item and give back the handle
//! of the right type, chosen by the compiler from the item's type:
//!
//! | `defmap!` declaration | handle |
//! |---|---|
//! | `array(value = V, ..)` | [`Array<V>`] |
//! | `hash(key = K, value = V, ..)`, `lru_hash` | [`HashMap<K, V>`] |
//! | `percpu_array(value = V, ..)` | [`PerCpuArray<V>`] |
//! | `percpu_hash(key = K, value = V, ..)`, `lru_percpu_hash` | [`PerCpuHashMap<K, V>`] |
//! | `ringbuf(..)` | [`RingBuf`] |
//! | `xskmap` / `devmap`, `devmap_hash` / `cpumap` / `prog_array` | [`XskMap`] / [`DevMap`] / [`CpuMap`] / [`ProgArray`] |
//! | `array_of_maps(inner = ..)` / `hash_of_maps(key = K, inner = ..)` | [`ArrayOfMaps`] / [`HashOfMaps<K>`] |
//! | any other kind, or the value given by size only (`value_size = N`) | [`Map`] |
//!
//! ```no_run
//! # use xsk_runtime::{Loader, Result};
//! use ebpf_dsl_macros::{defmap, defprogram};
//!
//! defmap! {
//!     /// Packets seen.
//!     COUNTS: array(key = u32, value = u64, max_entries = 1);
//! }
//! defprogram! {
//!     COUNT: xdp {
//!         r1 = 0;
//!         *(u32 *)(r10 - 4) = r1;
//!         r2 = r10;
//!         r2 += -4;
//!         r1 = COUNTS ll;
//!         call bpf_map_lookup_elem;
//!         if r0 == 0 goto out;
//!         r1 = 1;
//!         lock *(u64 *)(r0 + 0) += r1;
//!     out:
//!         r0 = XDP_PASS;
//!         exit;
//!     }
//! }
//! # fn main() -> Result<()> {
//! let loaded = Loader::new().program(COUNT).load()?;
//! let counts = loaded.map(&COUNTS)?; // an `Array<u64>`: no name, no type to repeat
//! let n: u64 = counts.get(0)?;
//! # let _ = n; Ok(()) }
//! ```
//!
//! The sizes are not checked at run time: `defmap!` made the spec from the types (or asserted
//! at compile time that they agree), and the [`Loader`](crate::Loader) made the map from the
//! spec. The lookup fails only when the item's map is not part of this `Loaded` (another
//! program's map, or an existing map of the same name but another shape given to
//! [`Loader::use_map`](crate::Loader::use_map)).

use ebpf_dsl::map_kind::{self as kind, Untyped};
use ebpf_dsl::{MapDef, MapSpec};

use super::percpu::{PerCpuArray, PerCpuHashMap};
use super::ringbuf::RingBuf;
use super::{
    Array, ArrayOfMaps, CpuMap, DevMap, FromMap, HashMap, HashOfMaps, Map, ProgArray, XskMap,
};
use crate::error::{Error, Result};
use crate::pod::Pod;

/// Where a [`MapSelector`] finds maps by name: a [`Loaded`](crate::Loaded) (kept as a trait so
/// that the maps do not depend on the loader above them).
pub trait MapSource {
    /// The map `name`, borrowed; [`Error::NotFound`] if there is none.
    fn map_ref(&self, name: &str) -> Result<&Map>;
}

/// A map item whose type says which handle it has: implemented for the [`MapDef`]s that
/// `defmap!` makes (see the [module docs](self) for the table).
pub trait TypedMap {
    /// The handle [`Loaded::map`](crate::Loaded::map) returns for this item.
    type Handle;

    /// The spec the map was created from.
    fn spec(&self) -> &MapSpec;

    /// Wraps the loaded map, which was created from [`Self::spec`].
    fn wrap(map: Map) -> Result<Self::Handle>;
}

/// What [`Loaded::map`](crate::Loaded::map) accepts: a `defmap!` item (`&COUNTS`, handle type from the item), or a
/// map's name (`"counts"`, handle type `T` from the caller: any [`FromMap`], checked at run
/// time).
pub trait MapSelector<T> {
    /// Finds the map in `loaded` and makes its handle.
    fn select(self, loaded: &dyn MapSource) -> Result<T>;
}

impl<T: FromMap> MapSelector<T> for &str {
    fn select(self, loaded: &dyn MapSource) -> Result<T> {
        T::from_map(loaded.map_ref(self)?.try_clone()?)
    }
}

impl<D: TypedMap> MapSelector<D::Handle> for &D {
    fn select(self, loaded: &dyn MapSource) -> Result<D::Handle> {
        let spec = self.spec();
        let map = loaded.map_ref(spec.name_str())?;
        if !same_shape(map, spec) {
            return Err(Error::MapMismatch {
                map: map.name().to_owned(),
                reason: format!(
                    "this Loaded's map of that name is not the one the defmap! item declares \
                     ({} map, key {} B, value {} B; the item: {} map, key {} B, value {} B)",
                    map.map_type()
                        .map_or_else(|| "unknown".to_owned(), |t| t.to_string()),
                    map.key_size(),
                    map.value_size(),
                    spec.map_type,
                    spec.key_size,
                    spec.value_size
                ),
            });
        }
        D::wrap(map.try_clone()?)
    }
}

/// True if `map` has the type and key and value sizes of `spec`: what the handle's types rest
/// on. (`max_entries` may differ: [`XskInterface`](crate::XskInterface) sizes its XSKMAP to its
/// queues whatever the program's `defmap!` says.)
pub(crate) fn same_shape(map: &Map, spec: &MapSpec) -> bool {
    map.map_type() == Some(spec.map_type)
        && map.key_size() == spec.key_size
        && map.value_size() == spec.value_size
}

macro_rules! typed {
    ($(<$($g:ident $(: $b:path)?),*> $k:ty, $v:ty, $kind:ty => $h:ty, |$m:ident| $wrap:expr;)*) => { $(
        impl<$($g: ?Sized $(+ $b)?),*> TypedMap for MapDef<$k, $v, $kind> {
            type Handle = $h;
            fn spec(&self) -> &MapSpec {
                MapDef::spec(self)
            }
            fn wrap($m: Map) -> Result<$h> {
                $wrap
            }
        }
    )* };
}

typed! {
    <K, V: Pod> K, V, kind::Array => Array<V>, |m| Ok(Array::from_map_unchecked(m));
    <K> K, Untyped, kind::Array => Map, |m| Ok(m);
    <K: Pod, V: Pod> K, V, kind::Hash => HashMap<K, V>, |m| Ok(HashMap::from_map_unchecked(m));
    <K> K, Untyped, kind::Hash => Map, |m| Ok(m);
    <K: Pod, V: Pod> K, V, kind::LruHash => HashMap<K, V>,
        |m| Ok(HashMap::from_map_unchecked(m));
    <K> K, Untyped, kind::LruHash => Map, |m| Ok(m);
    <K, V: Pod> K, V, kind::PercpuArray => PerCpuArray<V>,
        |m| Ok(PerCpuArray::from_map_unchecked(m));
    <K> K, Untyped, kind::PercpuArray => Map, |m| Ok(m);
    <K: Pod, V: Pod> K, V, kind::PercpuHash => PerCpuHashMap<K, V>,
        |m| Ok(PerCpuHashMap::from_map_unchecked(m));
    <K> K, Untyped, kind::PercpuHash => Map, |m| Ok(m);
    <K: Pod, V: Pod> K, V, kind::LruPercpuHash => PerCpuHashMap<K, V>,
        |m| Ok(PerCpuHashMap::from_map_unchecked(m));
    <K> K, Untyped, kind::LruPercpuHash => Map, |m| Ok(m);
    <K, V> K, V, kind::Ringbuf => RingBuf, |m| RingBuf::new(m);
    <K, V> K, V, kind::Xskmap => XskMap, |m| Ok(XskMap::from_map_unchecked(m));
    <K, V> K, V, kind::Devmap => DevMap, |m| Ok(DevMap::from_map_unchecked(m));
    <K, V> K, V, kind::DevmapHash => DevMap, |m| Ok(DevMap::from_map_unchecked(m));
    <K, V> K, V, kind::Cpumap => CpuMap, |m| Ok(CpuMap::from_map_unchecked(m));
    <K, V> K, V, kind::ProgArray => ProgArray, |m| Ok(ProgArray::from_map_unchecked(m));
    <K, V> K, V, kind::ArrayOfMaps => ArrayOfMaps, |m| Ok(ArrayOfMaps::from_map_unchecked(m));
    <K: Pod, V> K, V, kind::HashOfMaps => HashOfMaps<K>,
        |m| Ok(HashOfMaps::from_map_unchecked(m));
    <V> Untyped, V, kind::HashOfMaps => Map, |m| Ok(m);
}

macro_rules! untyped_kinds {
    ($($kind:ident),*) => {
        typed! { $(<K, V> K, V, kind::$kind => Map, |m| Ok(m);)* }
    };
}

untyped_kinds!(
    PerfEventArray,
    StackTrace,
    CgroupArray,
    LpmTrie,
    Sockmap,
    Sockhash,
    CgroupStorage,
    ReuseportSockarray,
    PercpuCgroupStorage,
    Queue,
    Stack,
    SkStorage,
    StructOps,
    InodeStorage,
    TaskStorage,
    BloomFilter,
    UserRingbuf,
    CgrpStorage,
    Arena
);
