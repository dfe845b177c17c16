use super::super::testkit::*;
use super::*;

#[test]
fn alignment_of_constant_and_variable_offsets() {
    assert!(is_aligned(Tnum::konst(0), 4, 4));
    assert!(!is_aligned(Tnum::konst(0), 3, 4));
    assert!(!is_aligned(Tnum::konst(0), 4, 8));
    // var & 4: {0, 4}
    let v = Tnum { value: 0, mask: 4 };
    assert!(is_aligned(v, 0, 4));
    assert!(!is_aligned(v, 0, 8));
    assert!(is_aligned(v, 8, 4));
    assert!(is_aligned(Tnum::UNKNOWN, 0, 1));
    assert!(!is_aligned(Tnum::UNKNOWN, 0, 2));
}

#[test]
fn without_strict_alignment_plain_accesses_may_be_misaligned() {
    let mut st = state(&[(1, map_value(0, 0))]);
    One::new("r0 = *(u32 *)(r1 + 3)\nexit").next(&mut st);
    One::new("*(u64 *)(r1 + 4) = 0\nexit").next(&mut st);
    let mut st = state(&[(2, pkt(0, 8))]);
    One::new("r0 = *(u32 *)(r2 + 0)\nexit").next(&mut st);
}

#[test]
fn strict_packet_accesses_count_net_ip_align() {
    // data + 2 + 2 is a multiple of 4: aligned; data + 0 + 2 is not.
    let mut st = state(&[(2, pkt(0, 8))]);
    One::new("r0 = *(u32 *)(r2 + 2)\nexit")
        .strict()
        .next(&mut st);
    One::new("r0 = *(u16 *)(r2 + 0)\nexit")
        .strict()
        .next(&mut st);
    One::new("r0 = *(u8 *)(r2 + 1)\nexit")
        .strict()
        .next(&mut st);
    let (rule, msg) = One::new("r0 = *(u32 *)(r2 + 0)\nexit")
        .strict()
        .refused(&mut st);
    assert_eq!(rule, Rule::MemoryAccess);
    assert_eq!(
        msg,
        "misaligned packet access: the 4-byte load through r2, a packet pointer (data + 0) proven safe up to data + 8, at offset 0 is not known to be a multiple of 4 once the kernel's 2 bytes of NET_IP_ALIGN are added (strict alignment judges a packet pointer as if the packet started 2 bytes past an aligned address) (strict alignment: the kernel's `misaligned packet access`)"
    );
    // The pointer's own constant offset counts: data + 2, then + 0, is aligned for 4 bytes.
    let mut st = state(&[(2, pkt(2, 8))]);
    One::new("r0 = *(u32 *)(r2 + 0)\nexit")
        .strict()
        .next(&mut st);
    // Stores too.
    One::new("*(u16 *)(r2 + 1) = 0\nexit")
        .strict()
        .refused(&mut st);
}

#[test]
fn strict_variable_offsets_are_judged_on_their_known_bits() {
    let pkt_var = |var: Scalar| RegVal::Pkt {
        kind: PktKind::Data,
        off: 0,
        var,
        id: 1,
        range: 8,
    };
    // var in {0, 4, 8, ...} (low 2 bits known zero): data + 2 + var + 2 is a multiple of 4.
    let four = Scalar::UNKNOWN.and(&Scalar::konst(0xfc));
    let mut st = state(&[(2, pkt_var(four))]);
    One::new("r0 = *(u32 *)(r2 + 2)\nexit")
        .strict()
        .next(&mut st);
    // ... but not of 8.
    One::new("r0 = *(u64 *)(r2 + 6)\nexit")
        .strict()
        .refused(&mut st);
    // var in 0..=8 (low bits unknown): only bytes.
    let mut st = state(&[(2, pkt_var(Scalar::urange(0, 8)))]);
    One::new("r0 = *(u8 *)(r2 + 0)\nexit")
        .strict()
        .next(&mut st);
    One::new("r0 = *(u16 *)(r2 + 0)\nexit")
        .strict()
        .refused(&mut st);
}

#[test]
fn strict_map_values_and_context() {
    let mut st = state(&[(1, map_value(0, 0))]);
    One::new("r0 = *(u32 *)(r1 + 4)\nexit")
        .strict()
        .next(&mut st);
    let (_, msg) = One::new("r0 = *(u32 *)(r1 + 3)\nexit")
        .strict()
        .refused(&mut st);
    assert!(msg.starts_with("misaligned value access: the 4-byte load through r1, a pointer into a value of map `arr`"), "{msg}");
    // No NET_IP_ALIGN for a map value: 8 bytes at offset 2 are misaligned.
    One::new("*(u64 *)(r1 + 2) = 0\nexit")
        .strict()
        .refused(&mut st);
    let mut st = state(&[(1, map_value(0, 4))]);
    One::new("r0 = *(u64 *)(r1 + 4)\nexit")
        .strict()
        .next(&mut st);
    // The context: xdp_md's data_end (offset 4) is aligned; a 2-byte read at 1 is not.
    let mut st = state(&[]);
    One::new("r0 = *(u32 *)(r1 + 4)\nexit")
        .strict()
        .next(&mut st);
    let (_, msg) = One::new("r0 = *(u16 *)(r1 + 1)\nexit")
        .strict()
        .refused(&mut st);
    assert!(msg.starts_with("misaligned context access"), "{msg}");
}

#[test]
fn untrusted_memory_has_an_unknown_alignment() {
    // `UNTRUSTED_MEM` may have gone through `r2 *= 3`: only bytes are known to be aligned.
    let mut st = state(&[(2, super::super::btf_access::UNTRUSTED_MEM)]);
    One::new("r0 = *(u8 *)(r2 + 0)\nexit")
        .strict()
        .next(&mut st);
    One::new("r0 = *(u32 *)(r2 + 0)\nexit")
        .strict()
        .refused(&mut st);
    // Without strict alignment, any read of it is a number.
    One::new("r0 = *(u32 *)(r2 + 1)\nexit").next(&mut st);
}
