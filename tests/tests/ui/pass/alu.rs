//! Every ALU and ALU64 form: immediate and register sources, signed division and modulo,
//! negation, moves with sign extension, byte swaps.
use ebpf_dsl::Insn;
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Arithmetic on scalars only.
    pub ALU: xdp {
        r0 = 0;
        r1 = 7;
        r2 = 3;
        w3 = 5;
        w4 = 2;
        r1 += r2;
        r1 -= 1;
        r1 *= r2;
        r1 /= 2;
        r1 |= r2;
        r1 &= 0xff;
        r1 <<= 2;
        r1 >>= r2;
        r1 %= 5;
        r1 ^= r2;
        r1 s>>= 1;
        r1 = -r1;
        r1 s/= 3;
        r1 s%= r2;
        w3 += w4;
        w3 -= 1;
        w3 *= w4;
        w3 /= 3;
        w3 |= 8;
        w3 &= w4;
        w3 <<= 3;
        w3 >>= 1;
        w3 %= w4;
        w3 ^= 1;
        w3 s>>= 2;
        w3 = -w3;
        r5 = r1;
        w6 = w3;
        r7 = (s8)r1;
        r8 = (s16)r1;
        r9 = (s32)r1;
        w6 = (s8)w3;
        w6 = (s16)w3;
        r1 = be16 r1;
        r1 = be32 r1;
        r1 = be64 r1;
        r1 = le16 r1;
        r1 = le32 r1;
        r1 = le64 r1;
        r1 = bswap16 r1;
        r1 = bswap32 r1;
        r1 = bswap64 r1;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(ALU.insns.len(), 49);
    // r1 += r2: BPF_ALU64 | BPF_ADD | BPF_X.
    assert_eq!(ALU.insns[5], Insn::new(0x0f, 1, 2, 0, 0));
    // r1 s/= 3: BPF_ALU64 | BPF_DIV | BPF_K with off = 1.
    assert_eq!(ALU.insns[17], Insn::new(0x37, 1, 0, 1, 3));
    // r7 = (s8)r1: BPF_ALU64 | BPF_MOV | BPF_X with off = 8.
    assert_eq!(ALU.insns[33], Insn::new(0xbf, 7, 1, 8, 0));
    // r1 = be16 r1: BPF_ALU | BPF_END | BPF_TO_BE, imm = 16.
    assert_eq!(ALU.insns[38], Insn::new(0xdc, 1, 0, 0, 16));
    // r1 = bswap64 r1: BPF_ALU64 | BPF_END, imm = 64.
    assert_eq!(ALU.insns[46], Insn::new(0xd7, 1, 0, 0, 64));
    assert!(ALU.relocations.is_empty() && ALU.maps.is_empty());
}
