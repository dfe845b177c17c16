//! # ebpf-dsl
//!
//! The eBPF instruction set, an assembler for the syntax the kernel verifier, bpftool and
//! llvm-objdump print (`r4 = *(u32 *)(r6 + 16)`), a builder API mirroring clj-ebpf's `dsl`
//! and `dsl.xdp`, XDP snippets, a disassembler and a static verifier. No operating-system code:
//! this crate builds on any OS.
#![deny(missing_docs)]

pub mod insn;
pub mod spec;

pub use insn::{Class, Insn, Reg};
pub use spec::{MapSpec, MapType, ProgramSpec, ProgramType, RelocKind, Relocation};
pub mod ir;
pub mod snippet;
pub use ir::{Item, ItemKind, Span, Target};
pub mod asm;
pub mod consts;
pub mod decode;
pub mod disasm;
pub mod dsl;
pub mod helpers;
pub mod seeds;
pub mod verifier;
pub mod xdp;
