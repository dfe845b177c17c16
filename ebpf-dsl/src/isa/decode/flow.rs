//! Control flow by opcode alone: where execution can go after a slot, read from its class and
//! operation fields whether or not the slot is valid, so that reachability can still be
//! followed through a program the decoder refuses in places.

use crate::isa::insn::{Class, Insn, JmpOp, BPF_PSEUDO_CALL};

/// Where control can go after one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flow {
    /// The slot execution falls through to (`index + 1`, `index + 2` after an `ld_imm64`);
    /// `None` after `exit` and unconditional jumps.
    pub fall: Option<usize>,
    /// The target of a jump (possibly outside the program: it is not checked here).
    pub jump: Option<i64>,
    /// The target of a bpf-to-bpf call (`src = BPF_PSEUDO_CALL`), possibly outside the program.
    pub call: Option<i64>,
}

/// Where control can go after the slot `insn` at `index`, by its opcode fields only.
pub fn flow(insn: &Insn, index: usize) -> Flow {
    let next = |d: i64| index as i64 + 1 + d;
    let class = insn.class();
    let mut f = Flow {
        fall: Some(index + 1),
        jump: None,
        call: None,
    };
    if insn.is_ld_imm64() {
        f.fall = Some(index + 2);
        return f;
    }
    if !class.is_jmp() {
        return f;
    }
    match JmpOp::from_code(insn.code) {
        Some(JmpOp::Exit) => f.fall = None,
        Some(JmpOp::Call) => {
            if class == Class::Jmp && insn.src() == BPF_PSEUDO_CALL {
                f.call = Some(next(i64::from(insn.imm)));
            }
        }
        Some(JmpOp::Ja) => {
            f.fall = None;
            f.jump = Some(next(if class == Class::Jmp32 {
                i64::from(insn.imm)
            } else {
                i64::from(insn.off)
            }));
        }
        _ => f.jump = Some(next(i64::from(insn.off))),
    }
    f
}
