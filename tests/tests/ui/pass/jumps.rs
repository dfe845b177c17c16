//! Every jump: the conditions with immediate and register sources, JMP32, `goto`, `gotol`,
//! helper calls by name and number, a bpf-to-bpf call, `exit`; labels stacked and forward.
use ebpf_dsl::Insn;
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Branches on the receive queue index.
    pub JUMPS: xdp {
        r2 = *(u32 *)(r1 + 16);
        r3 = 4;
        w4 = 4;
        if r2 == 1 goto l1;
    l1:
        if r2 != r3 goto l2;
    l2:
        if r2 > 2 goto l3;
    l3:
        if r2 >= r3 goto l4;
    l4:
        if r2 < 5 goto l5;
    l5:
        if r2 <= r3 goto l6;
    l6:
        if r2 s> -1 goto l7;
    l7:
        if r2 s>= r3 goto l8;
    l8:
        if r2 s< 3 goto l9;
    l9:
        if r2 s<= r3 goto l10;
    l10:
        if r2 & 1 goto l11;
    l11:
        if w2 == 1 goto l12;
    l12:
        if w2 s< w4 goto l13;
    l13:
        if w2 & w4 goto l14;
    l14:
        goto +0;
        gotol done;
    done:
    also_done:
        call bpf_get_smp_processor_id;
        call 8;
        call sub;
        r0 = XDP_PASS;
        exit;
    sub:
        r0 = 0;
        exit;
    }
}

fn main() {
    assert_eq!(JUMPS.insns.len(), 26);
    // if r2 == 1 goto l1 (the next instruction): off 0.
    assert_eq!(JUMPS.insns[3], Insn::new(0x15, 2, 0, 0, 1));
    // if w2 s< w4: BPF_JMP32 | BPF_JSLT | BPF_X.
    assert_eq!(JUMPS.insns[15], Insn::new(0xce, 2, 4, 0, 0));
    // gotol done: BPF_JMP32 | BPF_JA with the distance in imm.
    assert_eq!(JUMPS.insns[18], Insn::new(0x06, 0, 0, 0, 0));
    // call bpf_get_smp_processor_id (helper 8), twice.
    assert_eq!(JUMPS.insns[19], Insn::new(0x85, 0, 0, 0, 8));
    assert_eq!(JUMPS.insns[20], JUMPS.insns[19]);
    // call sub: src = BPF_PSEUDO_CALL, imm = distance to `sub` (index 24) from 22.
    assert_eq!(JUMPS.insns[21], Insn::new(0x85, 0, 1, 0, 2));
}
