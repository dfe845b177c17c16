//! The arithmetic of RFC 9669, as pure functions: 64- and 32-bit ALU operations (division by
//! zero gives 0, modulo by zero keeps `dst`, shift amounts masked, 32-bit results
//! zero-extended), byte swaps, sign-extending moves and jump conditions.

use crate::decode::{AluBinOp, Endian, JmpCond};

/// `dst op src` on 64 bits.
#[inline(always)]
pub fn alu64(op: AluBinOp, dst: u64, src: u64) -> u64 {
    match op {
        AluBinOp::Add => dst.wrapping_add(src),
        AluBinOp::Sub => dst.wrapping_sub(src),
        AluBinOp::Mul => dst.wrapping_mul(src),
        AluBinOp::Div => dst.checked_div(src).unwrap_or(0),
        AluBinOp::SDiv => {
            if src == 0 {
                0
            } else {
                (dst as i64).wrapping_div(src as i64) as u64
            }
        }
        AluBinOp::Mod => dst.checked_rem(src).unwrap_or(dst),
        AluBinOp::SMod => {
            if src == 0 {
                dst
            } else {
                (dst as i64).wrapping_rem(src as i64) as u64
            }
        }
        AluBinOp::Or => dst | src,
        AluBinOp::And => dst & src,
        AluBinOp::Xor => dst ^ src,
        AluBinOp::Lsh => dst << (src & 63),
        AluBinOp::Rsh => dst >> (src & 63),
        AluBinOp::Arsh => ((dst as i64) >> (src & 63)) as u64,
        AluBinOp::Mov => src,
    }
}

/// `dst op src` on the low 32 bits; the result is zero-extended.
#[inline(always)]
pub fn alu32(op: AluBinOp, dst: u64, src: u64) -> u64 {
    let (d, s) = (dst as u32, src as u32);
    let r = match op {
        AluBinOp::Add => d.wrapping_add(s),
        AluBinOp::Sub => d.wrapping_sub(s),
        AluBinOp::Mul => d.wrapping_mul(s),
        AluBinOp::Div => d.checked_div(s).unwrap_or(0),
        AluBinOp::SDiv => {
            if s == 0 {
                0
            } else {
                (d as i32).wrapping_div(s as i32) as u32
            }
        }
        AluBinOp::Mod => d.checked_rem(s).unwrap_or(d),
        AluBinOp::SMod => {
            if s == 0 {
                d
            } else {
                (d as i32).wrapping_rem(s as i32) as u32
            }
        }
        AluBinOp::Or => d | s,
        AluBinOp::And => d & s,
        AluBinOp::Xor => d ^ s,
        AluBinOp::Lsh => d << (s & 31),
        AluBinOp::Rsh => d >> (s & 31),
        AluBinOp::Arsh => ((d as i32) >> (s & 31)) as u32,
        AluBinOp::Mov => s,
    };
    r as u64
}

/// `be16/32/64`, `le16/32/64`, `bswap16/32/64` on a little-endian machine (the kernel's BPF
/// is little-endian here): the low `bits` bits converted, zero-extended.
pub fn endian(kind: Endian, bits: u8, v: u64) -> u64 {
    let swap = !matches!(kind, Endian::Le);
    match (bits, swap) {
        (16, false) => v as u16 as u64,
        (16, true) => (v as u16).swap_bytes() as u64,
        (32, false) => v as u32 as u64,
        (32, true) => (v as u32).swap_bytes() as u64,
        (_, false) => v,
        (_, true) => v.swap_bytes(),
    }
}

/// Sign-extends the low `bits` bits of `v` to 64 bits.
#[inline(always)]
pub fn sext(v: u64, bits: u8) -> u64 {
    match bits {
        8 => v as i8 as i64 as u64,
        16 => v as i16 as i64 as u64,
        32 => v as i32 as i64 as u64,
        _ => v,
    }
}

/// Whether a conditional jump is taken, comparing 64 bits (`wide`) or the low 32.
#[inline(always)]
pub fn cond(c: JmpCond, wide: bool, a: u64, b: u64) -> bool {
    let (ua, ub, sa, sb) = if wide {
        (a, b, a as i64, b as i64)
    } else {
        (
            a as u32 as u64,
            b as u32 as u64,
            a as i32 as i64,
            b as i32 as i64,
        )
    };
    match c {
        JmpCond::Eq => ua == ub,
        JmpCond::Ne => ua != ub,
        JmpCond::Gt => ua > ub,
        JmpCond::Ge => ua >= ub,
        JmpCond::Lt => ua < ub,
        JmpCond::Le => ua <= ub,
        JmpCond::Set => ua & ub != 0,
        JmpCond::Sgt => sa > sb,
        JmpCond::Sge => sa >= sb,
        JmpCond::Slt => sa < sb,
        JmpCond::Sle => sa <= sb,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_and_modulo_by_zero() {
        assert_eq!(alu64(AluBinOp::Div, 7, 0), 0);
        assert_eq!(alu64(AluBinOp::SDiv, 7, 0), 0);
        assert_eq!(alu64(AluBinOp::Mod, 7, 0), 7);
        assert_eq!(alu64(AluBinOp::SMod, 7, 0), 7);
        // 32-bit: modulo by zero keeps the low half, zero-extended.
        assert_eq!(alu32(AluBinOp::Mod, 0x1_0000_0007, 0), 7);
        assert_eq!(alu32(AluBinOp::Div, 0x1_0000_0007, 0x1_0000_0000), 0);
    }

    #[test]
    fn signed_overflow_wraps() {
        assert_eq!(
            alu64(AluBinOp::SDiv, i64::MIN as u64, u64::MAX),
            i64::MIN as u64
        );
        assert_eq!(alu64(AluBinOp::SMod, i64::MIN as u64, u64::MAX), 0);
        assert_eq!(
            alu32(AluBinOp::SDiv, i32::MIN as u32 as u64, u32::MAX as u64),
            0x8000_0000
        );
        assert_eq!(alu64(AluBinOp::SMod, (-7i64) as u64, 2), (-1i64) as u64);
    }

    #[test]
    fn shifts_are_masked() {
        assert_eq!(alu64(AluBinOp::Lsh, 1, 65), 2);
        assert_eq!(alu32(AluBinOp::Lsh, 1, 33), 2);
        assert_eq!(alu32(AluBinOp::Arsh, 0x8000_0000, 4), 0xf800_0000);
        assert_eq!(alu64(AluBinOp::Arsh, 1 << 63, 63), u64::MAX);
    }

    #[test]
    fn swaps_and_extensions() {
        assert_eq!(endian(Endian::Be, 16, 0x1122_3344), 0x4433);
        assert_eq!(endian(Endian::Le, 32, 0x1_1122_3344), 0x1122_3344);
        assert_eq!(endian(Endian::Bswap, 64, 0x0102), 0x0201 << 48);
        assert_eq!(sext(0x80, 8), 0xffff_ffff_ffff_ff80);
        assert_eq!(sext(0x7fff, 16), 0x7fff);
    }

    #[test]
    fn conditions() {
        assert!(cond(JmpCond::Slt, true, u64::MAX, 0));
        assert!(!cond(JmpCond::Lt, true, u64::MAX, 0));
        assert!(cond(JmpCond::Eq, false, 0x1_0000_0005, 5));
        assert!(cond(JmpCond::Sgt, false, 1, 0xffff_ffff));
        assert!(cond(JmpCond::Set, true, 6, 2));
    }
}
