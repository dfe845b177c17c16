//! Loads (plain and sign-extending), stores of immediates and of registers, in every size.
use ebpf_dsl::Insn;
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Reads the Ethernet header after a bounds check; writes the stack.
    pub MEMORY: xdp {
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        r4 = r2;
        r4 += 14;
        if r4 > r3 goto out;
        r5 = *(u8 *)(r2 + 12);
        r5 = *(u16 *)(r2 + 12);
        r5 = *(u32 *)(r2 + 8);
        r5 = *(u64 *)(r2 + 0);
        r5 = *(s8 *)(r2 + 13);
        r5 = *(s16 *)(r2 + 12);
        r5 = *(s32 *)(r2 + 8);
        *(u64 *)(r10 - 8) = 0;
        *(u32 *)(r10 - 12) = 1;
        *(u16 *)(r10 - 14) = 2;
        *(u8 *)(r10 - 15) = 3;
        *(u64 *)(r10 - 24) = r5;
        *(u32 *)(r10 - 28) = w5;
        *(u16 *)(r10 - 30) = w5;
        *(u8 *)(r10 - 31) = w5;
    out:
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(MEMORY.insns.len(), 22);
    // r5 = *(u8 *)(r2 + 12): BPF_LDX | BPF_MEM | BPF_B.
    assert_eq!(MEMORY.insns[5], Insn::new(0x71, 5, 2, 12, 0));
    // r5 = *(s8 *)(r2 + 13): BPF_LDX | BPF_MEMSX | BPF_B.
    assert_eq!(MEMORY.insns[9], Insn::new(0x91, 5, 2, 13, 0));
    // *(u64 *)(r10 - 8) = 0: BPF_ST | BPF_MEM | BPF_DW.
    assert_eq!(MEMORY.insns[12], Insn::new(0x7a, 10, 0, -8, 0));
    // *(u8 *)(r10 - 31) = w5: BPF_STX | BPF_MEM | BPF_B.
    assert_eq!(MEMORY.insns[19], Insn::new(0x73, 10, 5, -31, 0));
    // if r4 > r3 goto out: forward over 14 slots.
    assert_eq!(MEMORY.insns[4], Insn::new(0x2d, 4, 3, 15, 0));
}
