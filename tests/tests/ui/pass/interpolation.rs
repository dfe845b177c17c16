//! Rust constants interpolated into immediates, offsets, 64-bit constants and jump compares;
//! rustc evaluates them in the expansion. (An interpolated
//! offset carries its sign inside the braces; an interpolated compare jumps by a number.)
use ebpf_dsl::Insn;
use ebpf_dsl_macros::defprogram;

const RX_QUEUE_INDEX: i16 = 16;
const SLOT: i16 = 8;
const MAGIC: u64 = 0xdead_beef_0000_0001;
const QUEUE: u32 = 3;
const VERDICT: u32 = 1;
const DIVISOR: u32 = 4;
const SHIFT: u32 = 31;

defprogram! {
    /// Drops the packets of one queue.
    pub DROP_QUEUE: xdp {
        r2 = *(u32 *)(r1 + { RX_QUEUE_INDEX });
        *(u64 *)(r10 + { -SLOT }) = r2;
        r4 = *(u64 *)(r10 + { -SLOT });
        r3 = { MAGIC } ll;
        r0 = XDP_PASS;
        if r4 != { QUEUE } goto +1; // interpolated compares take a numeric distance
        r0 = { VERDICT + 0 };
    out:
        exit;
    }
}

defprogram! {
    /// Divisors and shift amounts from constants: `const` assertions check them as the
    /// assembler checks literals (not 0; below the operand width).
    pub SCALE: xdp(verify = structural) {
        r0 = 100;
        r0 /= { DIVISOR };
        w0 <<= { SHIFT };
        r0 %= { DIVISOR };
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(SCALE.insns[1], Insn::new(0x37, 0, 0, 0, 4));
    assert_eq!(SCALE.insns[2], Insn::new(0x64, 0, 0, 0, 31));
    assert_eq!(SCALE.insns[3], Insn::new(0x97, 0, 0, 0, 4));
    assert_eq!(DROP_QUEUE.insns[0], Insn::new(0x61, 2, 1, 16, 0));
    assert_eq!(DROP_QUEUE.insns[1], Insn::new(0x7b, 10, 2, -8, 0));
    assert_eq!(DROP_QUEUE.insns[2], Insn::new(0x79, 4, 10, -8, 0));
    assert_eq!(DROP_QUEUE.insns[3], Insn::new(0x18, 3, 0, 0, 1));
    assert_eq!(
        DROP_QUEUE.insns[4],
        Insn::new(0, 0, 0, 0, 0xdead_beef_u32 as i32)
    );
    assert_eq!(DROP_QUEUE.insns[6], Insn::new(0x55, 4, 0, 1, 3));
    assert_eq!(DROP_QUEUE.insns[7], Insn::new(0xb7, 0, 0, 0, 1));
}
