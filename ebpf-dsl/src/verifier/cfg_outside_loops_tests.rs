//! Unit tests of [`super::outside_loops`]: which instructions are in no cycle of the
//! control-flow graph.

use super::{outside_loops, Op, Src};
use crate::isa::insn::{AluOp, JmpOp};

fn mov(dst: u8) -> Op {
    Op::Alu {
        is64: true,
        op: AluOp::Mov,
        dst,
        src: Src::Imm(0),
        off: 0,
        imm: 0,
    }
}

fn cond(target: usize) -> Op {
    Op::Cond {
        op: JmpOp::Jeq,
        is64: true,
        dst: 1,
        src: Src::Imm(0),
        target,
    }
}

#[test]
fn straight_code_and_forward_jumps_are_outside_loops() {
    let ops = [mov(0), cond(3), mov(1), Op::Exit];
    assert_eq!(outside_loops(&ops), [true; 4]);
}

#[test]
fn a_loop_s_instructions_are_inside_and_those_around_it_outside() {
    // 0: r0 = 0; 1: r1 = 0; 2: if r1 == 0 goto 1; 3: exit
    let ops = [mov(0), mov(1), cond(1), Op::Exit];
    assert_eq!(outside_loops(&ops), [true, false, false, true]);
}

#[test]
fn a_jump_to_itself_is_a_loop() {
    let ops = [mov(0), cond(1), Op::Exit];
    assert_eq!(outside_loops(&ops), [true, false, true]);
}

#[test]
fn a_backward_jump_to_a_shared_exit_is_no_loop() {
    // 0: if r1 == 0 goto 3; 1: r0 = 0; 2: exit; 3: r1 = 0; 4: goto 1
    let ops = [cond(3), mov(0), Op::Exit, mov(1), Op::Ja { target: 1 }];
    assert_eq!(outside_loops(&ops), [true; 5]);
}

#[test]
fn calls_count_as_loops() {
    let ops = [
        Op::Call {
            helper: 181,
            kfunc: false,
        },
        Op::CallLocal { target: 3 },
        Op::Exit,
        Op::Exit,
    ];
    assert_eq!(outside_loops(&ops), [false, false, true, true]);
}

#[test]
fn calls_count_as_loops_in_a_program_with_a_loop_too() {
    // The same calls after a loop (the components' walk, not the forward-only shortcut):
    // 0: r1 = 0; 1: if r1 == 0 goto 0; 2: call; 3: call local 5; 4: exit; 5: exit
    let ops = [
        mov(1),
        cond(0),
        Op::Call {
            helper: 181,
            kfunc: false,
        },
        Op::CallLocal { target: 5 },
        Op::Exit,
        Op::Exit,
    ];
    assert_eq!(
        outside_loops(&ops),
        [false, false, false, false, true, true]
    );
}
