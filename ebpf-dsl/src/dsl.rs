//! The builder API, mirroring clj-ebpf's `dsl` namespace: the instruction builders of
//! [`crate::ir::build`] (`mov`, `ldx`, `jmp_imm`, ..., one function per instruction form) and
//! the pipeline of [`crate::program`] ([`assemble`], [`Program`]), under one path.
//!
//! ```
//! use ebpf_dsl::dsl::*;
//! use ebpf_dsl::Reg;
//!
//! let mut p = Program::xdp("pass");
//! p.push(mov(Reg::R0, 2)).push(exit());
//! assert_eq!(p.build().unwrap().insns.len(), 2);
//! ```

pub use crate::ir::build::*;
pub use crate::program::{assemble, Program};
