//! [`DecodeError`]: which slot is invalid and why.

use core::fmt;

/// Why a slot failed to decode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The opcode byte names no instruction (reserved class/operation/mode/size combination).
    UnknownOpcode {
        /// The opcode byte.
        code: u8,
        /// Which part of the opcode is undefined.
        why: &'static str,
    },
    /// A register field holds 11 to 15 (only `r0`-`r10` exist).
    BadRegister {
        /// `"dst"` or `"src"`.
        field: &'static str,
        /// The field's value.
        value: u8,
    },
    /// A field this instruction does not use is not zero.
    ReservedNonZero {
        /// `"dst"`, `"src"`, `"off"` or `"imm"`.
        field: &'static str,
        /// The field's value.
        value: i64,
    },
    /// A field has a value this instruction does not define (e.g. `off = 2` on a division,
    /// `imm = 24` on `be`, an unknown atomic operation).
    BadField {
        /// `"src"`, `"off"` or `"imm"`.
        field: &'static str,
        /// The field's value.
        value: i64,
        /// The values that are allowed.
        expected: &'static str,
    },
    /// `ld_imm64` is the last slot: its second half is missing.
    TruncatedLdImm64,
    /// The second slot of an `ld_imm64` has a nonzero opcode, register or offset field.
    BadLdImm64Second {
        /// The offending field: `"code"`, `"dst"`, `"src"` or `"off"`.
        field: &'static str,
        /// The field's value.
        value: i64,
    },
    /// [`decode_at`](super::decode_at) was asked for a slot past the end of the program.
    PastEnd {
        /// The number of slots in the program.
        len: usize,
    },
    /// Raw program bytes whose length is not a multiple of 8 (the size of a slot).
    BadLength {
        /// The number of bytes given.
        len: usize,
    },
}

/// A slot that does not decode: where (`index`, in 8-byte slots) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// The index of the offending slot (for [`DecodeErrorKind::BadLength`], the number of
    /// whole slots).
    pub index: usize,
    /// The opcode byte of the offending slot (0 for [`DecodeErrorKind::BadLength`]).
    pub code: u8,
    /// The reason.
    pub kind: DecodeErrorKind,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let DecodeErrorKind::BadLength { len } = self.kind {
            return write!(
                f,
                "program is {len} bytes, not a multiple of 8 (one instruction slot is 8 bytes; \
                 {} trailing bytes after slot {}): is this a raw little-endian program?",
                len % 8,
                self.index
            );
        }
        write!(f, "slot {} (opcode {:#04x}): ", self.index, self.code)?;
        match &self.kind {
            DecodeErrorKind::UnknownOpcode { why, .. } => write!(f, "unknown opcode: {why}"),
            DecodeErrorKind::BadRegister { field, value } => {
                write!(
                    f,
                    "register field `{field}` is {value}; only r0 to r10 exist"
                )
            }
            DecodeErrorKind::ReservedNonZero { field, value } => write!(
                f,
                "reserved field `{field}` is {value} but must be 0 for this instruction"
            ),
            DecodeErrorKind::BadField {
                field,
                value,
                expected,
            } => write!(f, "field `{field}` is {value}; expected {expected}"),
            DecodeErrorKind::TruncatedLdImm64 => write!(
                f,
                "ld_imm64 needs two slots but the program ends after the first"
            ),
            DecodeErrorKind::BadLdImm64Second { field, value } => write!(
                f,
                "second slot of ld_imm64 has `{field}` = {value}; only its imm may be nonzero"
            ),
            DecodeErrorKind::PastEnd { len } => {
                write!(f, "no such slot: the program has {len} slots")
            }
            DecodeErrorKind::BadLength { .. } => Ok(()),
        }
    }
}

impl std::error::Error for DecodeError {}

pub(super) fn err(index: usize, code: u8, kind: DecodeErrorKind) -> DecodeError {
    DecodeError { index, code, kind }
}
