//! Decoder tests: exhaustive round trips and the reserved-field rules.

use super::*;

fn one(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Result<Decoded, DecodeError> {
    decode_at(&[Insn::new(code, dst, src, off, imm)], 0)
}

/// Decode/encode round trip for every opcode byte × register pairs × representative
/// offsets and immediates, and a second slot for `ld_imm64`.
#[test]
fn exhaustive_round_trip() {
    let regs = [0u8, 1, 5, 10, 11, 15];
    let offs = [0i16, 1, 2, 8, 16, 32, -1, i16::MIN, i16::MAX];
    let imms = [
        0i32,
        1,
        -1,
        16,
        32,
        64,
        0x01,
        0x40,
        0x41,
        0x50,
        0x51,
        0xa0,
        0xa1,
        0xe1,
        0xf1,
        0xe0,
        i32::MIN,
        i32::MAX,
    ];
    let seconds = [
        Insn::new(0, 0, 0, 0, 0),
        Insn::new(0, 0, 0, 0, -7),
        Insn::new(0, 1, 0, 0, 0),
        Insn::new(0x07, 0, 0, 0, 0),
        Insn::new(0, 0, 0, 3, 0),
    ];
    let mut valid = 0usize;
    for code in 0..=255u8 {
        for &dst in &regs {
            for &src in &regs {
                for &off in &offs {
                    for &imm in &imms {
                        for second in &seconds {
                            let prog = [Insn::new(code, dst, src, off, imm), *second];
                            let Ok(d) = decode_at(&prog, 0) else { continue };
                            valid += 1;
                            let mut back = Vec::new();
                            d.encode_into(&mut back);
                            assert_eq!(&back[..], &prog[..d.slots()], "{d:?}");
                            if code != 0x18 {
                                break;
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(valid > 10_000, "only {valid} valid encodings");
}

#[test]
fn rejects_reserved_fields() {
    // src set on an immediate ALU op.
    let e = one(0x07, 1, 2, 0, 5).unwrap_err();
    assert_eq!(
        e.kind,
        DecodeErrorKind::ReservedNonZero {
            field: "src",
            value: 2
        }
    );
    // off = 1 on a non-signed-capable op; off = 2 on div.
    assert!(one(0x0f, 1, 2, 1, 0).is_err());
    assert!(matches!(
        one(0x3f, 1, 2, 2, 0).unwrap_err().kind,
        DecodeErrorKind::BadField { field: "off", .. }
    ));
    // movsx 32 only in ALU64.
    assert!(one(0xbc, 1, 2, 32, 0).is_err());
    assert!(one(0xbf, 1, 2, 32, 0).is_ok());
    // bad atomic imm, atomic on bytes.
    assert!(one(0xdb, 1, 2, 0, 0x02).is_err());
    assert!(one(0xd3, 1, 2, 0, 0x00).is_err());
    // registers above 10.
    assert_eq!(
        one(0xbf, 11, 1, 0, 0).unwrap_err().kind,
        DecodeErrorKind::BadRegister {
            field: "dst",
            value: 11
        }
    );
    // exit with garbage, unknown ops.
    assert!(one(0x95, 0, 0, 0, 1).is_err());
    assert!(one(0xe7, 0, 0, 0, 0).is_err());
    assert!(one(0xf5, 0, 0, 0, 0).is_err());
    assert!(one(0x86, 0, 0, 0, 1).is_err());
    // endian width.
    assert!(one(0xdc, 1, 0, 0, 24).is_err());
    assert!(one(0xdf, 1, 0, 0, 16).is_err());
    // LD_ABS of 8 bytes, dst set on LD_ABS.
    assert!(one(0x38, 0, 0, 0, 4).is_err());
    assert!(one(0x30, 1, 0, 0, 4).is_err());
    // helper call with nonzero off, unknown call kind.
    assert!(one(0x85, 0, 0, 1, 1).is_err());
    assert!(one(0x85, 0, 3, 0, 1).is_err());
}

#[test]
fn ld_imm64_forms() {
    let p = [
        Insn::new(0x18, 1, 0, 0, 0x89abcdef_u32 as i32),
        Insn::new(0, 0, 0, 0, 0x01234567),
    ];
    assert_eq!(
        decode(&p).unwrap(),
        vec![Decoded::LdImm64 {
            dst: Reg::R1,
            value: 0x0123_4567_89ab_cdef
        }]
    );
    let e = decode(&p[..1]).unwrap_err();
    assert_eq!((e.index, e.kind), (0, DecodeErrorKind::TruncatedLdImm64));
    let bad = [p[0], Insn::new(0, 0, 0, 1, 0)];
    let e = decode(&bad).unwrap_err();
    assert_eq!(e.index, 1);
    assert!(matches!(
        e.kind,
        DecodeErrorKind::BadLdImm64Second { field: "off", .. }
    ));
    // map fd with a second imm is rejected, map value with an offset is fine.
    assert!(decode(&[Insn::new(0x18, 1, 1, 0, 3), Insn::new(0, 0, 0, 0, 8)]).is_err());
    assert_eq!(
        decode(&[Insn::new(0x18, 1, 2, 0, 3), Insn::new(0, 0, 0, 0, 8)]).unwrap(),
        vec![Decoded::LdPseudo {
            dst: Reg::R1,
            kind: PseudoLd::MapValue,
            imm: 3,
            next_imm: 8
        }]
    );
    assert!(decode(&[Insn::new(0x18, 1, 7, 0, 3), Insn::new(0, 0, 0, 0, 0)]).is_err());
}

#[test]
fn bytes() {
    let e = decode_bytes(&[0x95, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::BadLength { len: 9 });
    assert!(e.to_string().contains("not a multiple of 8"));
    assert_eq!(
        decode_bytes(&[0x95, 0, 0, 0, 0, 0, 0, 0]).unwrap(),
        vec![Decoded::Exit]
    );
    assert_eq!(decode_bytes(&[]).unwrap(), vec![]);
}

/// A small deterministic generator (xorshift) so the test needs no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes_never_panic_and_round_trip() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut ok = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 41) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Bias towards plausible programs: mostly small register nibbles.
        for chunk in bytes.chunks_mut(8) {
            if chunk.len() > 1 && rng.next().is_multiple_of(2) {
                chunk[1] &= 0x33;
            }
        }
        match decode_bytes(&bytes) {
            Ok(prog) => {
                ok += 1;
                assert_eq!(crate::isa::insn::to_bytes(&encode(&prog)), bytes);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    assert!(ok > 0);
}
