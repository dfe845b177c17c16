//! The symbolic program: what the assembler's parser, the builder API and the XDP snippets all
//! produce, before one resolve step turns it into instructions.
//!
//! Labels and map references stay *names* here (as in cilium/ebpf's `asm` package); they become
//! jump offsets and relocations only in the assembler's resolve step. Every item may
//! carry the [`Span`] of the source text it came from, so errors point at it.

pub mod build;

use std::borrow::Cow;

use crate::isa::insn::{Insn, Reg};
use crate::spec::RelocKind;

/// A byte range in the source text an item came from (`start..end`, UTF-8 byte offsets).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// Where a jump or call goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// A raw relative distance in slots, as encoded (`goto +3`).
    Offset(i32),
    /// A label defined somewhere in the same program.
    Label(Cow<'static, str>),
}

/// A value that only the code embedding the program knows (a Rust `const` interpolated into
/// `defprogram!`). The resolve step leaves the field at 0 and reports where it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExternValue {
    /// The name or expression text, as the embedder gave it.
    pub name: Cow<'static, str>,
}

/// Which field of an instruction an [`ExternValue`] fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternField {
    /// The 32-bit `imm` of a slot.
    Imm32,
    /// The 16-bit `off` of a slot.
    Off16,
    /// Both `imm`s of an `ld_imm64` pair (a 64-bit constant).
    Imm64,
}

/// One item of a symbolic program.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// A complete one-slot instruction.
    Insn(Insn),
    /// A jump (`JMP`/`JMP32` conditional or `goto`) whose `off` (or, for `gotol`, `imm`) is
    /// filled from `target` at resolve time; every other field is taken from `insn`.
    Jump {
        /// The instruction with the distance field left at 0.
        insn: Insn,
        /// Where it goes.
        target: Target,
    },
    /// A bpf-to-bpf call (`call label`, `src = BPF_PSEUDO_CALL`): `imm` gets the distance.
    Call {
        /// Where it goes.
        target: Target,
    },
    /// `ld_imm64` of a function's address (`r2 = loop_cb ll`, `src = BPF_PSEUDO_FUNC`, two
    /// slots): the callback argument of `bpf_loop`, `bpf_for_each_map_elem`, ... The first
    /// slot's `imm` gets the distance to `target`, counted like a call's.
    FuncRef {
        /// Destination register.
        dst: Reg,
        /// The callback's first instruction.
        target: Target,
    },
    /// `ld_imm64` of a 64-bit constant or a pseudo form given as numbers (two slots).
    LdImm64 {
        /// Destination register.
        dst: Reg,
        /// The `src` field (`BPF_PSEUDO_*`, 0 for a plain constant).
        src: u8,
        /// The low 32 bits go to the first slot's `imm`, the high 32 bits to the second's.
        imm: i64,
    },
    /// `ld_imm64` naming a map (`r1 = xsks ll`): becomes a [`crate::spec::Relocation`].
    MapRef {
        /// Destination register.
        dst: Reg,
        /// The map's name (its [`crate::spec::MapSpec::name`] at load time).
        map: Cow<'static, str>,
        /// Map fd or map value address.
        kind: RelocKind,
    },
    /// An instruction with a field given by an [`ExternValue`]. For [`ExternField::Imm64`]
    /// `insn` is the first slot of the `ld_imm64` pair.
    Extern {
        /// The instruction with the field left at 0.
        insn: Insn,
        /// Which field.
        field: ExternField,
        /// The value's name.
        value: ExternValue,
    },
    /// A conditional jump that compares with an [`ExternValue`] (`if r1 > {MAX} goto drop` in
    /// `defprogram!`): its distance is resolved from `target` as for [`ItemKind::Jump`], and
    /// its `imm` is reported like an [`ItemKind::Extern`] with [`ExternField::Imm32`].
    ExternJump {
        /// The instruction with `off` and `imm` left at 0.
        insn: Insn,
        /// Where it goes.
        target: Target,
        /// The value compared with.
        value: ExternValue,
    },
    /// A jump target: the next instruction's index gets this name.
    Label(Cow<'static, str>),
    /// A map declaration (`.map` in the text): no instruction; the resolve step lists it in
    /// [`crate::asm::Assembled::maps`] (and its initial contents in `Assembled::data`).
    Map(Box<MapDecl>),
    /// The program's ELF section (`.section NAME` in the text, [`crate::asm::section`]): no
    /// instruction; the resolve step puts it in [`crate::asm::Assembled::section`].
    Section(String),
    /// A global function (`.global_func` in the text, [`crate::asm::globaldecl`]): no
    /// instruction; the resolve step finds its label and lists it in
    /// [`crate::asm::Assembled::globals`].
    GlobalFunc(Box<crate::btf::GlobalFunc>),
}

/// A map the program declares itself (`.map NAME TYPE ... [init=HEX]`), with its initial
/// contents, if any (the value of key 0 of an array map, e.g. `.rodata`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapDecl {
    /// The map.
    pub spec: crate::spec::MapSpec,
    /// Its initial contents (shorter than a value: the rest is zero).
    pub init: Option<Vec<u8>>,
    /// The offset of the `struct bpf_spin_lock` in its value (`spin_lock=OFFSET`), if any.
    pub spin_lock: Option<u32>,
    /// The offset of the `struct bpf_timer` in its value (`timer=OFFSET`), if any.
    pub timer: Option<u32>,
}

/// An [`ItemKind`] with the source span it came from, if any.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Item {
    /// What it is.
    pub kind: ItemKind,
    /// Where it came from in the source (none for items built by the builder API).
    pub span: Option<Span>,
}

impl Item {
    /// An item with no source span.
    pub fn new(kind: ItemKind) -> Item {
        Item { kind, span: None }
    }

    /// The same item, with a source span.
    pub fn with_span(mut self, span: Span) -> Item {
        self.span = Some(span);
        self
    }

    /// How many instruction slots this item occupies (0 for labels, 2 for `ld_imm64` forms).
    pub fn slots(&self) -> usize {
        match &self.kind {
            ItemKind::Label(_)
            | ItemKind::Map(_)
            | ItemKind::Section(_)
            | ItemKind::GlobalFunc(_) => 0,
            ItemKind::LdImm64 { .. } | ItemKind::MapRef { .. } | ItemKind::FuncRef { .. } => 2,
            ItemKind::Extern {
                field: ExternField::Imm64,
                ..
            } => 2,
            _ => 1,
        }
    }
}

impl From<Insn> for Item {
    fn from(insn: Insn) -> Item {
        Item::new(ItemKind::Insn(insn))
    }
}

impl From<ItemKind> for Item {
    fn from(kind: ItemKind) -> Item {
        Item::new(kind)
    }
}
