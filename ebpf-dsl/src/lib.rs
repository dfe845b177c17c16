//! # ebpf-dsl
//!
//! The eBPF instruction set, an assembler for the syntax the kernel verifier, bpftool and
//! llvm-objdump print (`r4 = *(u32 *)(r6 + 16)`), a builder API mirroring clj-ebpf's `dsl`
//! and `dsl.xdp`, XDP snippets, a disassembler and a static verifier. No operating-system code:
//! this crate builds on any OS; `xsk-runtime` loads what it produces into the kernel.
//!
//! Three ways to write a program, one representation: assembler text ([`asm`], and
//! `defprogram!` in `ebpf-dsl-macros`, which runs the same parser at compile time), builder
//! calls ([`dsl`], [`xdp`]), and snippets invoked from either ([`snippet`]) all produce symbolic
//! [`Item`]s (labels and map names still names); one resolve step turns them into [`Insn`]s
//! plus [`Relocation`]s, and the same structural checks run on the result.
//!
//! ```
//! use ebpf_dsl::dsl::{self, Program};
//! use ebpf_dsl::insn::{JmpOp, Size};
//! use ebpf_dsl::{MapSpec, MapType, Reg};
//!
//! // 1. Assembler text: send each packet to the AF_XDP socket of its receive queue, or drop it.
//! let text = "
//!     r2 = *(u32 *)(r1 + 16)      # r2 = ctx->rx_queue_index
//!     r1 = xsks ll                # the XSKMAP, by name: a relocation for the loader
//!     r3 = XDP_PASS               # fallback action if the queue has no socket
//!     call bpf_redirect_map
//!     if r0 == XDP_REDIRECT goto out
//!     r0 = XDP_DROP
//! out:
//!     exit
//! ";
//! let from_text = ebpf_dsl::assemble(text)?;
//! assert_eq!(from_text.insns.len(), 8); // `ld_imm64` takes two slots
//! assert_eq!(from_text.relocations[0].symbol, "xsks");
//!
//! // 2. The same program from the builder API, e.g. generated at run time from data.
//! let mut p = Program::xdp("xsk_by_queue");
//! p.map(MapSpec {
//!     name: "xsks".into(),
//!     map_type: MapType::Xskmap,
//!     key_size: 4,
//!     value_size: 4,
//!     max_entries: 64,
//!     flags: 0,
//!     btf: None,
//!     inner: None,
//! });
//! p.push(dsl::ldx(Size::W, Reg::R2, Reg::R1, 16))
//!     .push(dsl::ld_map_fd(Reg::R1, "xsks"))
//!     .push(dsl::mov(Reg::R3, 2))
//!     .push(dsl::call_helper("bpf_redirect_map").unwrap())
//!     .push(dsl::jmp_imm(JmpOp::Jeq, Reg::R0, 4, "out"))
//!     .push(dsl::mov(Reg::R0, 1))
//!     .push(dsl::label("out"))
//!     .push(dsl::exit());
//! let spec = p.build()?; // a ProgramSpec, what xsk-runtime loads
//! assert_eq!(spec.insns.as_ref(), from_text.insns.as_slice());
//!
//! // 3. The disassembler prints what llvm-objdump prints, with labels; the text reassembles
//! //    to the same instructions.
//! let listing = ebpf_dsl::disasm::disassemble(&from_text.insns)?;
//! assert_eq!(listing, "\
//! \tw2 = *(u32 *)(r1 + 0x10)
//! \tld_pseudo r1, 0x1, 0x0
//! \tr3 = 0x2
//! \tcall 0x33 # bpf_redirect_map
//! \tif r0 == 0x4 goto L7
//! \tr0 = 0x1
//! L7:
//! \texit
//! ");
//! assert_eq!(ebpf_dsl::assemble(&listing)?.insns, from_text.insns);
//!
//! // Mistakes are reported all at once, with line and column.
//! let err = ebpf_dsl::assemble("r0 = 1\nr11 = 2\nr0 /= 0\nexit").unwrap_err();
//! assert_eq!(err.diagnostics().len(), 2); // a bad register, a division by zero
//! assert!(err.render("prog.s").starts_with("prog.s:2:1: error: "));
//! # Ok::<(), ebpf_dsl::Error>(())
//! ```
//!
//! # Modules
//!
//! In layers, bottom up; each uses only the ones before it (`tests/layers.rs` checks it), and
//! the order is the data flow: text or builder calls → symbolic items → resolve → check →
//! verify → [`ProgramSpec`].
//!
//! | layer | module | what |
//! |---|---|---|
//! | 0 | [`names`] | the kernel's object-name rule (15 characters of `[A-Za-z0-9_.]`) and the one "did you mean" matcher |
//! | 1 | [`isa`] | the instruction set: [`insn`] ([`Insn`], each opcode field as a small type, [`Reg`]), [`decode`] (the only decoder: slots ⇄ [`decode::Decoded`], [`decode::DecodeError`] with its reason), [`consts`] (`XDP_PASS`, `BPF_ANY`, ...), [`helpers`] (one row per helper: number, name, prototype), [`isa::ctx`] (`struct xdp_md` / `struct __sk_buff` layouts) |
//! | 1 | [`btf`] | BTF and `.BTF.ext` writer and reader (checked against clang and bpftool), the [`btf::BtfType`] trait for Rust types, a program's `func_info` / `line_info` ([`btf::SourceLine`]) |
//! | 2 | [`spec`] | [`MapSpec`], [`ProgramSpec`], [`Relocation`]: what a loader needs |
//! | 2 | [`mapdef`] | [`MapDef`]: a `defmap!` item, its key, value and map kind in its type |
//! | 3 | [`ir`] | the symbolic program ([`Item`]: labels and map names still names) and [`ir::build`], one builder per instruction form |
//! | 4 | [`xdp`] | clj-ebpf's `dsl.xdp`: actions, context fields, redirects to AF_XDP sockets, bounds-checked parsing; [`xdp::seeds`], the ready-made redirect programs |
//! | 5 | [`snippet`] | the [`xdp`] functions as named statements (`redirect_to_xsk_by_queue!(xsks)`) for the assembler text and `defprogram!` |
//! | 6 | [`asm`] | the assembler: `lexer` → `parser` (one file per construct) → `resolve` → `check`, with `diag`nostics; LLVM 19's grammar plus labels, helper names, named constants, map names and snippets |
//! | 6 | [`disasm`] | `Display` for instructions, like `llvm-objdump-19`, and whole programs with labels |
//! | 6 | [`elf`] | ELF objects in ([`elf::read_object`]: clang's `.o` → [`ProgramSpec`]s and [`MapSpec`]s) and out ([`elf::write_object`]) |
//! | 6 | [`verifier`] | a static verifier that rejects what the kernel's verifier would |
//! | 8 | [`vm`] | an interpreter with the kernel's semantics, maps and helpers in memory, to unit-test programs without root
//! | 7 | [`error`] | [`Error`], the one error type every stage's error converts into |
//! | 8 | [`program`] | the builder pipeline: [`dsl::assemble`] and [`dsl::Program`] (build, build and verify) |
//! | 9 | [`dsl`] | the builder API under one path (clj-ebpf's `dsl`): [`ir::build`] + [`program`] |
//!
//! [`insn`], [`decode`], [`consts`], [`helpers`] (in [`isa`]) and [`seeds`] (in [`xdp`]) are
//! also reachable at the crate root, as before the layering.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

// The layers, bottom up: each module uses only the ones above it in this list
// (tests/layers.rs checks it).
pub mod asm;
pub mod btf;
pub mod disasm;
pub mod dsl;
pub mod elf;
pub mod error;
pub mod ir;
pub mod isa;
pub mod mapdef;
pub mod names;
pub mod program;
pub mod snippet;
pub mod spec;
pub mod verifier;
pub mod vm;
pub mod xdp;

pub use isa::{consts, decode, helpers, insn};
pub use xdp::seeds;

pub use error::{Error, Result};
pub use insn::{Class, Insn, Reg};
pub use ir::{Item, ItemKind, Span, Target};
pub use mapdef::{map_kind, MapDef, MapKind};
pub use spec::{MapSpec, MapType, ProgramSpec, ProgramType, RelocKind, Relocation};

/// Assembles `src` (the text syntax of [`asm`]), running the structural checks, into
/// instructions and relocations. The same as [`asm::assemble`], with the crate's [`Error`]:
/// it carries the source, so that its `Display` names lines and columns and
/// [`Error::render`] shows the offending line; a misspelt helper or constant name gets a
/// suggestion ([`asm::suggest`]).
///
/// ```
/// let err = ebpf_dsl::assemble("r1 = 0\ncall bpf_redirect_mapp\nexit").unwrap_err();
/// assert!(err.to_string().ends_with("did you mean `bpf_redirect_map`?"), "{err}");
/// ```
pub fn assemble(src: &str) -> Result<asm::Assembled> {
    asm::assemble(src).map_err(|mut d| {
        asm::add_suggestions(src, &mut d);
        Error::from(d).with_source(src)
    })
}

/// The crate README's examples, run as doctests so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[allow(dead_code)]
struct ReadmeDoctests;
