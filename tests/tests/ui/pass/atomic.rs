//! Atomic read-modify-write on the stack: add/or/and/xor with and without fetch, xchg and
//! cmpxchg, 64 and 32 bits.
use ebpf_dsl::Insn;
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Counters on the stack.
    pub ATOMIC: xdp {
        *(u64 *)(r10 - 8) = 0;
        *(u32 *)(r10 - 16) = 0;
        r1 = 1;
        w2 = 1;
        lock *(u64 *)(r10 - 8) += r1;
        lock *(u64 *)(r10 - 8) |= r1;
        lock *(u64 *)(r10 - 8) &= r1;
        lock *(u64 *)(r10 - 8) ^= r1;
        lock *(u32 *)(r10 - 16) += w2;
        r1 = atomic_fetch_add((u64 *)(r10 - 8), r1);
        w2 = atomic_fetch_or((u32 *)(r10 - 16), w2);
        r1 = atomic_fetch_and((u64 *)(r10 - 8), r1);
        w2 = atomic_fetch_xor((u32 *)(r10 - 16), w2);
        r1 = xchg_64(r10 - 8, r1);
        w2 = xchg32_32(r10 - 16, w2);
        r0 = 0;
        r1 = 5;
        r0 = cmpxchg_64(r10 - 8, r0, r1);
        w0 = cmpxchg32_32(r10 - 16, w0, w2);
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {
    assert_eq!(ATOMIC.insns.len(), 21);
    // lock *(u64 *)(r10 - 8) += r1: BPF_STX | BPF_ATOMIC | BPF_DW, imm = BPF_ADD.
    assert_eq!(ATOMIC.insns[4], Insn::new(0xdb, 10, 1, -8, 0x00));
    // r1 = atomic_fetch_add(...): imm = BPF_ADD | BPF_FETCH.
    assert_eq!(ATOMIC.insns[9], Insn::new(0xdb, 10, 1, -8, 0x01));
    // r0 = cmpxchg_64(...): imm = BPF_CMPXCHG.
    assert_eq!(ATOMIC.insns[17], Insn::new(0xdb, 10, 1, -8, 0xf1));
    // w0 = cmpxchg32_32(...): BPF_W.
    assert_eq!(ATOMIC.insns[18], Insn::new(0xc3, 10, 2, -16, 0xf1));
}
