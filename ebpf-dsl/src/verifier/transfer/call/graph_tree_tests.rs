use super::super::super::testkit::*;
use super::super::graph::tests::{owner_type, tc};
use super::*;
use crate::verifier::context::Step;
use crate::verifier::domain::state::{covers, OBJECT_LOCK};

/// `lk` is map 5; its root is at 8, its lock at 4.
const LK: u16 = 5;

fn owned(off: i32, rf: u32) -> RegVal {
    RegVal::Alloc {
        ty: 3,
        off,
        ref_id: rf,
    }
}

/// At a tree call: r1 the root, the lock held (`locked`), r2 `node`, r3 `less` at 5.
fn at_call(locked: bool, node: RegVal) -> State {
    let mut st = state(&[
        (1, map_value(LK, 8)),
        (2, node),
        (3, RegVal::Func { target: 5 }),
        (4, konst(0)),
        (5, konst(0)),
    ]);
    if locked {
        st.lock = Some((LK, 0));
    }
    st
}

/// `call bpf_rbtree_add_impl` at 2 and its `less` at 5.
fn add() -> One {
    tc("r3 = less ll\ncall bpf_rbtree_add_impl\nr0 = 0\nexit\nless:\nr0 = 0\nexit")
}

/// Applies the call of [`add`] to `st`, which must be refused; the message.
fn add_refused(st: &mut State) -> String {
    match add().at(2, st) {
        Err(e) => e.message,
        Ok(s) => panic!("expected a rejection, got {s:?}"),
    }
}

#[test]
fn add_moves_an_owned_node_into_the_tree_and_calls_less_with_two_nodes() {
    let rf = 7 | ALLOC_REF;
    let mut st = at_call(true, owned(16, rf));
    st.cur_mut().regs[6] = owned(0, rf);
    st.refs.push(rf);
    match add().at(2, &mut st) {
        Ok(Step::Branch {
            other_pc: 5,
            other,
            pc: 3,
        }) => {
            // `less` gets two non-owning nodes at the node's offset, the lock held.
            assert_eq!(other.frames.len(), 2);
            assert_eq!(*reg(&other, 1), owned(16, 0));
            assert_eq!(*reg(&other, 2), owned(16, 0));
            assert_eq!(other.lock, Some((LK, 0)));
        }
        other => panic!("{other:?}"),
    }
    // The node is in the tree: no reference held, every copy non-owning.
    assert!(st.refs.is_empty());
    assert_eq!(*reg(&st, 6), owned(0, 0));
    assert!(matches!(reg(&st, 0), RegVal::Scalar(_)));
}

#[test]
fn the_trees_lock_must_be_held_and_the_node_of_its_type() {
    let rf = 7 | ALLOC_REF;
    let msg = add_refused(&mut at_call(false, owned(16, rf)));
    assert!(
        msg.contains("bpf_spin_lock at off=4 must be held for bpf_rb_root"),
        "{msg}"
    );
    // Not at the node; an object of another struct; not owned.
    let msg = add_refused(&mut at_call(true, owned(0, rf)));
    assert!(
        msg.contains(
            "expects arg#1 bpf_rb_node at offset=16 in struct node_data, but arg is at offset=0"
        ),
        "{msg}"
    );
    let other = RegVal::Alloc {
        ty: 4,
        off: 16,
        ref_id: rf,
    };
    let msg = add_refused(&mut at_call(true, other));
    assert!(msg.contains("in struct other"), "{msg}");
    let msg = add_refused(&mut at_call(true, owned(16, 0)));
    assert!(msg.contains("allocated object must be referenced"), "{msg}");
    // A root pointer not at the root.
    let mut st = at_call(true, owned(16, rf));
    st.cur_mut().regs[1] = map_value(LK, 0);
    let msg = add_refused(&mut st);
    assert!(msg.contains("bpf_rb_root not found at offset=0"), "{msg}");
}

#[test]
fn first_gives_a_non_owning_node_and_remove_an_owned_one() {
    let mut st = at_call(true, konst(0));
    tc("call bpf_rbtree_first\nexit").next(&mut st);
    let RegVal::AllocOrNull {
        ty: 3,
        off: 16,
        ref_id: 0,
        ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert!(st.refs.is_empty());
    let remove = tc("call bpf_rbtree_remove\nexit");
    let mut st = at_call(true, owned(16, 0));
    remove.next(&mut st);
    let RegVal::AllocOrNull {
        off: 16, ref_id, ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(st.refs, vec![ref_id]);
    // An owned node is not in a tree.
    let (_, msg) = remove.refused(&mut at_call(true, owned(16, 7 | ALLOC_REF)));
    assert!(
        msg.contains("rbtree_remove node input must be non-owning ref"),
        "{msg}"
    );
}

#[test]
fn unlock_ends_every_non_owning_reference() {
    let mut st = state(&[(1, map_value(LK, 4)), (6, owned(16, 0)), (7, owned(0, 9))]);
    st.lock = Some((LK, 0));
    tc("call bpf_spin_unlock\nexit").next(&mut st);
    assert!(matches!(reg(&st, 6), RegVal::Scalar(_)));
    assert_eq!(*reg(&st, 7), owned(0, 9));
    // Under the lock, the tree kfuncs may be called, other kfuncs not.
    let mut st = at_call(true, konst(0));
    tc("call bpf_rbtree_first\nexit").next(&mut st);
    let mut st = at_call(true, konst(0));
    st.cur_mut().regs[1] = konst(3);
    let (rule, _) = tc("call bpf_obj_new_impl\nexit").refused(&mut st);
    assert_eq!(rule, Rule::HelperNotAllowed);
}

#[test]
fn a_list_takes_owned_nodes_at_its_node_and_pops_them_owned() {
    let rf = 7 | ALLOC_REF;
    let head = |node| {
        let mut st = at_call(true, node);
        st.cur_mut().regs[1] = map_value(LK, 24);
        st
    };
    for k in ["bpf_list_push_front_impl", "bpf_list_push_back_impl"] {
        let push = tc(&format!("call {k}\nexit"));
        let mut st = head(owned(48, rf));
        st.cur_mut().regs[6] = owned(48, rf);
        st.refs.push(rf);
        push.next(&mut st);
        assert!(st.refs.is_empty());
        assert_eq!(*reg(&st, 6), owned(48, 0));
        // At the rb node rather than the list node; the tree's root as the head.
        let (_, msg) = push.refused(&mut head(owned(16, rf)));
        assert!(
            msg.contains("expects arg#1 bpf_list_node at offset=48"),
            "{msg}"
        );
        let (_, msg) = push.refused(&mut at_call(true, owned(48, rf)));
        assert!(msg.contains("bpf_list_head not found at offset=8"), "{msg}");
        let mut st = head(owned(48, rf));
        st.lock = None;
        let (_, msg) = push.refused(&mut st);
        assert!(msg.contains("must be held for bpf_list_head"), "{msg}");
    }
    for k in ["bpf_list_pop_front", "bpf_list_pop_back"] {
        let mut st = head(konst(0));
        tc(&format!("call {k}\nexit")).next(&mut st);
        let RegVal::AllocOrNull {
            off: 48, ref_id, ..
        } = *reg(&st, 0)
        else {
            panic!("{:?}", reg(&st, 0))
        };
        assert_eq!(st.refs, vec![ref_id]);
    }
}

/// An owned `struct owner` (with its own lock at 16 and list at 0) at `off`, reference `rf`.
fn owner(off: i32, rf: u32) -> RegVal {
    RegVal::Alloc {
        ty: owner_type(),
        off,
        ref_id: rf,
    }
}

#[test]
fn the_lock_of_an_owned_object_guards_its_own_list() {
    let rf = 7 | ALLOC_REF;
    let mut st = state(&[(1, owner(16, rf)), (6, owner(0, rf))]);
    st.refs.push(rf);
    tc("call bpf_spin_lock\nexit").next(&mut st);
    assert_eq!(st.lock, Some((OBJECT_LOCK, rf)));
    // Its list: a pop gives an owned node_data at its list node.
    st.cur_mut().regs[1] = owner(0, rf);
    tc("call bpf_list_pop_front\nexit").next(&mut st);
    let RegVal::AllocOrNull {
        ty: 3,
        off: 48,
        ref_id,
        ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(st.refs, vec![rf, ref_id]);
    // The same lock released through another copy of the pointer.
    st.cur_mut().regs[1] = owner(16, rf);
    tc("call bpf_spin_unlock\nexit").next(&mut st);
    assert_eq!(st.lock, None);
    assert_eq!(*reg(&st, 6), owner(0, rf));
}

#[test]
fn an_objects_lock_is_taken_at_its_offset_of_an_object_the_program_owns() {
    let rf = 7 | ALLOC_REF;
    let lock = tc("call bpf_spin_lock\nexit");
    let (rule, msg) = lock.refused(&mut state(&[(1, owner(24, rf))]));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(
        msg.contains("off 24 doesn't point to 'struct bpf_spin_lock' that is at 16"),
        "{msg}"
    );
    let (_, msg) = lock.refused(&mut state(&[(1, owned(0, rf))]));
    assert!(
        msg.contains("local 'kptr' has no valid bpf_spin_lock"),
        "{msg}"
    );
    // A non-owning reference (in a tree or list) is no lock argument.
    let (_, msg) = lock.refused(&mut state(&[(1, owner(16, 0))]));
    assert!(msg.contains("expected=map_value, ptr_"), "{msg}");
    // Unlock of another object's lock.
    let mut st = state(&[(1, owner(16, 9 | ALLOC_REF))]);
    st.lock = Some((OBJECT_LOCK, rf));
    let (_, msg) = tc("call bpf_spin_unlock\nexit").refused(&mut st);
    assert!(msg.contains("bpf_spin_unlock of different lock"), "{msg}");
}

#[test]
fn an_objects_list_needs_that_objects_lock_and_an_owning_reference() {
    let rf = 7 | ALLOC_REF;
    let pop = tc("call bpf_list_pop_front\nexit");
    for held in [None, Some((OBJECT_LOCK, 9 | ALLOC_REF)), Some((LK, 0))] {
        let mut st = state(&[(1, owner(0, rf))]);
        st.lock = held;
        let (rule, msg) = pop.refused(&mut st);
        assert_eq!(rule, Rule::HelperArgument);
        assert!(
            msg.contains("bpf_spin_lock at off=16 must be held for bpf_list_head"),
            "{held:?}: {msg}"
        );
    }
    // Through a non-owning reference, even with its lock held.
    let mut st = state(&[(1, owner(0, 0))]);
    st.lock = Some((OBJECT_LOCK, rf));
    let (_, msg) = pop.refused(&mut st);
    assert!(
        msg.contains("expected pointer to map value or allocated object"),
        "{msg}"
    );
    // Not at the head.
    let mut st = state(&[(1, owner(24, rf))]);
    st.lock = Some((OBJECT_LOCK, rf));
    let (_, msg) = pop.refused(&mut st);
    assert!(
        msg.contains("bpf_list_head not found at offset=24"),
        "{msg}"
    );
}

#[test]
fn states_holding_an_objects_lock_compare_by_its_reference() {
    let (a, b) = (7 | ALLOC_REF, 9 | ALLOC_REF);
    let held = |rf, other| {
        let mut st = state(&[(6, owner(0, rf)), (7, owner(0, other))]);
        st.refs = vec![rf, other];
        st.lock = Some((OBJECT_LOCK, rf));
        st
    };
    // Renamed consistently: covered; the lock of the other object: not; a map's lock: not.
    assert!(covers(&held(a, b), &held(b, a), 0x7ff));
    let mut other = held(a, b);
    other.lock = Some((OBJECT_LOCK, b));
    assert!(!covers(&held(a, b), &other, 0x7ff));
    let mut map = held(a, b);
    map.lock = Some((LK, 0));
    assert!(!covers(&held(a, b), &map, 0x7ff));
}

#[test]
fn the_peeks_of_linux_6_16_give_non_owning_nodes_or_null() {
    let new = crate::verifier::KernelVersion::new(6, 18);
    for (k, head, off) in [
        ("bpf_list_front", 24, 48),
        ("bpf_list_back", 24, 48),
        ("bpf_rbtree_root", 8, 16),
        ("bpf_rbtree_left", 8, 16),
        ("bpf_rbtree_right", 8, 16),
    ] {
        let call = tc(&format!("call {k}\nexit")).kernel(new);
        let mut st = at_call(true, owned(16, 0));
        st.cur_mut().regs[1] = map_value(LK, head);
        call.next(&mut st);
        let RegVal::AllocOrNull {
            ty: 3,
            off: o,
            ref_id: 0,
            ..
        } = *reg(&st, 0)
        else {
            panic!("{k}: {:?}", reg(&st, 0))
        };
        assert_eq!(o, off, "{k}");
        assert!(st.refs.is_empty(), "{k}");
        // Without the lock; before 6.16.
        let mut st = at_call(false, owned(16, 0));
        st.cur_mut().regs[1] = map_value(LK, head);
        let (_, msg) = call.refused(&mut st);
        assert!(msg.contains("must be held for"), "{k}: {msg}");
        let mut st = at_call(true, owned(16, 0));
        st.cur_mut().regs[1] = map_value(LK, head);
        let (rule, msg) = tc(&format!("call {k}\nexit")).refused(&mut st);
        assert_eq!(rule, Rule::HelperNotAllowed, "{k}");
        assert!(msg.contains("needs Linux 6.16"), "{k}: {msg}");
    }
}

#[test]
fn from_linux_6_16_remove_left_and_right_take_an_owned_node_too() {
    let rf = 7 | ALLOC_REF;
    let new = crate::verifier::KernelVersion::new(6, 18);
    for k in ["bpf_rbtree_remove", "bpf_rbtree_left", "bpf_rbtree_right"] {
        let call = tc(&format!("call {k}\nexit")).kernel(new);
        let mut st = at_call(true, owned(16, rf));
        st.refs.push(rf);
        st.cur_mut().regs[6] = owned(0, rf);
        call.next(&mut st);
        // The argument stays owned; remove gives one more owned reference, the others none.
        assert_eq!(*reg(&st, 6), owned(0, rf), "{k}");
        let RegVal::AllocOrNull { ref_id, .. } = *reg(&st, 0) else {
            panic!("{k}: {:?}", reg(&st, 0))
        };
        assert_eq!(ref_id != 0, k == "bpf_rbtree_remove", "{k}");
        // A node that may be NULL.
        let maybe = RegVal::AllocOrNull {
            ty: 3,
            off: 16,
            id: 4,
            ref_id: 0,
        };
        let (rule, msg) = call.refused(&mut at_call(true, maybe));
        assert_eq!(rule, Rule::NullCheck, "{k}");
        assert!(
            msg.contains("Possibly NULL pointer passed to trusted arg1"),
            "{k}: {msg}"
        );
    }
    // Before 6.16, bpf_rbtree_remove refuses an owned node.
    let mut st = at_call(true, owned(16, rf));
    st.refs.push(rf);
    let (_, msg) = tc("call bpf_rbtree_remove\nexit").refused(&mut st);
    assert!(
        msg.contains("rbtree_remove node input must be non-owning ref"),
        "{msg}"
    );
}
