//! The instruction set, the bottom layer: everything here depends on nothing else in the crate.
//!
//! - [`insn`]: the 8-byte slot [`insn::Insn`] and each opcode field as a small type.
//! - [`decode`]: slots to typed instructions and back — the crate's only decoder; the
//!   disassembler, the assembler's checks and the verifier's control-flow graph all read
//!   instructions through it.
//! - [`consts`]: the named constants of the kernel's UAPI headers (`XDP_PASS`, `BPF_ANY`, ...).
//! - [`helpers`]: the helper table, one row per helper: number, name and (for the helpers the
//!   verifier models) the prototype — argument and return kinds, program families, GPL flag.
//! - [`ctx`]: the context layouts (`struct xdp_md`, `struct __sk_buff`), field by offset.

pub mod consts;
pub mod ctx;
pub mod decode;
pub mod helpers;
pub mod insn;
