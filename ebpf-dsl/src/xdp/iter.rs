//! The open-coded iterator kfuncs every program type may call (`kernel/bpf/bpf_iter.c`,
//! `kernel/bpf/helpers.c`): libbpf's `bpf_for(i, start, end)`, `bpf_repeat(n)` and
//! `bpf_for_each(num, ...)` are built on the *numbers iterator*, `struct bpf_iter_num` (8
//! bytes on the stack):
//!
//! * `int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)` (`KF_ITER_NEW`,
//!   Linux 6.4): starts the iterator over `start..end`; an empty or too long range (more than
//!   `BPF_MAX_LOOPS`, 8M) gives an error and an iterator that is drained at once;
//! * `int *bpf_iter_num_next(struct bpf_iter_num *it)` (`KF_ITER_NEXT | KF_RET_NULL`): the next
//!   number (4 read-only bytes), or NULL once drained;
//! * `void bpf_iter_num_destroy(struct bpf_iter_num *it)` (`KF_ITER_DESTROY`).
//!
//! The *bits iterator*, `struct bpf_iter_bits` (16 bytes, Linux 6.11), walks the set bits of
//! `nr_words` 64-bit words: `bpf_iter_bits_new(it, const u64 *unsafe_ptr__ign, u32 nr_words)`,
//! `bpf_iter_bits_next` (the bit's index, `int *`), `bpf_iter_bits_destroy`.
//!
//! Like the other kfuncs called by name ([`super::dynptr`], [`super::crypto`]), a call (`call
//! bpf_iter_num_new` in the assembler, [`call_iter_kfunc`] in the builder, an `extern ...
//! __ksym` function in a clang object) is a kfunc call whose `imm` is a negative placeholder
//! ([`IterKfunc::placeholder`]: -176, -177, ...), which the loader replaces with the kfunc's id
//! in the running kernel's BTF. The static verifier's model (the iterator's stack slots, the
//! fork of `next` and the convergence of the loop) is in `verifier::transfer::call::iter`.
//!
//! The other iterators of the kernel (task, css, css_task, task_vma, task_file, dmabuf, kmem
//! cache, scx_dsq) are offered to tracing and other program types this crate does not model:
//! [`tracing_only_iterator`] names them for a clear refusal.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The iterator kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IterKfunc {
    /// `int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)` (Linux 6.4).
    NumNew,
    /// `int *bpf_iter_num_next(struct bpf_iter_num *it)`.
    NumNext,
    /// `void bpf_iter_num_destroy(struct bpf_iter_num *it)`.
    NumDestroy,
    /// `int bpf_iter_bits_new(struct bpf_iter_bits *it, const u64 *unsafe_ptr__ign, u32
    /// nr_words)` (Linux 6.11).
    BitsNew,
    /// `int *bpf_iter_bits_next(struct bpf_iter_bits *it)`.
    BitsNext,
    /// `void bpf_iter_bits_destroy(struct bpf_iter_bits *it)`.
    BitsDestroy,
}

/// Which iterator a kfunc works on (the kernel's `iter.btf_id`: the struct of its first
/// argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IterKind {
    /// `struct bpf_iter_num` (8 bytes).
    Num,
    /// `struct bpf_iter_bits` (16 bytes).
    Bits,
}

impl IterKind {
    /// The name the kernel's messages give it (`iter_num`, `iter_bits`).
    pub const fn name(self) -> &'static str {
        match self {
            IterKind::Num => "num",
            IterKind::Bits => "bits",
        }
    }

    /// Its size in 8-byte stack slots.
    pub const fn slots(self) -> usize {
        match self {
            IterKind::Num => 1,
            IterKind::Bits => 2,
        }
    }
}

/// What an iterator kfunc does with its iterator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IterOp {
    /// `KF_ITER_NEW`: initialises an uninitialised iterator.
    New,
    /// `KF_ITER_NEXT`: the next element or NULL.
    Next,
    /// `KF_ITER_DESTROY`: ends it.
    Destroy,
}

impl IterKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [IterKfunc; 6] = [
        IterKfunc::NumNew,
        IterKfunc::NumNext,
        IterKfunc::NumDestroy,
        IterKfunc::BitsNew,
        IterKfunc::BitsNext,
        IterKfunc::BitsDestroy,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            IterKfunc::NumNew => "bpf_iter_num_new",
            IterKfunc::NumNext => "bpf_iter_num_next",
            IterKfunc::NumDestroy => "bpf_iter_num_destroy",
            IterKfunc::BitsNew => "bpf_iter_bits_new",
            IterKfunc::BitsNext => "bpf_iter_bits_next",
            IterKfunc::BitsDestroy => "bpf_iter_bits_destroy",
        }
    }

    /// The iterator it works on.
    pub const fn kind(self) -> IterKind {
        match self {
            IterKfunc::NumNew | IterKfunc::NumNext | IterKfunc::NumDestroy => IterKind::Num,
            _ => IterKind::Bits,
        }
    }

    /// What it does with the iterator.
    pub const fn op(self) -> IterOp {
        match self {
            IterKfunc::NumNew | IterKfunc::BitsNew => IterOp::New,
            IterKfunc::NumNext | IterKfunc::BitsNext => IterOp::Next,
            IterKfunc::NumDestroy | IterKfunc::BitsDestroy => IterOp::Destroy,
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<IterKfunc> {
        IterKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -176, -177, ...
    pub const fn placeholder(self) -> i32 {
        -176 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<IterKfunc> {
        IterKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<IterKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            IterKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_iter_kfunc(kfunc: IterKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

/// The iterators the kernel offers only to tracing, LSM, struct_ops or syscall programs.
const TRACING_ITERATORS: [&str; 9] = [
    "task",
    "css",
    "css_task",
    "task_vma",
    "task_file",
    "dmabuf",
    "kmem_cache",
    "scx_dsq",
    "task_stack",
];

/// For a kfunc named like another iterator's method (`bpf_iter_task_new`,
/// `bpf_iter_css_next`, ...): the sentence of the refusal, naming it as an iterator this
/// crate's program types (XDP, tc, socket filters) cannot use.
pub fn tracing_only_iterator(name: &str) -> Option<String> {
    let rest = name.strip_prefix("bpf_iter_")?;
    let (kind, _) = ["_new", "_next", "_destroy"]
        .iter()
        .find_map(|m| rest.strip_suffix(m).map(|k| (k, *m)))?;
    TRACING_ITERATORS.contains(&kind).then(|| {
        format!(
            "`{name}` is a method of the open-coded iterator `struct bpf_iter_{kind}`, which the kernel offers to tracing, LSM, struct_ops or syscall programs only (XDP, tc and socket filters have the numbers and bits iterators: bpf_iter_num_*, bpf_iter_bits_*)"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xdp::netfilter::{call_kfunc_by_name, kfunc_name, kfunc_names};

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in IterKfunc::ALL {
            assert_eq!(IterKfunc::from_name(k.name()), Some(k));
            assert_eq!(IterKfunc::of_insn(&call_iter_kfunc(k)), Some(k));
            assert!((-191..=-176).contains(&k.placeholder()));
            assert_eq!(kfunc_name(k.placeholder()), Some(k.name()));
            assert_eq!(call_kfunc_by_name(k.name()), Some(call_iter_kfunc(k)));
            assert!(kfunc_names().any(|n| n == k.name()));
            assert!(k.name().contains(k.kind().name()));
        }
        assert_eq!(IterKfunc::from_name("bpf_iter_task_new"), None);
        assert_eq!(IterKfunc::from_placeholder(-175), None);
        assert_eq!(IterKind::Num.slots(), 1);
        assert_eq!(IterKind::Bits.slots(), 2);
    }

    #[test]
    fn the_text_syntax_reads_and_prints_them() {
        for k in IterKfunc::ALL {
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_iter_kfunc(k));
            let text = crate::disasm::disassemble(&a.insns[..1]).unwrap();
            assert_eq!(text.trim(), format!("call {}", k.name()));
        }
    }

    #[test]
    fn tracing_iterators_are_named() {
        let m = tracing_only_iterator("bpf_iter_task_new").unwrap();
        assert!(m.contains("struct bpf_iter_task"), "{m}");
        assert!(tracing_only_iterator("bpf_iter_css_task_destroy").is_some());
        assert_eq!(tracing_only_iterator("bpf_iter_num_new"), None);
        assert_eq!(tracing_only_iterator("bpf_iter_task"), None);
        assert_eq!(tracing_only_iterator("bpf_loop"), None);
    }
}
