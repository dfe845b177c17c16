//! Decoding with validation: raw slots ([`Insn`]) to a typed view of each instruction
//! ([`Decoded`]), and back ([`Decoded::encode_into`], [`encode`]).
//!
//! [`decode`] accepts exactly the instructions of RFC 9669 (ISA v1 to v4, including the
//! legacy packet loads) plus what LLVM 19 adds: `callx` (as LLVM encodes it), `may_goto` and
//! `addr_space_cast` (Linux 6.9), and rejects every slot whose
//! reserved fields are not zero, with the slot index and the reason. On every instruction it
//! accepts, `encode(decode(x)) == x` (tested exhaustively over opcodes and representative
//! fields), so the typed view loses nothing.
//!
//! Validity here is about encoding only: a shift by 64, a division by a zero constant, a jump
//! out of the program or a write to `r10` decode fine (the assembler's checks and the verifier
//! reject those).
//!
//! Rules of the reserved fields, following the kernel verifier (`check_alu_op`,
//! `check_mem_access`, `do_check`) and RFC 9669:
//!
//! | form                          | must be zero                    | other constraints                        |
//! |-------------------------------|---------------------------------|------------------------------------------|
//! | ALU `op dst, imm`             | `src`                           | `off` 0 (1 for `sdiv`/`smod`)            |
//! | ALU `op dst, src`             | `imm`                           | `off` 0 (1 for `sdiv`/`smod`)            |
//! | `mov` / `movsx`               | `imm` (reg), `src` (imm)        | `off` 0, or 8/16 (32-bit), 8/16/32 (64)  |
//! | `addr_space_cast`             |                                 | `ALU64 \| MOV \| X`, `off` 1             |
//! | `may_goto` (0xe5)             | `dst`, `src`, `imm`             |                                          |
//! | `neg` (only `BPF_K`)          | `src`, `off`, `imm`             |                                          |
//! | `le`/`be`/`bswap`             | `src`, `off`                    | `imm` 16, 32 or 64; no `ALU64 \| BPF_X`  |
//! | `LDX` `MEM`/`MEMSX`           | `imm`                           | `MEMSX` only for 1, 2, 4 bytes           |
//! | `ST` `MEM`                    | `src`                           |                                          |
//! | `STX` `MEM`                   | `imm`                           |                                          |
//! | `STX` `ATOMIC` (`W`, `DW`)    |                                 | `imm` a known atomic operation           |
//! | `ld_imm64`                    | `off`; 2nd slot: code, regs, off | `src` 0..=6; 2nd `imm` 0 for map fd/idx, func |
//! | `LD_ABS` (`W`, `H`, `B`)      | `dst`, `src`, `off`             |                                          |
//! | `LD_IND` (`W`, `H`, `B`)      | `dst`, `off`                    |                                          |
//! | `if ... goto` imm / reg       | `src` / `imm`                   |                                          |
//! | `goto` / `gotol`              | regs, `imm` / regs, `off`       |                                          |
//! | `call`                        | `dst`; `off` unless kfunc       | `src` 0 (helper), 1 (local), 2 (kfunc)   |
//! | `callx` (LLVM)                | `src`, `off`, `imm`             | register in `dst`                        |
//! | `exit`                        | everything                      |                                          |

mod decoded;
mod error;
mod flow;
mod forms;
mod slot;
#[cfg(test)]
mod tests;

pub use decoded::Decoded;
pub use error::{DecodeError, DecodeErrorKind};
pub use flow::{flow, Flow};
pub use forms::{AluBinOp, Endian, JmpCond, Operand, Width};

use error::err;
use slot::{decode_alu, decode_jmp, decode_ld_imm64, decode_mem, Slot};

use crate::isa::insn::{
    AluOp, AtomicOp, Class, Insn, JmpOp, Mode, PseudoLd, Reg, Size, Source, BPF_PSEUDO_CALL,
    BPF_PSEUDO_HELPER, BPF_PSEUDO_KFUNC_CALL,
};

/// `BPF_JMP | BPF_JCOND | BPF_K` (0xe5): `may_goto` (Linux 6.9).
pub const BPF_JCOND_K: u8 = 0xe5;

/// Decodes the instruction starting at slot `index` of `insns`, reading the following slot for
/// `ld_imm64`. Never panics: an `index` past the end is reported as a truncated program.
pub fn decode_at(insns: &[Insn], index: usize) -> Result<Decoded, DecodeError> {
    let Some(&insn) = insns.get(index) else {
        return Err(err(index, 0, DecodeErrorKind::PastEnd { len: insns.len() }));
    };
    let s = Slot { index, insn };
    match insn.class() {
        Class::Alu | Class::Alu64 => decode_alu(&s),
        Class::Jmp | Class::Jmp32 => decode_jmp(&s),
        Class::Ld if insn.code == 0x18 => decode_ld_imm64(&s, insns.get(index + 1)),
        _ => decode_mem(&s),
    }
}

/// The two slots of the `ld_imm64` at `index` with its `src` field (the `BPF_PSEUDO_*` kind)
/// and the second slot's `imm` left uninterpreted: `(dst, src, imm64)`. What the verifier
/// reads, since the kernel gives those fields their meaning itself
/// (`resolve_pseudo_ldimm64`). Checked, in this order: the destination register, the reserved
/// `off`, that the second slot exists, and that its opcode, registers and offset are zero.
/// The slot at `index` must be an `ld_imm64` ([`Insn::is_ld_imm64`]).
pub fn ld_imm64_raw(insns: &[Insn], index: usize) -> Result<(Reg, u8, u64), DecodeError> {
    let Some(&insn) = insns.get(index) else {
        return Err(err(index, 0, DecodeErrorKind::PastEnd { len: insns.len() }));
    };
    let s = Slot { index, insn };
    if !insn.is_ld_imm64() {
        return Err(s.unknown("not an ld_imm64 (0x18)"));
    }
    let dst = s.dst()?;
    s.zero("off")?;
    let Some(&n) = insns.get(index + 1) else {
        return Err(s.fail(DecodeErrorKind::TruncatedLdImm64));
    };
    for (field, value) in [
        ("code", i64::from(n.code)),
        ("dst", i64::from(n.dst())),
        ("src", i64::from(n.src())),
        ("off", i64::from(n.off)),
    ] {
        if value != 0 {
            return Err(err(
                index + 1,
                n.code,
                DecodeErrorKind::BadLdImm64Second { field, value },
            ));
        }
    }
    let imm = u64::from(insn.imm as u32) | (u64::from(n.imm as u32) << 32);
    Ok((dst, insn.src(), imm))
}

/// Decodes a whole program: one [`Decoded`] per instruction (an `ld_imm64` is one entry for
/// two slots). The first invalid slot stops decoding with its index and the reason.
pub fn decode(insns: &[Insn]) -> Result<Vec<Decoded>, DecodeError> {
    Ok(decode_indexed(insns)?.into_iter().map(|(_, d)| d).collect())
}

/// Like [`decode`], each instruction paired with the index of its (first) slot.
pub fn decode_indexed(insns: &[Insn]) -> Result<Vec<(usize, Decoded)>, DecodeError> {
    let mut out = Vec::with_capacity(insns.len());
    let mut index = 0;
    while index < insns.len() {
        let d = decode_at(insns, index)?;
        out.push((index, d));
        index += d.slots();
    }
    Ok(out)
}

/// Splits raw program bytes (8 bytes a slot, little endian, as `BPF_PROG_LOAD` takes them and
/// `ebpf-dsl asm` writes them) into slots. Fails if the length is not a multiple of 8.
pub fn insns_from_bytes(bytes: &[u8]) -> Result<Vec<Insn>, DecodeError> {
    if !bytes.len().is_multiple_of(8) {
        return Err(err(
            bytes.len() / 8,
            0,
            DecodeErrorKind::BadLength { len: bytes.len() },
        ));
    }
    Ok(bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            Insn::from_bytes(b)
        })
        .collect())
}

/// Decodes raw program bytes (see [`insns_from_bytes`] and [`decode`]).
pub fn decode_bytes(bytes: &[u8]) -> Result<Vec<Decoded>, DecodeError> {
    decode(&insns_from_bytes(bytes)?)
}

/// Encodes typed instructions back to slots; the exact inverse of [`decode`].
pub fn encode(program: &[Decoded]) -> Vec<Insn> {
    let mut out = Vec::with_capacity(program.len() + 1);
    for d in program {
        d.encode_into(&mut out);
    }
    out
}
