//! The BPF arena kfuncs (`kernel/bpf/arena.c`, Linux 6.9): a program allocates and frees pages
//! of a `BPF_MAP_TYPE_ARENA` map, memory shared with user space and reached through arena
//! pointers (`addr_space_cast`).
//!
//! * `bpf_arena_alloc_pages(map, addr, page_cnt, node_id, flags)` and
//!   `bpf_arena_free_pages(map, ptr, page_cnt)` (Linux 6.9);
//! * `bpf_arena_reserve_pages(map, ptr, page_cnt)` (newer; the reference kernel, 6.18, has it).
//!
//! Like the other kfuncs called by name ([`super::netfilter`]), a call (`call
//! bpf_arena_alloc_pages` in the assembler, [`call_arena_kfunc`] in the builder, an `extern
//! ... __ksym` function in a clang object, as `bpf_arena_common.h` declares them) is a kfunc
//! call whose `imm` is a negative placeholder ([`ArenaKfunc::placeholder`]: -208, -209, -210;
//! the range -208..-223 is this family's), which the loader replaces with the kfunc's id in the
//! running kernel's BTF.
//!
//! The reference kernel (Linux 6.18.44 as deployed here) refuses them: every call, from every
//! program type (sleepable `syscall` programs included), is "not allowed", and it cannot
//! create an arena map at all (`BPF_MAP_CREATE` fails with EPERM). The static verifier
//! (`verifier::transfer::call::kfunc_arena`) refuses the calls with the kernel's message.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The arena kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArenaKfunc {
    /// `void *bpf_arena_alloc_pages(void *p__map, void *addr__ign, u32 page_cnt, int node_id,
    /// u64 flags)`: `page_cnt` pages of the arena (at `addr` if not NULL), or NULL.
    AllocPages,
    /// `void bpf_arena_free_pages(void *p__map, void *ptr__ign, u32 page_cnt)`.
    FreePages,
    /// `int bpf_arena_reserve_pages(void *p__map, void *ptr__ign, u32 page_cnt)`: marks pages
    /// as not to be allocated (0, -EINVAL or -EBUSY).
    ReservePages,
}

impl ArenaKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [ArenaKfunc; 3] = [
        ArenaKfunc::AllocPages,
        ArenaKfunc::FreePages,
        ArenaKfunc::ReservePages,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            ArenaKfunc::AllocPages => "bpf_arena_alloc_pages",
            ArenaKfunc::FreePages => "bpf_arena_free_pages",
            ArenaKfunc::ReservePages => "bpf_arena_reserve_pages",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<ArenaKfunc> {
        ArenaKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -208, -209, -210.
    pub const fn placeholder(self) -> i32 {
        -208 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<ArenaKfunc> {
        ArenaKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<ArenaKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            ArenaKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_arena_kfunc(kfunc: ArenaKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in ArenaKfunc::ALL {
            assert_eq!(ArenaKfunc::from_name(k.name()), Some(k));
            assert_eq!(ArenaKfunc::of_insn(&call_arena_kfunc(k)), Some(k));
            assert!((-223..=-208).contains(&k.placeholder()));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_arena_kfunc(k))
            );
        }
        assert_eq!(ArenaKfunc::from_name("bpf_arena_nope"), None);
        assert_eq!(ArenaKfunc::from_placeholder(-207), None);
        assert_eq!(ArenaKfunc::from_placeholder(-211), None);
    }

    #[test]
    fn the_text_syntax_reads_and_prints_them() {
        for k in ArenaKfunc::ALL {
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_arena_kfunc(k));
            let text = crate::disasm::disassemble(&a.insns[..1]).unwrap();
            assert_eq!(text.trim(), format!("call {}", k.name()));
        }
    }
}
