//! The kernel's removal of the code no path reached, and the function references it breaks.
//!
//! After verifying a program loaded with privileges, the kernel removes every run of
//! instructions no path reached (`opt_remove_dead_code`), whole functions included
//! (`adjust_subprog_starts_after_remove`), and moves the targets of the calls and of the
//! `rX = func ll` loads past each run back (`bpf_adj_branches`). A load of a function no path
//! ran (a callback `bpf_loop` never calls, with a count of 0; a function named but never passed)
//! keeps its target *index*: which is, after the removal, the instruction that followed the
//! removed run, or past the end of the program. When the program still has two functions or
//! more, `jit_subprogs` then looks for a function starting at every such target, and refuses
//! the program if there is none ("verifier bug: No program to jit at insn N (subprog < 0)",
//! seen on 6.18.44). This module replays the removal on the instructions this verifier
//! reached and refuses the programs the kernel would.

use super::cfg::{func_target, Op};

/// Replays the kernel's dead-code removal: `seen[i]` is true for each instruction slot a
/// path reached (both slots of a 64-bit load), `starts` the first instruction of each
/// function (the main program's 0 first). Returns the first `rX = func ll` (or call) whose
/// target is no function's start once the unreached runs are removed, with that target (in
/// the program after the removal), if the program still has two functions or more.
pub(crate) fn broken_func_ref(ops: &[Op], seen: &[bool], starts: &[usize]) -> Option<(usize, i64)> {
    // One function: the removal leaves at most one, and the kernel looks at no target.
    if starts.len() < 2 {
        return None;
    }
    // The references in reached code: (original index, current index, relative offset).
    let mut refs: Vec<(usize, i64, i64)> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        if !seen.get(i).copied().unwrap_or(false) {
            continue;
        }
        let target = match *op {
            Op::CallLocal { target } => Some(target),
            _ => func_target(op, i),
        };
        if let Some(t) = target {
            refs.push((i, i as i64, t as i64 - i as i64 - 1));
        }
    }
    if refs.is_empty() {
        return None;
    }
    let mut starts: Vec<i64> = starts.iter().map(|&s| s as i64).collect();
    // The unreached runs, from the first; each removal moves the ones after it.
    let mut removed = 0i64;
    let mut i = 0usize;
    while i < ops.len() {
        if seen.get(i).copied().unwrap_or(false) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < ops.len() && !seen.get(j).copied().unwrap_or(false) {
            j += 1;
        }
        let (pos, cnt) = (i as i64 - removed, (j - i) as i64);
        let end_old = pos + cnt;
        for r in &mut refs {
            let (curr, imm) = (r.1, r.2);
            if curr < pos {
                if curr + imm + 1 >= end_old {
                    r.2 = imm - cnt;
                }
            } else {
                // After the run (a reached instruction is never in it): moved back.
                let now = curr - cnt;
                r.1 = now;
                if now + imm + 1 < pos {
                    r.2 = imm + cnt;
                }
            }
        }
        starts.retain(|&s| s < pos || s >= end_old);
        for s in &mut starts {
            if *s >= end_old {
                *s -= cnt;
            }
        }
        removed += cnt;
        i = j;
    }
    if starts.len() < 2 {
        return None;
    }
    refs.iter()
        .map(|&(orig, curr, imm)| (orig, curr + imm + 1))
        .find(|(_, t)| !starts.contains(t))
}

#[cfg(test)]
mod tests {
    use crate::spec::ProgramType;
    use crate::verifier::{verify, Rule, VerifyInput};

    fn verdict(src: &str) -> Result<(), (Rule, String)> {
        let a = crate::asm::assemble(src).expect("assembles");
        let k = crate::verifier::KernelVersion::new(6, 18);
        verify(&VerifyInput::new(&a.insns, ProgramType::Xdp).with_kernel(k))
            .map(drop)
            .map_err(|e| (e[0].rule, e[0].message.clone()))
    }

    #[test]
    fn a_named_function_no_path_runs_breaks_only_when_it_is_removed_to_nothing() {
        // main, f (called) and g (named, never run, last): g's load points past the end.
        let (rule, msg) =
            verdict("call f\nr2 = g ll\nr0 = 0\nexit\nf:\nr0 = 0\nexit\ng:\nr0 = 0\nexit\n")
                .unwrap_err();
        assert_eq!(rule, Rule::Structure);
        assert!(msg.contains("No program to jit"), "{msg}");
        // g before f: its load now points at f's start, which the kernel accepts.
        assert!(
            verdict("r2 = g ll\ncall f\nr0 = 0\nexit\ng:\nr0 = 0\nexit\nf:\nr0 = 0\nexit\n")
                .is_ok()
        );
        // main and g only: one function left, nothing for jit_subprogs to look at.
        assert!(verdict("r2 = g ll\nr0 = 0\nexit\ng:\nr0 = 0\nexit\n").is_ok());
        // A bpf_loop with a count of 0 never runs its callback: the same as a load.
        let (rule, _) = verdict(
            "call f\nr1 = 0\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 0\nexit\nf:\nr0 = 0\nexit\ncb:\nr0 = 0\nexit\n",
        )
        .unwrap_err();
        assert_eq!(rule, Rule::Structure);
        // Run once: every function is reached.
        assert!(verdict(
            "call f\nr1 = 1\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 0\nexit\nf:\nr0 = 0\nexit\ncb:\nr0 = 0\nexit\n",
        )
        .is_ok());
    }
}
