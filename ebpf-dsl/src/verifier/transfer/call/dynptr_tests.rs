//! Unit tests of the dynptr kfuncs and helpers (`dynptr.rs`).

use super::super::super::testkit::*;
use super::*;

const FROM_XDP: &str = "call bpf_dynptr_from_xdp\nexit";
const SLICE: &str = "call bpf_dynptr_slice\nexit";

fn dynptr_at(st: &mut State, off: i32, kind: DynptrKind, id: u32) {
    let i = ((off + 512) / 8) as usize;
    for (slot, first) in [(i, true), (i + 1, false)] {
        st.cur_mut().stack[slot] = Slot::Spill(RegVal::Dynptr {
            kind,
            first,
            id,
            ref_id: 0,
        });
    }
}

fn slice_args(off: i32) -> State {
    let mut st = state(&[
        (1, stack(off)),
        (2, konst(0)),
        (3, konst(0)),
        (4, konst(14)),
    ]);
    dynptr_at(&mut st, off, DynptrKind::Xdp, 7);
    st
}

#[test]
fn from_xdp_makes_a_dynptr_in_two_slots() {
    let mut st = state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(0)), (3, stack(-16))]);
    st.cur_mut().stack[62] = Slot::Spill(pkt(0, 0));
    One::new(FROM_XDP).next(&mut st);
    let (a, b) = (*slot(&st, -16), *slot(&st, -8));
    let Slot::Spill(RegVal::Dynptr {
        kind: DynptrKind::Xdp,
        first: true,
        id,
        ref_id: 0,
    }) = a
    else {
        panic!("{a:?}")
    };
    assert_eq!(
        b,
        Slot::Spill(RegVal::Dynptr {
            kind: DynptrKind::Xdp,
            first: false,
            id,
            ref_id: 0,
        })
    );
    assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 3), RegVal::NotInit);
}

#[test]
fn who_may_initialise_which_dynptr() {
    let args = || state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(0)), (3, stack(-16))]);
    let (rule, msg) = One::new(FROM_XDP)
        .ty(ProgramType::SchedCls)
        .refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(
        msg.starts_with("bpf_dynptr_from_xdp can only be called from xdp programs"),
        "{msg}"
    );
    let (rule, _) = One::new("call bpf_dynptr_from_skb\nexit").refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    for ty in [ProgramType::SchedCls, ProgramType::SocketFilter] {
        One::new("call bpf_dynptr_from_skb\nexit")
            .ty(ty)
            .next(&mut args());
    }
    let (rule, msg) = One::new(FROM_XDP)
        .kernel(KernelVersion::new(6, 1))
        .refused(&mut args());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("needs Linux 6.4"), "{msg}");
    // The context, unmodified, and a number of flags.
    let mut st = args();
    st.cur_mut().regs[1] = RegVal::Ctx { off: 4 };
    assert_eq!(One::new(FROM_XDP).refused(&mut st).0, Rule::HelperArgument);
    let mut st = args();
    st.cur_mut().regs[2] = stack(-8);
    assert_eq!(One::new(FROM_XDP).refused(&mut st).0, Rule::HelperArgument);
}

#[test]
fn the_dynptr_must_be_on_the_stack_at_a_slot_boundary() {
    for (v, rule) in [
        (stack(-12), Rule::StackAccess),
        (stack(-8), Rule::StackAccess),
        (stack(-520), Rule::StackAccess),
        (pkt(0, 16), Rule::HelperArgument),
    ] {
        let mut st = state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(0)), (3, v)]);
        assert_eq!(One::new(FROM_XDP).refused(&mut st).0, rule, "{v:?}");
    }
}

#[test]
fn a_slice_is_read_only_memory_or_null() {
    let mut st = slice_args(-16);
    One::new(SLICE).next(&mut st);
    let RegVal::RingbufOrNull {
        size: 14, ref_id, ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(ref_id, 7 | DYNPTR_SLICE);
    // Not before the null check; read within the size; never written.
    let (rule, _) = One::new("r1 = *(u8 *)(r0 + 0)\nexit").refused(&mut st.clone());
    assert_eq!(rule, Rule::NullCheck);
    let mem = RegVal::Ringbuf {
        size: 14,
        off: 0,
        var: Scalar::konst(0),
        ref_id,
    };
    let mut ok = state(&[(0, mem)]);
    One::new("r1 = *(u16 *)(r0 + 12)\nexit").next(&mut ok);
    let (rule, _) = One::new("r1 = *(u16 *)(r0 + 13)\nexit").refused(&mut state(&[(0, mem)]));
    assert_eq!(rule, Rule::MemoryAccess);
    let (rule, msg) = One::new("*(u8 *)(r0 + 0) = 1\nexit").refused(&mut state(&[(0, mem)]));
    assert_eq!(rule, Rule::MemoryAccess);
    assert!(msg.contains("rdonly_mem"), "{msg}");
}

#[test]
fn slice_arguments() {
    // An uninitialised dynptr.
    let mut st = slice_args(-16);
    st.cur_mut().regs[1] = stack(-32);
    let (rule, msg) = One::new(SLICE).refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(
        msg.contains("Expected an initialized dynptr as arg #0"),
        "{msg}"
    );
    // Its second half is not its start.
    let mut st = slice_args(-16);
    st.cur_mut().regs[1] = stack(-8);
    assert_eq!(One::new(SLICE).refused(&mut st).0, Rule::StackAccess);
    // The size must be a known constant.
    let mut st = slice_args(-16);
    st.cur_mut().regs[4] = scalar(Scalar::of_size(1));
    let (rule, msg) = One::new(SLICE).refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("known constant"), "{msg}");
    // A buffer on the stack is written; one over the dynptr is refused.
    let mut st = slice_args(-16);
    st.cur_mut().regs[3] = stack(-32);
    st.cur_mut().stack[60] = Slot::Spill(pkt(0, 0));
    One::new(SLICE).next(&mut st);
    assert!(matches!(slot(&st, -32), Slot::Bytes(_)));
    let mut st = slice_args(-16);
    st.cur_mut().regs[3] = stack(-24);
    assert_eq!(One::new(SLICE).refused(&mut st).0, Rule::StackAccess);
    // The writable slice is refused by the reference kernel (SLICE_RDWR_REFUSED)...
    let rdwr = || One::new("call bpf_dynptr_slice_rdwr\nexit");
    let (rule, msg) = rdwr()
        .kernel(KernelVersion::new(6, 18))
        .refused(&mut slice_args(-16));
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(
        msg.starts_with("bpf_dynptr_slice_rdwr() is not allowed"),
        "{msg}"
    );
    // ... and taken as the read-only slice before, from XDP (not from a socket filter).
    let mut st = slice_args(-16);
    rdwr().kernel(KernelVersion::new(6, 12)).next(&mut st);
    assert!(
        matches!(reg(&st, 0), RegVal::RingbufOrNull { ref_id, .. } if ref_id & DYNPTR_SLICE != 0)
    );
    let (rule, _) = rdwr()
        .kernel(KernelVersion::new(6, 12))
        .ty(ProgramType::SocketFilter)
        .refused(&mut slice_args(-16));
    assert_eq!(rule, Rule::HelperNotAllowed);
}

#[test]
fn stores_destroy_the_dynptr_and_loads_are_refused() {
    let slice = RegVal::Ringbuf {
        size: 4,
        off: 0,
        var: Scalar::konst(0),
        ref_id: 7 | DYNPTR_SLICE,
    };
    let mut st = state(&[(6, slice)]);
    dynptr_at(&mut st, -16, DynptrKind::Xdp, 7);
    One::new("*(u32 *)(r10 - 8) = 0\nexit").next(&mut st);
    assert!(matches!(slot(&st, -16), Slot::Bytes(_)));
    assert!(matches!(slot(&st, -8), Slot::Part(..)));
    // The slice survives (as for the kernel).
    assert_eq!(*reg(&st, 6), slice);
    for load in ["r0 = *(u64 *)(r10 - 16)", "r0 = *(u32 *)(r10 - 8)"] {
        let mut st = state(&[]);
        dynptr_at(&mut st, -16, DynptrKind::Xdp, 7);
        let (rule, msg) = One::new(&format!("{load}\nexit")).refused(&mut st);
        assert_eq!(rule, Rule::StackAccess, "{load}");
        assert!(msg.contains("dynptr"), "{msg}");
    }
    // Packet changes kill slices.
    let mut st = state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(4)), (6, slice)]);
    One::new("call bpf_xdp_adjust_head\nexit").next(&mut st);
    assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
}

#[test]
fn clone_and_the_queries() {
    let mut st = state(&[(1, stack(-16)), (2, stack(-32))]);
    dynptr_at(&mut st, -16, DynptrKind::Skb, 7);
    One::new("call bpf_dynptr_clone\nexit")
        .ty(ProgramType::SchedCls)
        .next(&mut st);
    assert!(matches!(
        slot(&st, -32),
        Slot::Spill(RegVal::Dynptr {
            kind: DynptrKind::Skb,
            first: true,
            ..
        })
    ));
    for q in [
        "bpf_dynptr_size",
        "bpf_dynptr_is_null",
        "bpf_dynptr_is_rdonly",
    ] {
        let mut st = state(&[(1, stack(-16))]);
        dynptr_at(&mut st, -16, DynptrKind::Xdp, 7);
        One::new(&format!("call {q}\nexit")).next(&mut st);
        assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
        let (rule, _) = One::new(&format!("call {q}\nexit"))
            .kernel(KernelVersion::new(6, 4))
            .refused(&mut state(&[(1, stack(-16))]));
        assert_eq!(rule, Rule::HelperNotAllowed);
    }
    let mut st = state(&[(1, stack(-16)), (2, konst(1)), (3, konst(4))]);
    dynptr_at(&mut st, -16, DynptrKind::Xdp, 7);
    One::new("call bpf_dynptr_adjust\nexit").next(&mut st);
}

#[test]
fn dynptr_read_and_write() {
    // bpf_dynptr_read(r10 - 40, 8, dynptr at r10 - 16, 0, 0).
    let mut st = state(&[
        (1, stack(-40)),
        (2, konst(8)),
        (3, stack(-16)),
        (4, konst(0)),
        (5, konst(0)),
    ]);
    dynptr_at(&mut st, -16, DynptrKind::Skb, 7);
    st.cur_mut().stack[59] = Slot::Spill(pkt(0, 0));
    One::new("call bpf_dynptr_read\nexit")
        .ty(ProgramType::SchedCls)
        .next(&mut st);
    assert!(matches!(slot(&st, -40), Slot::Bytes(_)));
    // Over the dynptr itself: refused.
    let mut st2 = st.clone();
    for (r, v) in [
        (1, stack(-16)),
        (2, konst(8)),
        (3, stack(-16)),
        (4, konst(0)),
        (5, konst(0)),
    ] {
        st2.cur_mut().regs[r] = v;
    }
    assert_eq!(
        One::new("call bpf_dynptr_read\nexit").refused(&mut st2).0,
        Rule::StackAccess
    );
    // Writing an skb dynptr kills packet pointers and slices; an xdp one does not.
    for (kind, dies) in [(DynptrKind::Skb, true), (DynptrKind::Xdp, false)] {
        let mut st = state(&[
            (1, stack(-16)),
            (2, konst(0)),
            (3, stack(-40)),
            (4, konst(4)),
            (5, konst(0)),
            (6, pkt(0, 8)),
        ]);
        dynptr_at(&mut st, -16, kind, 7);
        One::new("call bpf_dynptr_write\nexit").next(&mut st);
        assert_eq!(*reg(&st, 6) == pkt(0, 8), !dies, "{kind:?}");
    }
    // An uninitialised dynptr.
    let mut st = state(&[
        (1, stack(-16)),
        (2, konst(0)),
        (3, stack(-40)),
        (4, konst(4)),
        (5, konst(0)),
    ]);
    assert_eq!(
        One::new("call bpf_dynptr_write\nexit").refused(&mut st).0,
        Rule::HelperArgument
    );
}

#[test]
fn ring_buffer_dynptrs_hold_a_reference() {
    let rb = RegVal::MapPtr { map: 3 };
    let reserve = One::new("call bpf_ringbuf_reserve_dynptr\nexit");
    let args = || state(&[(1, rb), (2, konst(8)), (3, konst(0)), (4, stack(-16))]);
    let mut st = args();
    reserve.next(&mut st);
    let Slot::Spill(RegVal::Dynptr {
        kind: DynptrKind::Ringbuf,
        ref_id,
        id,
        ..
    }) = *slot(&st, -16)
    else {
        panic!("{:?}", slot(&st, -16))
    };
    assert_eq!(st.refs, vec![ref_id]);
    assert_eq!(id, ref_id | DYNPTR_MEM);
    // Not overwritten, not read.
    let mut over = st.clone();
    let (rule, msg) = One::new("*(u64 *)(r10 - 8) = 0\nexit").refused(&mut over);
    assert_eq!(rule, Rule::StackAccess);
    assert!(msg.contains("cannot overwrite referenced dynptr"), "{msg}");
    // A slice of it survives packet changes; submitting kills the dynptr, its clone and
    // the slice.
    let mut st2 = st.clone();
    for (r, v) in [(1, stack(-16)), (2, stack(-32))] {
        st2.cur_mut().regs[r] = v;
    }
    One::new("call bpf_dynptr_clone\nexit").next(&mut st2);
    let slice = RegVal::Ringbuf {
        size: 4,
        off: 0,
        var: Scalar::konst(0),
        ref_id: id | DYNPTR_SLICE,
    };
    assert!(!slice.is_packet());
    st2.cur_mut().regs[6] = slice;
    st2.cur_mut().regs[1] = stack(-32);
    st2.cur_mut().regs[2] = konst(0);
    One::new("call bpf_ringbuf_submit_dynptr\nexit").next(&mut st2);
    assert!(st2.refs.is_empty());
    assert!(matches!(slot(&st2, -16), Slot::Bytes(_)));
    assert!(matches!(slot(&st2, -32), Slot::Bytes(_)));
    assert_eq!(*reg(&st2, 6), scalar(Scalar::UNKNOWN));
    // Only a ring buffer dynptr, and only a ring buffer map.
    let mut st3 = state(&[(1, stack(-16)), (2, konst(0))]);
    dynptr_at(&mut st3, -16, DynptrKind::Xdp, 7);
    let (rule, msg) = One::new("call bpf_ringbuf_discard_dynptr\nexit").refused(&mut st3);
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("type ringbuf"), "{msg}");
    let mut st4 = args();
    st4.cur_mut().regs[1] = RegVal::MapPtr { map: 0 };
    assert_eq!(reserve.refused(&mut st4).0, Rule::HelperArgument);
    // Never released: a leak at the exit.
    let mut st5 = args();
    reserve.next(&mut st5);
    st5.cur_mut().regs[0] = konst(0);
    let (rule, _) = One::new("exit").refused(&mut st5);
    assert_eq!(rule, Rule::ReferenceLeak);
}

#[test]
fn a_local_dynptr_over_a_map_value() {
    let args = |data: RegVal, size: u64| {
        state(&[(1, data), (2, konst(size)), (3, konst(0)), (4, stack(-16))])
    };
    let from_mem = One::new("call bpf_dynptr_from_mem\nexit");
    let mut st = args(map_value(0, 0), 16);
    from_mem.next(&mut st);
    let Slot::Spill(RegVal::Dynptr {
        kind: DynptrKind::Local,
        id,
        ..
    }) = *slot(&st, -16)
    else {
        panic!("{:?}", slot(&st, -16))
    };
    // Its slices are not packet memory.
    let slice = RegVal::Ringbuf {
        size: 4,
        off: 0,
        var: Scalar::konst(0),
        ref_id: id | DYNPTR_SLICE,
    };
    assert!(!slice.is_packet());
    // Only a map value, within its size.
    assert_eq!(
        from_mem.refused(&mut args(stack(-48), 16)).0,
        Rule::HelperArgument
    );
    assert_eq!(
        from_mem.refused(&mut args(map_value(0, 0), 17)).0,
        Rule::MapValueBounds
    );
}

#[test]
fn xdp_pull_data_invalidates_every_packet_pointer() {
    const PULL: &str = "call bpf_xdp_pull_data\nexit";
    let mut st = state(&[
        (1, RegVal::Ctx { off: 0 }),
        (2, konst(0)),
        (6, pkt(0, 14)),
        (7, RegVal::PktEnd),
        (8, konst(3)),
    ]);
    st.cur_mut().stack[62] = Slot::Spill(pkt(0, 0));
    One::new(PULL)
        .kernel(KernelVersion::new(6, 18))
        .next(&mut st);
    assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 7), scalar(Scalar::UNKNOWN));
    assert_eq!(*slot(&st, -16), Slot::Spill(scalar(Scalar::UNKNOWN)));
    assert_eq!(*reg(&st, 8), konst(3));
    assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
    // The context itself in r1, a number in r2, XDP only, Linux 6.18.
    let (rule, msg) = One::new(PULL)
        .kernel(KernelVersion::new(6, 18))
        .refused(&mut state(&[(1, RegVal::Ctx { off: 4 }), (2, konst(0))]));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("expected pointer to ctx"), "{msg}");
    let (rule, _) = One::new(PULL)
        .kernel(KernelVersion::new(6, 18))
        .refused(&mut state(&[(1, RegVal::Ctx { off: 0 }), (2, stack(-8))]));
    assert_eq!(rule, Rule::HelperArgument);
    let (rule, _) = One::new(PULL)
        .kernel(KernelVersion::new(6, 18))
        .ty(ProgramType::SchedCls)
        .refused(&mut state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(0))]));
    assert_eq!(rule, Rule::HelperNotAllowed);
    let (rule, msg) = One::new(PULL)
        .kernel(KernelVersion::new(6, 17))
        .refused(&mut state(&[(1, RegVal::Ctx { off: 0 }), (2, konst(0))]));
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("6.18"), "{msg}");
}

#[test]
fn dynptr_data_is_writable_memory_or_null_that_dies_with_the_dynptr() {
    const DATA: &str = "call bpf_dynptr_data\nexit";
    let args = |len: RegVal| {
        let mut st = state(&[(1, stack(-16)), (2, konst(0)), (3, len)]);
        dynptr_at(&mut st, -16, DynptrKind::Local, 9 | DYNPTR_MEM);
        st
    };
    let mut st = args(konst(8));
    One::new(DATA).next(&mut st);
    let RegVal::RingbufOrNull {
        size: 8, ref_id, ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(ref_id, 9 | DYNPTR_MEM | DYNPTR_DATA);
    // Null-checked, it can be written (unlike a slice) within its size.
    let data = RegVal::Ringbuf {
        size: 8,
        off: 0,
        var: Scalar::konst(0),
        ref_id,
    };
    st.cur_mut().regs[6] = data;
    st.cur_mut().regs[2] = konst(1);
    One::new("*(u64 *)(r6 + 0) = r2\nexit").next(&mut st);
    let (rule, _) = One::new("*(u32 *)(r6 + 6) = r2\nexit").refused(&mut st.clone());
    assert_eq!(rule, Rule::MemoryAccess);
    // Nor is it a reservation to submit.
    let mut sub = st.clone();
    sub.cur_mut().regs[1] = data;
    sub.cur_mut().regs[2] = konst(0);
    let (rule, _) = One::new("call bpf_ringbuf_submit\nexit").refused(&mut sub);
    assert_eq!(rule, Rule::HelperArgument);
    // A store over the dynptr destroys it, and its data with it.
    One::new("*(u64 *)(r10 - 16) = r2\nexit").next(&mut st);
    assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
    // The length must be a known constant; the dynptr initialised.
    let (rule, msg) = One::new(DATA).refused(&mut args(scalar(Scalar::urange(0, 8))));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.contains("R3 is not a known constant"), "{msg}");
    let mut none = state(&[(1, stack(-16)), (2, konst(0)), (3, konst(8))]);
    let (rule, _) = One::new(DATA).refused(&mut none);
    assert_eq!(rule, Rule::HelperArgument);
}

#[test]
fn dynptr_data_of_a_ring_buffer_dynptr_goes_with_its_submission() {
    let mut st = state(&[(1, stack(-16)), (2, konst(0)), (3, konst(8))]);
    let rf = st.fresh();
    st.refs.push(rf);
    let i = ((-16 + 512) / 8) as usize;
    for (slot, first) in [(i, true), (i + 1, false)] {
        st.cur_mut().stack[slot] = Slot::Spill(RegVal::Dynptr {
            kind: DynptrKind::Ringbuf,
            first,
            id: rf | DYNPTR_MEM,
            ref_id: rf,
        });
    }
    One::new("call bpf_dynptr_data\nexit").next(&mut st);
    let r0 = *reg(&st, 0);
    st.cur_mut().regs[7] = r0;
    st.cur_mut().regs[1] = stack(-16);
    st.cur_mut().regs[2] = konst(0);
    One::new("call bpf_ringbuf_submit_dynptr\nexit").next(&mut st);
    assert!(st.refs.is_empty());
    assert_eq!(*reg(&st, 7), scalar(Scalar::UNKNOWN));
}
