//! The red-black tree kfuncs (Linux 6.3), as the kernel's `check_kfunc_args`
//! (`KF_ARG_PTR_TO_RB_ROOT`, `KF_ARG_PTR_TO_RB_NODE`, `__process_kf_arg_ptr_to_graph_root` /
//! `_node`, `check_reg_allocation_locked`) and `check_kfunc_call` check them:
//!
//! * the root (r1) is a `struct bpf_rb_root` of a map value at a constant offset (a field of
//!   the value's BTF with its `__contains(TYPE, FIELD)` tag: "bpf_rb_root not found at
//!   offset=N"), and the `bpf_spin_lock` of that same value is held ("bpf_spin_lock at off=N
//!   must be held for bpf_rb_root"); or a root of an object the program owns (its struct's
//!   BTF record, the kernel's `reg_btf_record`), whose own lock is held (taken through the
//!   same owning reference: `check_reg_allocation_locked`, "held lock and object are not in
//!   the same allocation"), never through a non-owning reference ("arg#0 expected pointer to
//!   map value or allocated object"): an object holding a list of other objects, itself a
//!   node of a map value's list (linked_list.c's `list_in_list`);
//! * `bpf_rbtree_add_impl(root, node, less, meta__ign, off__k)`: the node (r2) is an object
//!   the program owns, of the root's TYPE, at FIELD's offset ("operation on bpf_rb_root
//!   expects arg#1 bpf_rb_node at offset=N in struct T, but arg is at offset=M in struct U");
//!   `less` (r3) a function of the program, called back with two non-owning nodes of TYPE
//!   (r1, r2), the lock held, returning 0 or 1; r5 a known constant. The node's reference
//!   becomes non-owning (every copy); r0 a number;
//! * `bpf_rbtree_remove(root, node)`: the node is a non-owning reference ("rbtree_remove node
//!   input must be non-owning ref"), of TYPE at FIELD; r0 the node owned again, or NULL;
//! * `bpf_rbtree_first(root)`: r0 a non-owning reference to a node of TYPE, or NULL;
//! * the lists (`bpf_list_push_front_impl` / `_back_impl(head, node, meta__ign, off__k)`,
//!   `bpf_list_pop_front` / `_back(head)`) are checked the same way: a `struct
//!   bpf_list_head` whose lock is held, an owned node of its TYPE at FIELD (a
//!   `bpf_list_node`) that becomes non-owning, r4 a known constant; a pop gives the node
//!   owned again, or NULL;
//! * `bpf_spin_unlock` turns every non-owning reference into a number
//!   (`invalidate_non_owning_refs`).
//!
//! Nodes of a struct with a `bpf_refcount` are the same (their non-owning references are
//! also RCU ones for the kernel, which only matters in an RCU read section, not modelled; an
//! add of one already in a collection fails at run time, the node then dropped by the
//! kernel); no kfunc is called from within `less` (the lock is held there).

use super::graph::ALLOC_REF;
use super::*;
use crate::btf::FieldKind;
use crate::verifier::domain::state::OBJECT_LOCK;
use crate::xdp::graph::GraphKfunc;

impl<'a> Exec<'a> {
    /// `call` of a tree kfunc `k`.
    pub(crate) fn call_rbtree_kfunc(
        &mut self,
        pc: usize,
        st: &mut State,
        k: GraphKfunc,
    ) -> R<Option<(usize, State)>> {
        let full = k.name();
        if self.in_callback(st) {
            return Err(e(
                pc,
                Rule::HelperNotAllowed,
                format!("{full} is called from a callback, which is not modelled by this verifier (the kernel refuses a call needing the tree's lock, and bpf_rbtree_remove, in an rbtree callback)"),
            ));
        }
        let root = self.read(st, pc, 1)?;
        let list = k.is_list();
        let (value, node_off) = self.graph_root_arg(pc, st, &root, full, list)?;
        let btf = self.program_btf(pc, full)?;
        if self.special_fields(btf, value).is_err() {
            return Err(e(
                pc,
                Rule::Unsupported,
                format!(
                    "{full}: nodes of struct {} (a layout not modelled) are not modelled by this verifier",
                    self.local_name(value)
                ),
            ));
        }
        let node_ref = || RegVal::Alloc {
            ty: value,
            off: node_off as i32,
            ref_id: 0,
        };
        match k {
            GraphKfunc::RbtreeAddImpl => {
                let node = self.read(st, pc, 2)?;
                let rf = self.owned_node(pc, &node, full)?;
                self.check_node_arg(pc, &node, value, node_off, full, list)?;
                let less = self.read(st, pc, 3)?;
                let RegVal::Func { target } = less else {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{full} expects its less callback, the address of a function of the program (`r3 = less ll`), in r3, but r3 is {} (the kernel: arg#2 expected pointer to func)",
                        self.describe(&less)
                    )));
                };
                let off = self.read(st, pc, 5)?;
                if !matches!(off, RegVal::Scalar(s) if s.as_const().is_some()) {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{full}: r5 (off__k) must be a known constant (the kernel: R5 must be a known constant), but it is {}",
                        self.describe(&off)
                    )));
                }
                let target = target as usize;
                let mut cb = self.rbtree_callback_state(pc, st, target)?;
                {
                    let f = cb.cur_mut();
                    f.regs[1] = node_ref();
                    f.regs[2] = node_ref();
                }
                into_graph(st, rf);
                for r in 1..=5 {
                    self.set(st, r, RegVal::NotInit);
                }
                self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
                Ok(self
                    .another_round(st, 0, &RegVal::NotInit)
                    .then_some((target, cb)))
            }
            GraphKfunc::RbtreeRemove | GraphKfunc::RbtreeLeft | GraphKfunc::RbtreeRight => {
                let node = self.read(st, pc, 2)?;
                self.tree_node_arg(pc, &node, full)?;
                self.check_node_arg(pc, &node, value, node_off, full, list)?;
                let owned = k == GraphKfunc::RbtreeRemove;
                Ok(self.graph_ret(st, value, node_off, owned))
            }
            GraphKfunc::ListPushFrontImpl | GraphKfunc::ListPushBackImpl => {
                let node = self.read(st, pc, 2)?;
                let rf = self.owned_node(pc, &node, full)?;
                self.check_node_arg(pc, &node, value, node_off, full, list)?;
                let off = self.read(st, pc, 4)?;
                if !matches!(off, RegVal::Scalar(s) if s.as_const().is_some()) {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{full}: r4 (off__k) must be a known constant (the kernel: R4 must be a known constant), but it is {}",
                        self.describe(&off)
                    )));
                }
                into_graph(st, rf);
                for r in 1..=5 {
                    self.set(st, r, RegVal::NotInit);
                }
                self.set(st, 0, RegVal::Scalar(Scalar::UNKNOWN));
                Ok(None)
            }
            GraphKfunc::ListPopFront | GraphKfunc::ListPopBack => {
                Ok(self.graph_ret(st, value, node_off, true))
            }
            _ => Ok(self.graph_ret(st, value, node_off, false)),
        }
    }

    /// r0 after a call giving a node of struct `value` at `node_off`, or NULL: owned (a
    /// remove, a pop) or not (`bpf_rbtree_first`); r1-r5 clobbered.
    fn graph_ret(
        &mut self,
        st: &mut State,
        value: u32,
        node_off: u32,
        owned: bool,
    ) -> Option<(usize, State)> {
        for r in 1..=5 {
            self.set(st, r, RegVal::NotInit);
        }
        let id = st.fresh();
        let ref_id = if owned {
            let rf = st.fresh() | ALLOC_REF;
            st.refs.push(rf);
            rf
        } else {
            0
        };
        self.set(
            st,
            0,
            RegVal::AllocOrNull {
                ty: value,
                off: node_off as i32,
                id,
                ref_id,
            },
        );
        None
    }

    /// The node (r2) of `bpf_rbtree_remove`, `bpf_rbtree_left` or `bpf_rbtree_right`: a node
    /// in a tree (a non-owning reference); from Linux 6.16 also an object the program owns
    /// (the kernel checks at run time that the node is in this tree: "can only take
    /// non-owning or refcounted bpf_rb_node pointer"; before, "rbtree_remove node input must
    /// be non-owning ref").
    fn tree_node_arg(&self, pc: usize, node: &RegVal, full: &str) -> R<()> {
        let owned_too = self.input.kernel >= KernelVersion::RBTREE_OWNED_NODE;
        match node {
            RegVal::Alloc { ref_id: 0, .. } => Ok(()),
            RegVal::Alloc { .. } if owned_too => Ok(()),
            RegVal::Alloc { .. } => Err(e(pc, Rule::HelperArgument, format!(
                "{full} expects a node in a tree (a non-owning reference, from bpf_rbtree_first or added by bpf_rbtree_add) in r2, but r2 is {}, which the target kernel ({}) refuses before Linux 6.16 (the kernel: rbtree_remove node input must be non-owning ref)",
                self.describe(node),
                self.input.kernel
            ))),
            _ => {
                let null = crate::verifier::domain::branch::is_or_null(node);
                Err(e(pc, if null { Rule::NullCheck } else { Rule::HelperArgument }, format!(
                    "{full} expects a node of the tree (a non-owning reference{}) in r2, but r2 is {}{} (the kernel: {})",
                    if owned_too { ", or an object the program owns" } else { "" },
                    self.describe(node),
                    if null { "; null-check it first" } else { "" },
                    if null { "Possibly NULL pointer passed to trusted arg1" } else if owned_too { "can only take non-owning or refcounted bpf_rb_node pointer" } else { "rbtree_remove node input must be non-owning ref" }
                )))
            }
        }
    }

    /// The node added (r2): an object the program owns; gives its reference.
    fn owned_node(&self, pc: usize, node: &RegVal, full: &str) -> R<u32> {
        match node {
            RegVal::Alloc { ref_id, .. } if *ref_id != 0 => Ok(*ref_id),
            RegVal::Alloc { .. } => Err(e(pc, Rule::HelperArgument, format!(
                "{full}: r2 is {}, a node not owned by the program (the kernel: allocated object must be referenced)",
                self.describe(node)
            ))),
            _ => Err(e(pc, if crate::verifier::domain::branch::is_or_null(node) { Rule::NullCheck } else { Rule::HelperArgument }, format!(
                "{full} expects an object the program owns in r2, but r2 is {} (the kernel: arg#1 expected pointer to allocated object)",
                self.describe(node)
            ))),
        }
    }

    /// The root argument: a `bpf_rb_root` (`list`: a `bpf_list_head`) of a map value, or of
    /// an object the program owns, whose lock is held (`check_reg_allocation_locked`: the
    /// lock of the same value, the same lookup, or of the same object); gives the nodes'
    /// struct and their node's offset.
    fn graph_root_arg(
        &self,
        pc: usize,
        st: &State,
        v: &RegVal,
        full: &str,
        list: bool,
    ) -> R<(u32, u32)> {
        let root = if list { "bpf_list_head" } else { "bpf_rb_root" };
        let (fields, at, owner, lock, held) = match v {
            RegVal::MapValue { map, off, var, id } => {
                let Some(c) = var.as_const() else {
                    return Err(e(pc, Rule::HelperArgument, format!(
                        "{full}: r1 is {} at a variable offset (the kernel: R1 doesn't have constant offset. {root} has to be at the constant offset)",
                        self.describe(v)
                    )));
                };
                (
                    self.fields_of_map(*map).cloned(),
                    *off as i64 + c as i64,
                    format!("a value of map `{}`", self.map(*map).name_str()),
                    self.lock_offset(*map),
                    st.lock == Some((*map, *id)),
                )
            }
            RegVal::Alloc { ty, off, ref_id } if *ref_id != 0 => {
                let btf = self.program_btf(pc, full)?;
                (
                    self.special_fields(btf, *ty).ok(),
                    *off as i64,
                    format!(
                        "an object of struct {} the program owns",
                        self.local_name(*ty)
                    ),
                    self.object_lock_offset(*ty),
                    st.lock == Some((OBJECT_LOCK, *ref_id)),
                )
            }
            RegVal::Alloc { .. } => {
                return Err(e(pc, Rule::HelperArgument, format!(
                    "{full}: r1 is {}; the {root} of an object is used through an owning reference only (the kernel: arg#0 expected pointer to map value or allocated object)",
                    self.describe(v)
                )));
            }
            _ => {
                return Err(e(pc, if crate::verifier::domain::branch::is_or_null(v) { Rule::NullCheck } else { Rule::HelperArgument }, format!(
                    "{full} expects a pointer to a {root} of a map value or of an object the program owns in r1, but r1 is {}",
                    self.describe(v)
                )));
            }
        };
        let Some(FieldKind::GraphRoot {
            list: _,
            value,
            node_offset,
        }) = fields
            .as_ref()
            .and_then(|f| f.root_at(at))
            .map(|f| f.kind.clone())
            .filter(|k| matches!(k, FieldKind::GraphRoot { list: l, .. } if *l == list))
        else {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{full}: r1 points at byte {at} of {owner}, where there is no {root} (the kernel: {root} not found at offset={at})"
            )));
        };
        if !held {
            let lock = lock.map_or_else(|| "-".to_string(), |l| l.to_string());
            return Err(e(pc, Rule::HelperArgument, format!(
                "{full}: the bpf_spin_lock of this {} is not held{} (the kernel: held lock and object are not in the same allocation; bpf_spin_lock at off={lock} must be held for {root})",
                owner.trim_start_matches("a ").trim_start_matches("an "),
                match st.lock {
                    Some(h) => format!(" ({} is)", self.held_lock_name(h)),
                    None => String::new(),
                }
            )));
        }
        Ok((value, node_offset))
    }

    /// A node argument (r2) must be an object of the root's struct `value` at its node.
    fn check_node_arg(
        &self,
        pc: usize,
        node: &RegVal,
        value: u32,
        node_off: u32,
        full: &str,
        list: bool,
    ) -> R<()> {
        let (root, kind, what) = if list {
            ("bpf_list_head", "bpf_list_node", "list")
        } else {
            ("bpf_rb_root", "bpf_rb_node", "tree")
        };
        let RegVal::Alloc { ty, off, .. } = *node else {
            return Ok(());
        };
        if ty != value || off != node_off as i32 {
            return Err(e(pc, Rule::HelperArgument, format!(
                "{full}: the {what} holds struct {}, by its {kind} at offset {node_off}, but r2 is {} (the kernel: operation on {root} expects arg#1 {kind} at offset={node_off} in struct {}, but arg is at offset={off} in struct {})",
                self.local_name(value),
                self.describe(node),
                self.local_name(value),
                self.local_name(ty)
            )));
        }
        Ok(())
    }

    /// The state in which `less` (at `target`) starts: the caller's with a new frame on top.
    fn rbtree_callback_state(&self, pc: usize, st: &State, target: usize) -> R<State> {
        let sp = self.callback_subprog(pc, target)?;
        if st.frames.len() >= 8 {
            return Err(e(pc, Rule::CallStack, "calls nest deeper than 8 frames"));
        }
        if st.frames.iter().any(|f| f.subprog == sp) {
            return Err(e(pc, Rule::CallStack, format!(
                "recursive call: the callback at instruction {target} is already on the call stack (the kernel allows no recursion)"
            )));
        }
        let mut cb = st.clone();
        let depth = &mut cb.cur_mut().callback_depth;
        *depth = depth.saturating_add(1);
        let idx = cb.frames.len() as u8;
        cb.frames.push(self.fresh_frame(Frame::new(idx, pc, sp)));
        Ok(cb)
    }

    /// True if the innermost frame runs `bpf_rbtree_add`'s `less` (the tree's lock is held
    /// there, and stays held when it returns).
    pub(crate) fn in_rbtree_callback(&self, st: &State) -> bool {
        st.frames.len() > 1
            && matches!(
                self.ops.get(st.cur().callsite),
                Some(crate::verifier::cfg::Op::Call { helper, kfunc: true })
                    if GraphKfunc::from_placeholder(*helper) == Some(GraphKfunc::RbtreeAddImpl)
            )
    }
}

/// The owned node `rf` goes into a tree or list: every copy of it is a non-owning reference.
fn into_graph(st: &mut State, rf: u32) {
    st.refs.retain(|x| *x != rf);
    st.for_each_reg(|r| {
        if let RegVal::Alloc { ref_id, .. } = r {
            if *ref_id == rf {
                *ref_id = 0;
            }
        }
    });
}

/// After `bpf_spin_unlock`: every non-owning reference becomes a number.
pub(crate) fn invalidate_non_owning(st: &mut State) {
    st.for_each_reg(|r| {
        if matches!(
            r,
            RegVal::Alloc { ref_id: 0, .. } | RegVal::AllocOrNull { ref_id: 0, .. }
        ) {
            *r = RegVal::Scalar(Scalar::UNKNOWN)
        }
    });
}

#[cfg(test)]
#[path = "graph_tree_tests.rs"]
mod tests;
