//! Calls of the arena kfuncs ([`ArenaKfunc`]: `bpf_arena_alloc_pages`, `bpf_arena_free_pages`,
//! `bpf_arena_reserve_pages`; `kernel/bpf/arena.c`, Linux 6.9).
//!
//! The reference kernel (Linux 6.18.44 as deployed here) refuses every call of them, from every
//! program type (XDP, tc, socket filters, and sleepable `syscall` programs too): its
//! `check_kfunc_call` finds no kfunc set that offers them to the program ("calling kernel
//! function bpf_arena_alloc_pages is not allowed", before any argument is looked at), and
//! `BPF_MAP_CREATE` refuses an arena map whatever its attributes (EPERM), so no program can
//! reference one either. This verifier refuses the calls likewise (after the GPL check and the
//! kernel version, which the kernel checks first): arena pointers (`PTR_TO_ARENA`) are not
//! modelled, and a kernel that offers arenas (upstream 6.9+: sleepable programs; 7.x: any
//! context) cannot be checked against here.

use super::*;
use crate::xdp::arena::ArenaKfunc;

impl<'a> Exec<'a> {
    /// `call` of the arena kfunc `k`: always refused, with the kernel's message.
    pub(crate) fn call_arena_kfunc(&mut self, pc: usize, _st: &mut State, k: ArenaKfunc) -> R<()> {
        let full = k.name();
        self.check_kfunc_gpl(pc, full)?;
        let pt = self.input.prog_type;
        Err(e(
            pc,
            Rule::HelperNotAllowed,
            format!(
                "{full} (a BPF arena kfunc) cannot be called from {pt} programs: the reference kernel (6.18) offers the arena kfuncs to no program type and cannot create arena maps (the kernel: `calling kernel function {full} is not allowed`); arena pointers are not modelled by this verifier"
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use crate::spec::ProgramType;
    use crate::verifier::transfer::testkit::{konst, state, One};
    use crate::verifier::{KernelVersion, Rule};

    const NAMES: [&str; 3] = [
        "bpf_arena_alloc_pages",
        "bpf_arena_free_pages",
        "bpf_arena_reserve_pages",
    ];

    fn args() -> crate::verifier::domain::state::State {
        state(&[
            (1, konst(0)),
            (2, konst(0)),
            (3, konst(1)),
            (4, konst(0)),
            (5, konst(0)),
        ])
    }

    #[test]
    fn every_arena_kfunc_is_refused_with_the_kernels_message() {
        for name in NAMES {
            for pt in [
                ProgramType::Xdp,
                ProgramType::SchedCls,
                ProgramType::SocketFilter,
            ] {
                let (rule, msg) = One::new(&format!("call {name}\nr0 = 0\nexit"))
                    .ty(pt)
                    .kernel(KernelVersion::new(6, 18))
                    .refused(&mut args());
                assert_eq!(rule, Rule::HelperNotAllowed, "{msg}");
                assert!(
                    msg.contains(&format!("calling kernel function {name} is not allowed")),
                    "{msg}"
                );
                assert!(msg.contains(&format!("from {pt} programs")), "{msg}");
            }
        }
    }

    #[test]
    fn the_licence_and_the_kernel_version_come_first() {
        for name in NAMES {
            let one = One::new(&format!("call {name}\nr0 = 0\nexit"));
            let (_, msg) = one
                .clone()
                .kernel(KernelVersion::new(6, 18))
                .license("MIT")
                .refused(&mut args());
            assert!(msg.contains("GPL-compatible"), "{msg}");
            let (_, msg) = one.kernel(KernelVersion::new(6, 8)).refused(&mut args());
            assert!(!msg.contains("is not allowed"), "{msg}");
            // `bpf_arena_reserve_pages` came later (`verifier::kfunc_since`).
            let since = if name == "bpf_arena_reserve_pages" {
                "6.17"
            } else {
                "6.9"
            };
            assert!(msg.contains(&format!("needs Linux {since}")), "{msg}");
        }
    }
}
