//! Maps typed at compile time: what `defmap!` expands to.
//!
//! A [`MapDef<K, V, T>`] is a [`MapSpec`] that also carries, in its type, the key type `K`, the
//! value type `V` and the map kind `T` (one of the markers in [`map_kind`]). It dereferences to
//! its [`MapSpec`], so everything that takes a `&MapSpec` takes a `&MapDef` too, and the
//! runtime (`xsk-runtime`) can hand out the typed handle of a loaded map from the item alone:
//! `loaded.map(&COUNTS)` is an `Array<u64>` when `COUNTS` was declared
//! `array(key = u32, value = u64, ...)`.
//!
//! A `defmap!` declaration that gives sizes only (`key_size = 4`, `value_size = 8`) has
//! [`map_kind::Untyped`] in place of the missing type.

use core::fmt;
use core::marker::PhantomData;
use core::ops::Deref;
use std::borrow::Cow;

use crate::spec::{MapSpec, MapType};

/// A map kind: a zero-sized marker type standing for one [`MapType`] (see [`map_kind`]).
pub trait MapKind {
    /// The map type this marker stands for.
    const TYPE: MapType;
}

/// The zero-sized markers of the map kinds (one per [`MapType`], same names), and
/// [`Untyped`](map_kind::Untyped) for a key or value given by size only.
pub mod map_kind {
    use super::MapKind;
    use crate::spec::MapType;

    /// The key or value of a map declared by size only (`key_size = N`), not by type.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Untyped;

    macro_rules! kinds {
        ($($k:ident),* $(,)?) => {
            $(
                #[doc = concat!("Marker of [`MapType::", stringify!($k), "`].")]
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                pub struct $k;

                impl MapKind for $k {
                    const TYPE: MapType = MapType::$k;
                }
            )*

            /// Every marker's map type, in [`MapType::ALL`] order (for tests).
            #[doc(hidden)]
            pub const ALL_TYPES: &[MapType] = &[$(MapType::$k),*];
        };
    }

    kinds!(
        Hash,
        Array,
        ProgArray,
        PerfEventArray,
        PercpuHash,
        PercpuArray,
        StackTrace,
        CgroupArray,
        LruHash,
        LruPercpuHash,
        LpmTrie,
        ArrayOfMaps,
        HashOfMaps,
        Devmap,
        Sockmap,
        Cpumap,
        Xskmap,
        Sockhash,
        CgroupStorage,
        ReuseportSockarray,
        PercpuCgroupStorage,
        Queue,
        Stack,
        SkStorage,
        DevmapHash,
        StructOps,
        Ringbuf,
        InodeStorage,
        TaskStorage,
        BloomFilter,
        UserRingbuf,
        CgrpStorage,
        Arena,
    );
}

/// The types a [`MapDef`] carries, behind a function pointer: `MapDef` is `Send`, `Sync` and
/// `Copy` whatever `K`, `V` and `T` are.
type Types<K, V, T> = fn() -> (PhantomData<K>, PhantomData<V>, T);

/// A [`MapSpec`] whose key type `K`, value type `V` and kind `T` ([`map_kind`]) are part of its
/// type: the item `defmap!` makes. Dereferences to the spec. `Copy`: it is a reference to a
/// `'static` spec and the types.
pub struct MapDef<K: ?Sized, V: ?Sized, T> {
    spec: &'static MapSpec,
    _types: PhantomData<Types<K, V, T>>,
}

impl<K: ?Sized, V: ?Sized, T: MapKind> MapDef<K, V, T> {
    /// Wraps `spec`; `K`, `V` and `T` must describe it (`defmap!` checks that at compile time:
    /// `spec.map_type` is `T::TYPE`, the key and value sizes are those of `K` and `V`).
    pub const fn new(spec: &'static MapSpec) -> Self {
        MapDef {
            spec,
            _types: PhantomData,
        }
    }
}

impl<K: ?Sized, V: ?Sized, T> MapDef<K, V, T> {
    /// The spec.
    pub const fn spec(&self) -> &'static MapSpec {
        self.spec
    }

    /// The kernel-visible name, usable in `const` contexts ([`MapSpec::name_str`]).
    pub const fn name_str(&self) -> &'static str {
        self.spec.name_str()
    }

    /// A copy of the spec, usable in `const` items (`defprogram!` lists its maps this way).
    pub const fn to_spec(&self) -> MapSpec {
        let s = self.spec;
        MapSpec {
            name: Cow::Borrowed(s.name_str()),
            ..*s
        }
    }
}

impl<K: ?Sized, V: ?Sized, T> Deref for MapDef<K, V, T> {
    type Target = MapSpec;
    fn deref(&self) -> &MapSpec {
        self.spec
    }
}

impl<K: ?Sized, V: ?Sized, T> AsRef<MapSpec> for MapDef<K, V, T> {
    fn as_ref(&self) -> &MapSpec {
        self.spec
    }
}

impl<K: ?Sized, V: ?Sized, T> Clone for MapDef<K, V, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: ?Sized, V: ?Sized, T> Copy for MapDef<K, V, T> {}

impl<K: ?Sized, V: ?Sized, T> fmt::Debug for MapDef<K, V, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.spec.fmt(f)
    }
}

impl<K: ?Sized, V: ?Sized, T> PartialEq for MapDef<K, V, T> {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl<K: ?Sized, V: ?Sized, T> Eq for MapDef<K, V, T> {}

impl<K: ?Sized, V: ?Sized, T> PartialEq<MapSpec> for MapDef<K, V, T> {
    fn eq(&self, other: &MapSpec) -> bool {
        self.spec == other
    }
}

impl<K: ?Sized, V: ?Sized, T> PartialEq<MapDef<K, V, T>> for MapSpec {
    fn eq(&self, other: &MapDef<K, V, T>) -> bool {
        self == other.spec
    }
}

impl<K: ?Sized, V: ?Sized, T> From<MapDef<K, V, T>> for MapSpec {
    fn from(def: MapDef<K, V, T>) -> MapSpec {
        def.spec.clone()
    }
}

impl<K: ?Sized, V: ?Sized, T> From<&MapDef<K, V, T>> for MapSpec {
    fn from(def: &MapDef<K, V, T>) -> MapSpec {
        def.spec.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_map_type_has_a_marker() {
        assert_eq!(map_kind::ALL_TYPES, MapType::ALL);
    }

    #[test]
    fn derefs_and_compares_as_its_spec() {
        const SPEC: MapSpec = MapSpec {
            name: Cow::Borrowed("counts"),
            map_type: MapType::Array,
            key_size: 4,
            value_size: 8,
            max_entries: 2,
            flags: 0,
            btf: None,
            inner: None,
        };
        const DEF: MapDef<u32, u64, map_kind::Array> = MapDef::new(&SPEC);
        const ALSO: MapSpec = DEF.to_spec();
        const LIST: &[MapSpec] = &[DEF.to_spec(), DEF.to_spec()];
        assert_eq!(LIST.len(), 2);
        assert_eq!(DEF.name_str(), "counts");
        assert_eq!(<map_kind::Array as MapKind>::TYPE, DEF.map_type);
        assert_eq!(ALSO, DEF);
        assert_eq!(&[SPEC][..], &[DEF]);
        assert_eq!(MapSpec::from(&DEF), SPEC);
    }
}
