//! Unit tests of [`super::outside_loops`]: which instructions are in no cycle of the
//! control-flow graph; and of the passes of [`super::liveness`].

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

/// A xorshift generator (deterministic).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A random program of `n` instructions: moves, conditional jumps and gotos anywhere
/// (backwards too), calls, exits.
fn random_program(rng: &mut Rng, n: usize) -> Vec<Op> {
    (0..n)
        .map(|i| match rng.below(10) {
            _ if i == n - 1 => Op::Exit,
            0..=3 => mov(rng.below(4) as u8),
            4..=5 => cond(rng.below(n)),
            6 => Op::Ja {
                target: rng.below(n),
            },
            7 => Op::Call {
                helper: 1,
                kfunc: false,
            },
            _ => Op::Exit,
        })
        .collect()
}

/// The reference of [`outside_loops`]: an instruction is on a cycle if a search from its
/// successors reaches it again.
fn outside_loops_reference(ops: &[Op]) -> Vec<bool> {
    let n = ops.len();
    let next = |i: usize| {
        let (ss, m) = super::succs(&ops[i], i);
        ss[..m]
            .iter()
            .copied()
            .filter(|&t| t < n)
            .collect::<Vec<_>>()
    };
    (0..n)
        .map(|v| {
            let mut seen = vec![false; n];
            let mut work = next(v);
            let mut cyclic = false;
            while let Some(w) = work.pop() {
                if w == v {
                    cyclic = true;
                    break;
                }
                if !seen[w] {
                    seen[w] = true;
                    work.extend(next(w));
                }
            }
            !cyclic && !matches!(ops[v], Op::Call { .. } | Op::CallLocal { .. })
        })
        .collect()
}

#[test]
fn the_walk_of_the_candidates_finds_every_cycle() {
    // Random programs (loops nested, overlapping, jumping out, jumps back to shared exits):
    // the components walked over the candidates alone give what a search from every
    // instruction gives.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..3000 {
        let n = 2 + rng.below(40);
        let ops = random_program(&mut rng, n);
        assert_eq!(
            outside_loops(&ops),
            outside_loops_reference(&ops),
            "round {round}: {ops:?}"
        );
        // The verifier's way: with the successors of the control-flow graph's check (of a
        // program it accepts: every instruction reached).
        if let Ok(cfg) = super::check(&ops) {
            assert_eq!(
                super::loop_components_of(&ops, &cfg.succ),
                super::loop_components(&ops),
                "round {round}: {ops:?}"
            );
        }
    }
}

/// Which instructions each one reaches (itself only through a cycle).
fn reach(ops: &[Op]) -> Vec<Vec<bool>> {
    let n = ops.len();
    (0..n)
        .map(|v| {
            let mut seen = vec![false; n];
            let (ss, m) = super::succs(&ops[v], v);
            let mut work: Vec<usize> = ss[..m].iter().copied().filter(|&t| t < n).collect();
            while let Some(w) = work.pop() {
                if !seen[w] {
                    seen[w] = true;
                    let (ss, m) = super::succs(&ops[w], w);
                    work.extend(ss[..m].iter().copied().filter(|&t| t < n));
                }
            }
            seen
        })
        .collect()
}

#[test]
fn the_kernel_s_components_are_the_cycles_and_the_calls_that_call_back() {
    // Random programs with bpf_loop calls: two instructions share a component exactly when
    // each reaches the other; one is in a component when it is on a cycle or calls back.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..2000 {
        let n = 2 + rng.below(30);
        let mut ops = random_program(&mut rng, n);
        for op in ops.iter_mut() {
            if matches!(op, Op::Call { .. }) && rng.below(2) == 0 {
                *op = Op::Call {
                    helper: 181,
                    kfunc: false,
                };
            }
        }
        let comp = super::loop_components(&ops);
        let r = reach(&ops);
        for v in 0..n {
            let alone = matches!(ops[v], Op::Call { helper: 181, .. });
            assert_eq!(
                comp[v] != 0,
                r[v][v] || alone,
                "round {round} insn {v}: {ops:?}"
            );
            for w in 0..n {
                if v != w && comp[v] != 0 {
                    let same = r[v][w] && r[w][v];
                    assert_eq!(comp[v] == comp[w], same, "round {round} {v} {w}: {ops:?}");
                }
            }
        }
    }
}

#[test]
fn a_jump_back_to_a_shared_exit_leaves_no_candidate() {
    // 0: if r1 == 0 goto 3; 1: r0 = 0; 2: exit; 3: r1 = 0; 4: goto 1 — the jump back's
    // target (1) reaches no jump back: nothing is walked.
    let ops = [cond(3), mov(0), Op::Exit, mov(1), Op::Ja { target: 1 }];
    let n = ops.len();
    let succ: Vec<[u32; 2]> = (0..n)
        .map(|i| {
            let (ss, m) = super::succs(&ops[i], i);
            let mut out = [u32::MAX; 2];
            for (k, &t) in ss[..m].iter().enumerate() {
                out[k] = t as u32;
            }
            out
        })
        .collect();
    assert_eq!(super::on_cycle_candidates(&succ), [false; 5]);
    // A real loop (2 -> 1) keeps its instructions: 0: r0 = 0; 1: r1 = 0; 2: if r1 == 0
    // goto 1; 3: exit.
    let ops = [mov(0), mov(1), cond(1), Op::Exit];
    let succ: Vec<[u32; 2]> = (0..ops.len())
        .map(|i| {
            let (ss, m) = super::succs(&ops[i], i);
            let mut out = [u32::MAX; 2];
            for (k, &t) in ss[..m].iter().enumerate() {
                out[k] = t as u32;
            }
            out
        })
        .collect();
    assert_eq!(
        super::on_cycle_candidates(&succ),
        [false, true, true, false]
    );
}

/// The reference of [`super::liveness`]: passes over the whole program until one changes
/// nothing.
fn liveness_reference(ops: &[Op]) -> Vec<u16> {
    let n = ops.len();
    let mut live = vec![0u16; n];
    let mut changed = true;
    while changed {
        changed = false;
        for i in (0..n).rev() {
            let (ss, m) = super::succs(&ops[i], i);
            let out = ss[..m]
                .iter()
                .fold(0, |a, &t| a | live.get(t).copied().unwrap_or(0));
            let (uses, defs) = super::uses_defs(&ops[i]);
            let inn = uses | (out & !defs);
            if inn != live[i] {
                live[i] = inn;
                changed = true;
            }
        }
    }
    live
}

#[test]
fn liveness_stops_when_no_jump_back_read_a_stale_entry() {
    // Random programs with moves between registers, loops and jumps back to shared exits:
    // the passes that stop once no jump back's target changed give the least solution, as
    // passes until nothing changes.
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for round in 0..3000 {
        let n = 2 + rng.below(40);
        let mut ops = random_program(&mut rng, n);
        // Moves from a register too (uses, not only definitions).
        for op in ops.iter_mut() {
            if let Op::Alu { src, .. } = op {
                if rng.below(2) == 0 {
                    *src = Src::Reg(rng.below(4) as u8);
                }
            }
        }
        assert_eq!(
            super::liveness_of(&ops),
            liveness_reference(&ops),
            "round {round}: {ops:?}"
        );
    }
}
