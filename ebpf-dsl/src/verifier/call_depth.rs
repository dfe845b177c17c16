//! The deepest chain of call frames a program's states can have, from its call graph: what
//! sizes the masks of value sources ([`super::mask::Width`]).
//!
//! A frame is pushed by a bpf-to-bpf call (on the caller's frame) and by a helper or kfunc
//! that calls back ([`calls_back`]: `bpf_loop`, `bpf_for_each_map_elem`, `bpf_rbtree_add`'s
//! `less`), whose callback is a function whose address the program takes (`ld_imm64` of a
//! `BPF_PSEUDO_FUNC`, [`func_target`]: the only source of a callback's address). Every
//! function may start a path of its own with one frame (the main program, a global function,
//! a timer's or the exception callback). So the frames of a state are a chain of the graph
//! whose edges go from each function to those it calls, and from each function with a call
//! that calls back to every function whose address is taken: its longest chain bounds them.
//! A cycle (recursion, refused when it runs, or a callback that may call back into itself)
//! gives the kernel's limit, [`MAX_FRAMES`].

use super::cfg::{calls_back, func_target, Cfg, Op};
use super::mask::MAX_FRAMES;

/// The most call frames a state of the program (`ops`, with its [`Cfg`]) can have: at most
/// [`MAX_FRAMES`] (see the module documentation).
pub(crate) fn max_frames(ops: &[Op], cfg: &Cfg) -> usize {
    let n = cfg.subprog_starts.len();
    if n == 1 {
        // One function (most programs), in one pass: a call of it, or a callback that is
        // it, makes a cycle; otherwise one frame.
        let (mut call, mut back, mut taken) = (false, false, false);
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::CallLocal { .. } => call = true,
                Op::Call { .. } => back |= calls_back(op),
                Op::LdImm64 { .. } => taken |= func_target(op, i).is_some(),
                _ => {}
            }
        }
        return if call || (back && taken) {
            MAX_FRAMES
        } else {
            1
        };
    }
    let sub = |i: usize| cfg.subprog_of.get(i).copied();
    let mut taken: Vec<usize> = ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| func_target(op, i).and_then(sub))
        .collect();
    taken.sort_unstable();
    taken.dedup();
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, op) in ops.iter().enumerate() {
        let Some(s) = sub(i).filter(|&s| s < n) else {
            return MAX_FRAMES;
        };
        if let Op::CallLocal { target } = *op {
            match sub(target) {
                Some(t) if t < n => callees[s].push(t),
                _ => return MAX_FRAMES,
            }
        } else if calls_back(op) {
            callees[s].extend_from_slice(&taken);
        }
    }
    // Longest chain (in functions) from each function, callees first (Kahn's order on the
    // reversed edges: a function once every callee of its is done); a function never done is
    // on a cycle.
    let mut callers: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut left: Vec<usize> = callees.iter().map(Vec::len).collect();
    for (s, cs) in callees.iter().enumerate() {
        for &t in cs {
            callers[t].push(s);
        }
    }
    let mut depth = vec![1usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|&s| left[s] == 0).collect();
    let mut done = 0;
    while let Some(t) = ready.pop() {
        done += 1;
        for &s in &callers[t] {
            depth[s] = depth[s].max(depth[t] + 1);
            left[s] -= 1;
            if left[s] == 0 {
                ready.push(s);
            }
        }
    }
    if done < n {
        return MAX_FRAMES;
    }
    depth.into_iter().max().unwrap_or(1).min(MAX_FRAMES)
}

#[cfg(test)]
mod tests {
    use super::super::cfg;
    use super::*;
    use crate::asm::assemble_unchecked;

    fn frames(src: &str) -> usize {
        let prog = assemble_unchecked(src).expect("assembles");
        let ops = cfg::decode(&prog.insns).expect("decodes");
        let c = cfg::check(&ops).expect("checks");
        max_frames(&ops, &c)
    }

    #[test]
    fn a_program_without_calls_has_one_frame() {
        assert_eq!(frames("r0 = 0\nexit\n"), 1);
    }

    #[test]
    fn the_longest_chain_of_calls_counts() {
        // main -> f -> g, main -> g: three frames.
        let src = "call f\ncall g\nr0 = 0\nexit\nf:\ncall g\nr0 = 0\nexit\ng:\nr0 = 0\nexit\n";
        assert_eq!(frames(src), 3);
    }

    #[test]
    fn a_callback_is_called_from_the_function_that_calls_back() {
        // main -> f -> (bpf_loop) cb: three frames.
        let src = "call f\nr0 = 0\nexit\nf:\nr1 = 4\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 0\nexit\ncb:\nr0 = 0\nexit\n";
        assert_eq!(frames(src), 3);
    }

    #[test]
    fn recursion_gives_every_frame() {
        let src = "call f\nr0 = 0\nexit\nf:\ncall f\nr0 = 0\nexit\n";
        assert_eq!(frames(src), MAX_FRAMES);
    }
}
