//! BTF, the BPF Type Format: a writer and a reader for the `.BTF` blob (types and their string
//! table) and the `.BTF.ext` blob (`func_info`, `line_info`, CO-RE relocations), plus a dump in
//! `bpftool btf dump`'s text format and the [`BtfType`] trait that describes Rust types.
//!
//! A [`Btf`] is a list of types; the type id of `types[i]` is `i + 1` (id 0 is `void`). Names
//! are kept as strings: the string table is built (deduplicated) when encoding, so one table
//! can serve both `.BTF` and `.BTF.ext` ([`Btf::encode_with_ext`], for an ELF object) or the
//! kernel's `BPF_PROG_LOAD` records ([`Btf::encode_for_load`]).
//!
//! A kernel module's BTF is split BTF over vmlinux's ([`SplitBtf`]: its ids follow vmlinux's);
//! [`Types`] looks ids up in a [`Btf`] or in a module with its base ([`SplitBtf::over`]).
//!
//! ```
//! use ebpf_dsl::btf::{Btf, BtfType};
//! let mut btf = Btf::new();
//! let id = <[u32; 4] as BtfType>::btf_type(&mut btf);
//! let bytes = btf.encode();
//! let back = Btf::decode(&bytes).unwrap();
//! assert_eq!(back, btf);
//! assert!(back.dump().contains(&format!("[{id}] ARRAY '(anon)' type_id=1 index_type_id=3 nr_elems=4")));
//! ```

mod decode;
mod dump;
mod encode;
mod ext;
mod global;
mod kallsyms;
mod kptr;
mod maps;
mod program;
mod rust;
mod special;
mod spin_lock;
mod split;
mod subset;

use std::collections::HashMap;
use std::fmt;

pub use self::ext::{BtfExt, CoreRelo, ExtSection, FuncInfo, LineInfo};
pub use self::global::{
    func_returns_scalar, GlobalArg, GlobalFunc, SubprogFunc, EXCEPTION_CALLBACK_TAG,
};
pub use self::kallsyms::{Kallsyms, KALLSYMS_PATH};
pub use self::kptr::{KptrKind, MapKptr};
pub use self::maps::{InnerDefinition, MapDefinition};
pub use self::program::{
    function_starts, loader_func_info, loader_passes_btf, program_btf, program_btf_with_globals,
    KernelBtf, SourceLine,
};
pub use self::rust::{BtfType, MapBtf, MaybeBtfFn, Probe, ViaBtf, ViaNothing, ARRAY_INDEX_TYPE};
pub use self::special::{FieldKind, ProgramTypes, SpecialField, SpecialFields};
pub use self::spin_lock::{
    BpfSpinLock, BpfTimer, MapSpinLock, MapTimer, SPIN_LOCK_STRUCT, TIMER_STRUCT,
};
pub use self::split::{SplitBtf, SplitView, Types};

/// `BTF_MAGIC`.
pub const BTF_MAGIC: u16 = 0xeb9f;
/// The BTF version this module reads and writes.
pub const BTF_VERSION: u8 = 1;

/// `BTF_INT_SIGNED`.
pub const INT_SIGNED: u8 = 1;
/// `BTF_INT_CHAR`.
pub const INT_CHAR: u8 = 2;
/// `BTF_INT_BOOL`.
pub const INT_BOOL: u8 = 4;

/// Linkage of a `FUNC` (`enum btf_func_linkage`) or `VAR` (`BTF_VAR_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Linkage {
    /// `static` (0).
    Static,
    /// `global` (1; `BTF_VAR_GLOBAL_ALLOCATED` for a variable).
    Global,
    /// `extern` (2).
    Extern,
}

impl Linkage {
    /// The encoded value.
    pub const fn as_u32(self) -> u32 {
        match self {
            Linkage::Static => 0,
            Linkage::Global => 1,
            Linkage::Extern => 2,
        }
    }

    /// The linkage for an encoded value.
    pub const fn from_u32(v: u32) -> Option<Linkage> {
        match v {
            0 => Some(Linkage::Static),
            1 => Some(Linkage::Global),
            2 => Some(Linkage::Extern),
            _ => None,
        }
    }

    /// bpftool's word for it.
    pub const fn name(self) -> &'static str {
        match self {
            Linkage::Static => "static",
            Linkage::Global => "global",
            Linkage::Extern => "extern",
        }
    }
}

/// A struct or union member.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Member {
    /// The member's name (empty for an anonymous member).
    pub name: String,
    /// Its type id.
    pub ty: u32,
    /// Offset from the start of the struct, in bits.
    pub bit_offset: u32,
    /// Bit-field width (0: not a bit-field).
    pub bitfield_size: u8,
}

impl Member {
    /// A member named `name` of type `ty` at byte `byte_offset` of its struct or union (not a
    /// bit-field).
    pub fn at(name: impl Into<String>, ty: u32, byte_offset: u32) -> Member {
        Member {
            name: name.into(),
            ty,
            bit_offset: byte_offset * 8,
            bitfield_size: 0,
        }
    }
}

/// A function parameter (`FUNC_PROTO`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// The parameter's name (may be empty).
    pub name: String,
    /// Its type id (0 with an empty name: `...`).
    pub ty: u32,
}

/// An enumerator.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Enumerator {
    /// Its name.
    pub name: String,
    /// Its value: the raw bits (32 of them for `ENUM`, 64 for `ENUM64`).
    pub value: u64,
}

/// A variable in a `DATASEC`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct VarSecInfo {
    /// The `VAR`'s type id.
    pub ty: u32,
    /// Offset in the section.
    pub offset: u32,
    /// Size in bytes.
    pub size: u32,
}

/// What a type is (`BTF_KIND_*`) and its kind-specific data.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `INT`: `encoding` is a set of [`INT_SIGNED`], [`INT_CHAR`], [`INT_BOOL`].
    Int {
        /// Size in bytes.
        size: u32,
        /// Encoding bits.
        encoding: u8,
        /// Bit offset.
        offset: u8,
        /// Number of bits.
        bits: u8,
    },
    /// `PTR` to a type.
    Ptr(u32),
    /// `ARRAY`.
    Array {
        /// Element type.
        elem: u32,
        /// Index type.
        index: u32,
        /// Number of elements.
        nelems: u32,
    },
    /// `STRUCT`.
    Struct {
        /// Size in bytes.
        size: u32,
        /// Members.
        members: Vec<Member>,
    },
    /// `UNION`.
    Union {
        /// Size in bytes.
        size: u32,
        /// Members.
        members: Vec<Member>,
    },
    /// `ENUM` (32-bit values).
    Enum {
        /// Size in bytes.
        size: u32,
        /// Signed values (`kind_flag`).
        signed: bool,
        /// Enumerators.
        values: Vec<Enumerator>,
    },
    /// `FWD`: a forward declaration (`union` when true).
    Fwd {
        /// A union rather than a struct.
        union: bool,
    },
    /// `TYPEDEF`.
    Typedef(u32),
    /// `VOLATILE`.
    Volatile(u32),
    /// `CONST`.
    Const(u32),
    /// `RESTRICT`.
    Restrict(u32),
    /// `FUNC`: its `FUNC_PROTO` and linkage.
    Func {
        /// The `FUNC_PROTO` id.
        proto: u32,
        /// Linkage.
        linkage: Linkage,
    },
    /// `FUNC_PROTO`.
    FuncProto {
        /// Return type (0: void).
        ret: u32,
        /// Parameters.
        params: Vec<Param>,
    },
    /// `VAR`.
    Var {
        /// The variable's type.
        ty: u32,
        /// Linkage.
        linkage: Linkage,
    },
    /// `DATASEC`.
    Datasec {
        /// Size in bytes (0 in clang's output; the loader fills it).
        size: u32,
        /// Variables.
        vars: Vec<VarSecInfo>,
    },
    /// `FLOAT`.
    Float {
        /// Size in bytes.
        size: u32,
    },
    /// `DECL_TAG` on a type, or on its member/parameter `component_idx` (-1: the type itself).
    DeclTag {
        /// Tagged type.
        ty: u32,
        /// Component index, -1 for the whole type.
        component_idx: i32,
    },
    /// `TYPE_TAG`.
    TypeTag(u32),
    /// `ENUM64` (64-bit values).
    Enum64 {
        /// Size in bytes.
        size: u32,
        /// Signed values (`kind_flag`).
        signed: bool,
        /// Enumerators.
        values: Vec<Enumerator>,
    },
}

impl Kind {
    /// The `BTF_KIND_*` number.
    pub const fn number(&self) -> u32 {
        match self {
            Kind::Int { .. } => 1,
            Kind::Ptr(_) => 2,
            Kind::Array { .. } => 3,
            Kind::Struct { .. } => 4,
            Kind::Union { .. } => 5,
            Kind::Enum { .. } => 6,
            Kind::Fwd { .. } => 7,
            Kind::Typedef(_) => 8,
            Kind::Volatile(_) => 9,
            Kind::Const(_) => 10,
            Kind::Restrict(_) => 11,
            Kind::Func { .. } => 12,
            Kind::FuncProto { .. } => 13,
            Kind::Var { .. } => 14,
            Kind::Datasec { .. } => 15,
            Kind::Float { .. } => 16,
            Kind::DeclTag { .. } => 17,
            Kind::TypeTag(_) => 18,
            Kind::Enum64 { .. } => 19,
        }
    }

    /// bpftool's name of the kind (`INT`, `STRUCT`, ...).
    pub const fn name(&self) -> &'static str {
        match self {
            Kind::Int { .. } => "INT",
            Kind::Ptr(_) => "PTR",
            Kind::Array { .. } => "ARRAY",
            Kind::Struct { .. } => "STRUCT",
            Kind::Union { .. } => "UNION",
            Kind::Enum { .. } => "ENUM",
            Kind::Fwd { .. } => "FWD",
            Kind::Typedef(_) => "TYPEDEF",
            Kind::Volatile(_) => "VOLATILE",
            Kind::Const(_) => "CONST",
            Kind::Restrict(_) => "RESTRICT",
            Kind::Func { .. } => "FUNC",
            Kind::FuncProto { .. } => "FUNC_PROTO",
            Kind::Var { .. } => "VAR",
            Kind::Datasec { .. } => "DATASEC",
            Kind::Float { .. } => "FLOAT",
            Kind::DeclTag { .. } => "DECL_TAG",
            Kind::TypeTag(_) => "TYPE_TAG",
            Kind::Enum64 { .. } => "ENUM64",
        }
    }
}

/// One type: a name (empty: anonymous) and a kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Type {
    /// The name, empty when anonymous.
    pub name: String,
    /// The kind and its data.
    pub kind: Kind,
}

impl Type {
    /// A type named `name`.
    pub fn new(name: impl Into<String>, kind: Kind) -> Type {
        Type {
            name: name.into(),
            kind,
        }
    }

    /// A whole-byte integer type named `name` of `size` bytes (at most 16), signed or not
    /// (`Kind::Int` with offset 0 and `size * 8` bits).
    pub fn int(name: impl Into<String>, size: u8, signed: bool) -> Type {
        Type::new(
            name,
            Kind::Int {
                size: u32::from(size),
                encoding: if signed { INT_SIGNED } else { 0 },
                offset: 0,
                bits: size.saturating_mul(8),
            },
        )
    }
}

/// A set of BTF types (a `.BTF` section without its string offsets).
#[derive(Clone, Debug, Default)]
pub struct Btf {
    /// The types; `types[i]` has id `i + 1`.
    pub types: Vec<Type>,
    /// Each distinct type to its first id, for [`Btf::add`]'s reuse: built on first use
    /// ([`first_ids`]), so BTF that is only decoded and read (the kernel's, ~100,000 types)
    /// never hashes and copies every type.
    index: Option<HashMap<Type, u32>>,
}

/// `index`, built from `types` (each distinct type to its first id) if it was not yet.
fn first_ids<'a>(
    index: &'a mut Option<HashMap<Type, u32>>,
    types: &[Type],
) -> &'a mut HashMap<Type, u32> {
    index.get_or_insert_with(|| {
        let mut m = HashMap::new();
        for (i, t) in types.iter().enumerate() {
            m.entry(t.clone()).or_insert(i as u32 + 1);
        }
        m
    })
}

impl PartialEq for Btf {
    fn eq(&self, other: &Btf) -> bool {
        self.types == other.types
    }
}

impl Eq for Btf {}

impl Btf {
    /// No types.
    pub fn new() -> Btf {
        Btf::default()
    }

    /// BTF holding exactly `types`, in this order (no deduplication).
    pub fn from_types(types: Vec<Type>) -> Btf {
        Btf { types, index: None }
    }

    /// Adds a type and returns its id; an identical type already present is reused.
    pub fn add(&mut self, ty: Type) -> u32 {
        if let Some(&id) = first_ids(&mut self.index, &self.types).get(&ty) {
            return id;
        }
        self.push(ty)
    }

    /// Appends a type even if an identical one exists (returns its id).
    pub fn push(&mut self, ty: Type) -> u32 {
        self.types.push(ty.clone());
        let id = self.types.len() as u32;
        if let Some(index) = self.index.as_mut() {
            index.entry(ty).or_insert(id);
        }
        id
    }

    /// The type with this id (`None` for 0, `void`, and for ids past the end).
    pub fn get(&self, id: u32) -> Option<&Type> {
        id.checked_sub(1).and_then(|i| self.types.get(i as usize))
    }

    /// The id of the first type with this name and kind number, if any.
    pub fn find(&self, name: &str, kind: u32) -> Option<u32> {
        self.types
            .iter()
            .position(|t| t.name == name && t.kind.number() == kind)
            .map(|i| i as u32 + 1)
    }

    /// Appends every type of `other` (an object's BTF is the union of its programs' and maps'),
    /// renumbering its references; returns the offset added to `other`'s ids (an id `i` of
    /// `other` is `i + offset` here; `void`, 0, stays 0).
    pub fn append(&mut self, other: &Btf) -> u32 {
        let offset = self.types.len() as u32;
        let shift = |id: &mut u32| {
            if *id != 0 {
                *id += offset;
            }
        };
        for t in &other.types {
            let mut t = t.clone();
            match &mut t.kind {
                Kind::Ptr(id)
                | Kind::Typedef(id)
                | Kind::Volatile(id)
                | Kind::Const(id)
                | Kind::Restrict(id)
                | Kind::TypeTag(id)
                | Kind::Func { proto: id, .. }
                | Kind::Var { ty: id, .. }
                | Kind::DeclTag { ty: id, .. } => shift(id),
                Kind::Array { elem, index, .. } => {
                    shift(elem);
                    shift(index);
                }
                Kind::Struct { members, .. } | Kind::Union { members, .. } => {
                    members.iter_mut().for_each(|m| shift(&mut m.ty))
                }
                Kind::FuncProto { ret, params } => {
                    shift(ret);
                    params.iter_mut().for_each(|p| shift(&mut p.ty));
                }
                Kind::Datasec { vars, .. } => vars.iter_mut().for_each(|v| shift(&mut v.ty)),
                Kind::Int { .. }
                | Kind::Enum { .. }
                | Kind::Enum64 { .. }
                | Kind::Fwd { .. }
                | Kind::Float { .. } => {}
            }
            self.push(t);
        }
        offset
    }

    /// The size in bytes of a type, following typedefs and modifiers (`None`: no size, e.g.
    /// a function, or a broken reference).
    pub fn size_of(&self, id: u32) -> Option<u32> {
        let mut id = id;
        // The element counts of the arrays on the way, multiplied: a loop, not a recursion,
        // so that an array of itself (a malformed object's BTF) is `None`, not a stack
        // overflow. 64 steps in all, modifiers and arrays (the kernel resolves 32).
        let mut count = 1u64;
        let total =
            |size: u32, count: u64| u32::try_from(u64::from(size).saturating_mul(count)).ok();
        for _ in 0..64 {
            let t = self.get(id)?;
            match &t.kind {
                Kind::Int { size, .. }
                | Kind::Struct { size, .. }
                | Kind::Union { size, .. }
                | Kind::Enum { size, .. }
                | Kind::Enum64 { size, .. }
                | Kind::Datasec { size, .. }
                | Kind::Float { size } => return total(*size, count),
                Kind::Ptr(_) => return total(8, count),
                Kind::Array { elem, nelems, .. } => {
                    count = count.saturating_mul(u64::from(*nelems));
                    id = *elem;
                }
                Kind::Typedef(t)
                | Kind::Volatile(t)
                | Kind::Const(t)
                | Kind::Restrict(t)
                | Kind::TypeTag(t)
                | Kind::Var { ty: t, .. } => id = *t,
                _ => return None,
            }
        }
        None
    }
}

/// A malformed `.BTF` or `.BTF.ext` blob: which section, at which byte offset, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BtfError {
    /// `.BTF` or `.BTF.ext`.
    pub section: &'static str,
    /// Byte offset in that section.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for BtfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at offset {}: {}",
            self.section, self.offset, self.message
        )
    }
}

impl std::error::Error for BtfError {}

/// A string table under construction: `"\0"` first, each string stored once.
#[derive(Clone, Debug)]
pub struct StringTable {
    bytes: Vec<u8>,
    offsets: HashMap<String, u32>,
}

impl Default for StringTable {
    fn default() -> StringTable {
        let mut offsets = HashMap::new();
        offsets.insert(String::new(), 0);
        StringTable {
            bytes: vec![0],
            offsets,
        }
    }
}

impl StringTable {
    /// An empty table (just the empty string at offset 0).
    pub fn new() -> StringTable {
        StringTable::default()
    }

    /// The offset of `s`, adding it if new.
    pub fn add(&mut self, s: &str) -> u32 {
        if let Some(&o) = self.offsets.get(s) {
            return o;
        }
        let o = self.bytes.len() as u32;
        self.bytes.extend_from_slice(s.as_bytes());
        self.bytes.push(0);
        self.offsets.insert(s.to_string(), o);
        o
    }

    /// The table's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod index_tests {
    use super::{Btf, Kind, Type};

    fn int(name: &str) -> Type {
        Type::new(
            name,
            Kind::Int {
                size: 4,
                encoding: 0,
                offset: 0,
                bits: 32,
            },
        )
    }

    /// BTF made from a list of types (as decoded) has no reuse index until `add` needs one;
    /// then `add` reuses the first id of an identical type, as with an index built up front,
    /// and a type `push`ed before that first `add` is found too.
    #[test]
    fn add_after_from_types_reuses_the_first_identical_type() {
        let mut b = Btf::from_types(vec![int("a"), int("b"), int("a")]);
        assert!(b.index.is_none());
        b.push(int("c"));
        assert_eq!(b.add(int("a")), 1);
        assert!(b.index.is_some());
        assert_eq!(b.add(int("b")), 2);
        assert_eq!(b.add(int("c")), 4);
        assert_eq!(b.add(int("d")), 5);
        assert_eq!(b.add(int("d")), 5);
        b.push(int("d"));
        assert_eq!(b.add(int("d")), 5);
        assert_eq!(b.types.len(), 6);
    }

    /// Sizes of arrays: nested ones multiply; an array of itself or a size past 32 bits (a
    /// malformed object's BTF) has none, where the recursion overflowed the stack before.
    #[test]
    fn array_sizes_are_bounded() {
        let arr = |elem, nelems| {
            Type::new(
                "",
                Kind::Array {
                    elem,
                    index: 1,
                    nelems,
                },
            )
        };
        let b = Btf::from_types(vec![
            int("a"),
            arr(1, 3),
            arr(2, 5),
            arr(4, 2),
            arr(2, 1 << 31),
        ]);
        assert_eq!(b.size_of(3), Some(60));
        assert_eq!(b.size_of(4), None);
        assert_eq!(b.size_of(5), None);
        let zero = Type::new(
            "z",
            Kind::Struct {
                size: 0,
                members: Vec::new(),
            },
        );
        let b = Btf::from_types(vec![zero, arr(1, u32::MAX), arr(2, u32::MAX)]);
        assert_eq!(b.size_of(3), Some(0));
    }
}
