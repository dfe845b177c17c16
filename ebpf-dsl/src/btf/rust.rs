//! [`BtfType`]: Rust types that describe themselves in BTF (primitives and arrays here;
//! `#[derive(Btf)]` from `ebpf-dsl-macros` for `#[repr(C)]` structs), and the map key/value
//! description `defmap!` attaches to a [`crate::MapSpec`].

use std::fmt;
use std::hash::{Hash, Hasher};

use super::{Btf, Kind, Type, INT_BOOL, INT_SIGNED};

/// A Rust type with a BTF description.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no BTF description",
    label = "no BTF for this type",
    note = "add `#[derive(Btf)]` and `#[repr(C)]` to a struct; integers, bools, floats and arrays of them are built in"
)]
pub trait BtfType {
    /// Adds this type (and the types it uses) to `btf`; returns its id. Identical types are
    /// shared, so calling it twice returns the same id.
    fn btf_type(btf: &mut Btf) -> u32;
}

macro_rules! ints {
    ($($t:ty => $name:literal, $enc:expr;)*) => {$(
        impl BtfType for $t {
            fn btf_type(btf: &mut Btf) -> u32 {
                let size = core::mem::size_of::<$t>() as u32;
                btf.add(Type::new($name, Kind::Int { size, encoding: $enc, offset: 0, bits: (size * 8) as u8 }))
            }
        }
    )*};
}

ints! {
    u8 => "u8", 0;
    u16 => "u16", 0;
    u32 => "u32", 0;
    u64 => "u64", 0;
    u128 => "u128", 0;
    i8 => "i8", INT_SIGNED;
    i16 => "i16", INT_SIGNED;
    i32 => "i32", INT_SIGNED;
    i64 => "i64", INT_SIGNED;
    i128 => "i128", INT_SIGNED;
    bool => "bool", INT_BOOL;
}

impl BtfType for f32 {
    fn btf_type(btf: &mut Btf) -> u32 {
        btf.add(Type::new("f32", Kind::Float { size: 4 }))
    }
}

impl BtfType for f64 {
    fn btf_type(btf: &mut Btf) -> u32 {
        btf.add(Type::new("f64", Kind::Float { size: 8 }))
    }
}

/// The index type of arrays, as clang names it.
pub const ARRAY_INDEX_TYPE: &str = "__ARRAY_SIZE_TYPE__";

impl<T: BtfType, const N: usize> BtfType for [T; N] {
    fn btf_type(btf: &mut Btf) -> u32 {
        let elem = T::btf_type(btf);
        btf.add_array(elem, N as u32)
    }
}

/// Adds a type's BTF when it has one (`None`: the type does not implement [`BtfType`]).
pub type MaybeBtfFn = fn(&mut Btf) -> Option<u32>;

/// The BTF of a map's key and value, as `defmap!` records it in [`crate::MapSpec::btf`].
#[derive(Clone, Copy)]
pub struct MapBtf {
    /// The key type's description.
    pub key: MaybeBtfFn,
    /// The value type's description.
    pub value: MaybeBtfFn,
}

impl MapBtf {
    /// The BTF holding both types, with the key's and the value's ids; `None` when either
    /// type has no BTF description.
    pub fn build(&self) -> Option<(Btf, u32, u32)> {
        let mut btf = Btf::new();
        let k = (self.key)(&mut btf)?;
        let v = (self.value)(&mut btf)?;
        Some((btf, k, v))
    }
}

impl PartialEq for MapBtf {
    /// Two descriptions are equal when they describe the same types.
    fn eq(&self, other: &MapBtf) -> bool {
        self.build() == other.build()
    }
}

impl Eq for MapBtf {}

impl Hash for MapBtf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self.build() {
            Some((b, k, v)) => {
                b.types.hash(state);
                (k, v).hash(state);
            }
            None => 0u8.hash(state),
        }
    }
}

impl fmt::Debug for MapBtf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.build() {
            Some((b, k, v)) => write!(
                f,
                "MapBtf {{ key: {:?}, value: {:?} }}",
                b.get(k).map(|t| &t.name),
                b.get(v).map(|t| &t.name)
            ),
            None => f.write_str("MapBtf { none }"),
        }
    }
}

/// The autoref probe `defmap!` expands to: `(&&Probe::<T>::NEW).maybe_btf(btf)` is `Some(id)`
/// when `T: BtfType` and `None` otherwise (the method is found on `&Probe<T>` first when the
/// bound holds, else on `Probe<T>` through one more auto-deref).
#[doc(hidden)]
pub struct Probe<T: ?Sized>(core::marker::PhantomData<T>);

impl<T: ?Sized> Probe<T> {
    /// The probe value.
    pub const NEW: Probe<T> = Probe(core::marker::PhantomData);
}

/// The probe's method when `T: BtfType`.
#[doc(hidden)]
pub trait ViaBtf {
    /// `Some(id)`.
    fn maybe_btf(&self, btf: &mut Btf) -> Option<u32>;
}

impl<T: BtfType> ViaBtf for &Probe<T> {
    fn maybe_btf(&self, btf: &mut Btf) -> Option<u32> {
        Some(T::btf_type(btf))
    }
}

/// The probe's method otherwise.
#[doc(hidden)]
pub trait ViaNothing {
    /// `None`.
    fn maybe_btf(&self, btf: &mut Btf) -> Option<u32>;
}

impl<T: ?Sized> ViaNothing for Probe<T> {
    fn maybe_btf(&self, _btf: &mut Btf) -> Option<u32> {
        None
    }
}
