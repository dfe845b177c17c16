//! The kfuncs of the program's own allocated objects ("local kptrs", `kernel/bpf/helpers.c`,
//! Linux 6.2): `bpf_obj_new_impl` gives a new object of one of the program's BTF struct types,
//! `bpf_obj_drop_impl` frees it. Any program type may call them.
//!
//! As for the other kfuncs called by name ([`super::netfilter`]), a call is a kfunc call whose
//! `imm` is a negative placeholder ([`GraphKfunc::placeholder`]: -128, -129, ...; the range
//! -128..-159 is this family's), which the loader replaces with the kfunc's id in the running
//! kernel's BTF; an `extern ... __ksym` function in a clang object (`bpf_obj_new(type)` of
//! the selftests' `bpf_experimental.h`). The static verifier's model is in
//! `verifier::transfer::call::graph` and `graph_tree`; it needs the program's own BTF
//! (`VerifyInput::program_types`), where the objects' types are. The red-black tree kfuncs
//! (`bpf_rbtree_add_impl`, `bpf_rbtree_remove`, `bpf_rbtree_first`, Linux 6.3) keep such
//! objects in a `struct bpf_rb_root` of a map value, the list kfuncs
//! (`bpf_list_push_front_impl`, `bpf_list_push_back_impl`, `bpf_list_pop_front`,
//! `bpf_list_pop_back`, Linux 6.2) in a `struct bpf_list_head`; `bpf_refcount_acquire_impl`
//! (Linux 6.4) takes one more reference to an object with a `bpf_refcount`; Linux 6.16's
//! `bpf_list_front` / `bpf_list_back` and `bpf_rbtree_root` / `bpf_rbtree_left` /
//! `bpf_rbtree_right` look at nodes without taking them out (non-owning references, or
//! NULL). The RCU read sections are [`super::rcu`]'s. The percpu objects are not modelled
//! yet: an object calling them is refused by the ELF reader as calling an unknown extern.

use crate::isa::insn::{Insn, BPF_PSEUDO_KFUNC_CALL};

/// The kfuncs of this family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GraphKfunc {
    /// `void *bpf_obj_new_impl(u64 local_type_id__k, void *meta__ign)` (`KF_ACQUIRE |
    /// KF_RET_NULL`): a new zeroed object of the program's BTF struct type `local_type_id`
    /// (a constant), an owning reference or NULL.
    ObjNewImpl,
    /// `void bpf_obj_drop_impl(void *p__alloc, void *meta__ign)` (`KF_RELEASE`): frees an
    /// object the program owns (a pointer to its start).
    ObjDropImpl,
    /// `int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node, bool
    /// (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b), void *meta__ign, u64
    /// off)`: adds an owned object to a tree (the lock of the root held), ordered by the
    /// program's callback `less`; the object stays reachable as a non-owning reference.
    RbtreeAddImpl,
    /// `struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root, struct bpf_rb_node
    /// *node)` (`KF_ACQUIRE | KF_RET_NULL`): takes a node of the tree out, owned again.
    RbtreeRemove,
    /// `struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root)` (`KF_RET_NULL`): the
    /// leftmost node, a non-owning reference, or NULL.
    RbtreeFirst,
    /// `int bpf_list_push_front_impl(struct bpf_list_head *head, struct bpf_list_node *node,
    /// void *meta__ign, u64 off)`: adds an owned object at the list's front (the lock of the
    /// head held); it stays reachable as a non-owning reference.
    ListPushFrontImpl,
    /// `int bpf_list_push_back_impl(...)`: the same at the back.
    ListPushBackImpl,
    /// `struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head)` (`KF_ACQUIRE |
    /// KF_RET_NULL`): takes the first node out, owned again, or NULL.
    ListPopFront,
    /// `struct bpf_list_node *bpf_list_pop_back(struct bpf_list_head *head)`: the same at the
    /// back.
    ListPopBack,
    /// `void *bpf_refcount_acquire_impl(void *p__refcounted_kptr, void *meta__ign)`
    /// (`KF_ACQUIRE | KF_RET_NULL`): one more owning reference to an object with a
    /// `bpf_refcount`; never NULL when the argument is owned.
    RefcountAcquireImpl,
    /// `struct bpf_list_node *bpf_list_front(struct bpf_list_head *head)` (`KF_RET_NULL`,
    /// Linux 6.16): the first node, a non-owning reference, or NULL (the head's lock held).
    ListFront,
    /// `struct bpf_list_node *bpf_list_back(struct bpf_list_head *head)`: the last node.
    ListBack,
    /// `struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root)` (`KF_RET_NULL`, Linux
    /// 6.16): the tree's root node, a non-owning reference, or NULL (the root's lock held).
    RbtreeRoot,
    /// `struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root, struct bpf_rb_node
    /// *node)` (`KF_RET_NULL`, Linux 6.16): the left child of a node of the tree, a
    /// non-owning reference, or NULL.
    RbtreeLeft,
    /// `struct bpf_rb_node *bpf_rbtree_right(...)`: the right child.
    RbtreeRight,
}

impl GraphKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [GraphKfunc; 15] = [
        GraphKfunc::ObjNewImpl,
        GraphKfunc::ObjDropImpl,
        GraphKfunc::RbtreeAddImpl,
        GraphKfunc::RbtreeRemove,
        GraphKfunc::RbtreeFirst,
        GraphKfunc::ListPushFrontImpl,
        GraphKfunc::ListPushBackImpl,
        GraphKfunc::ListPopFront,
        GraphKfunc::ListPopBack,
        GraphKfunc::RefcountAcquireImpl,
        GraphKfunc::ListFront,
        GraphKfunc::ListBack,
        GraphKfunc::RbtreeRoot,
        GraphKfunc::RbtreeLeft,
        GraphKfunc::RbtreeRight,
    ];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            GraphKfunc::ObjNewImpl => "bpf_obj_new_impl",
            GraphKfunc::ObjDropImpl => "bpf_obj_drop_impl",
            GraphKfunc::RbtreeAddImpl => "bpf_rbtree_add_impl",
            GraphKfunc::RbtreeRemove => "bpf_rbtree_remove",
            GraphKfunc::RbtreeFirst => "bpf_rbtree_first",
            GraphKfunc::ListPushFrontImpl => "bpf_list_push_front_impl",
            GraphKfunc::ListPushBackImpl => "bpf_list_push_back_impl",
            GraphKfunc::ListPopFront => "bpf_list_pop_front",
            GraphKfunc::ListPopBack => "bpf_list_pop_back",
            GraphKfunc::RefcountAcquireImpl => "bpf_refcount_acquire_impl",
            GraphKfunc::ListFront => "bpf_list_front",
            GraphKfunc::ListBack => "bpf_list_back",
            GraphKfunc::RbtreeRoot => "bpf_rbtree_root",
            GraphKfunc::RbtreeLeft => "bpf_rbtree_left",
            GraphKfunc::RbtreeRight => "bpf_rbtree_right",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<GraphKfunc> {
        GraphKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -128, -129, ...
    pub const fn placeholder(self) -> i32 {
        -128 - self as i32
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<GraphKfunc> {
        GraphKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// True for the kfuncs of a tree or a list, which need its `bpf_spin_lock` held (the
    /// kernel's `is_bpf_graph_api_kfunc`: the only kfuncs allowed while a lock is held).
    pub const fn needs_lock(self) -> bool {
        !matches!(
            self,
            GraphKfunc::ObjNewImpl | GraphKfunc::ObjDropImpl | GraphKfunc::RefcountAcquireImpl
        )
    }

    /// True for the kfuncs the kernel allows while a `bpf_spin_lock` is held
    /// (`is_bpf_graph_api_kfunc`): the tree and list kfuncs and `bpf_refcount_acquire_impl`.
    pub const fn allowed_under_lock(self) -> bool {
        self.needs_lock() || matches!(self, GraphKfunc::RefcountAcquireImpl)
    }

    /// True for the list kfuncs (a `bpf_list_head` rather than a `bpf_rb_root`).
    pub const fn is_list(self) -> bool {
        matches!(
            self,
            GraphKfunc::ListPushFrontImpl
                | GraphKfunc::ListPushBackImpl
                | GraphKfunc::ListPopFront
                | GraphKfunc::ListPopBack
                | GraphKfunc::ListFront
                | GraphKfunc::ListBack
        )
    }

    /// The kfunc an instruction calls by name (a kfunc call with its placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<GraphKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL && insn.off == 0 {
            GraphKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_graph_kfunc(kfunc: GraphKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip_in_their_range() {
        for k in GraphKfunc::ALL {
            assert_eq!(GraphKfunc::from_name(k.name()), Some(k));
            assert_eq!(GraphKfunc::of_insn(&call_graph_kfunc(k)), Some(k));
            assert!((-159..=-128).contains(&k.placeholder()));
            assert_eq!(
                super::super::netfilter::kfunc_name(k.placeholder()),
                Some(k.name())
            );
            assert_eq!(
                super::super::netfilter::call_kfunc_by_name(k.name()),
                Some(call_graph_kfunc(k))
            );
        }
        assert!(super::super::netfilter::kfunc_names().any(|n| n == "bpf_obj_new_impl"));
        assert_eq!(GraphKfunc::from_name("bpf_percpu_obj_new_impl"), None);
    }

    #[test]
    fn the_text_syntax_reads_and_prints_them() {
        for k in GraphKfunc::ALL {
            let a = crate::asm::assemble_unchecked(&format!("call {}\nr0 = 0\nexit", k.name()))
                .unwrap_or_else(|d| panic!("{d:?}"));
            assert_eq!(a.insns[0], call_graph_kfunc(k));
            let text = crate::disasm::disassemble(&a.insns[..1]).unwrap();
            assert_eq!(text.trim(), format!("call {}", k.name()));
        }
    }
}
