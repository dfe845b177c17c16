//! Tests of helper calls (`call/mod.rs`).

use super::super::super::domain::state::Byte;
use super::super::testkit::*;
use super::*;
use crate::verifier::initial_state;

#[test]
fn constant_keys_from_zero_bytes_or_a_spill_of_the_key_size() {
    let mut st = initial_state();
    let key = |off| RegVal::Stack { frame: 0, off };
    assert_eq!(st.constant_key(&key(-4), 4), None);
    st.frames[0].stack[63] = Slot::Bytes([Byte::Zero; 8]);
    assert_eq!(st.constant_key(&key(-4), 4), Some(0));
    // A key across two slots is not recognised (the kernel counts within one slot).
    st.frames[0].stack[62] = Slot::Bytes([Byte::Zero; 8]);
    assert_eq!(st.constant_key(&key(-10), 4), None);
    st.frames[0].stack[61] = Slot::Part(Scalar::konst(3), 4, 0, 0);
    assert_eq!(st.constant_key(&key(-24), 4), Some(3));
    assert_eq!(st.constant_key(&key(-24), 8), None);
    // A key ending where the spilled bytes end: the kernel counts the spilled bytes from the
    // key's start up, and takes the whole spilled register's value.
    assert_eq!(st.constant_key(&key(-22), 2), Some(3));
    assert_eq!(st.constant_key(&key(-23), 2), None);
    st.frames[0].stack[60] = Slot::Spill(RegVal::Scalar(Scalar::konst(0x1_0000_0005)));
    assert_eq!(st.constant_key(&key(-28), 4), Some(0x1_0000_0005));
    assert_eq!(st.constant_key(&key(-32), 4), None);
    assert_eq!(st.constant_key(&key(-30), 2), None);
    st.frames[0].stack[60] = Slot::Spill(stack(-8));
    assert_eq!(st.constant_key(&key(-28), 4), None);
    assert_eq!(st.constant_key(&RegVal::Scalar(Scalar::konst(0)), 4), None);
}

fn lookup_args(key: RegVal) -> State {
    let mut st = state(&[(1, RegVal::MapPtr { map: 0 }), (2, key)]);
    st.cur_mut().stack[63] = Slot::Bytes([Byte::Zero; 8]);
    st
}

#[test]
fn a_helper_argument_of_the_wrong_type_is_refused() {
    let call = One::new("call bpf_map_lookup_elem\nexit");
    let mut st = lookup_args(stack(-8));
    st.cur_mut().regs[1] = konst(0);
    let (rule, msg) = call.refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
    assert_eq!(
        msg,
        format!(
            "bpf_map_lookup_elem expects a map (`r1 = my_map ll`) in r1, but r1 is {}",
            Scalar::konst(0)
        )
    );
    // The key must be a pointer to key-size memory.
    let (rule, msg) = call.refused(&mut lookup_args(konst(0)));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(msg.starts_with("bpf_map_lookup_elem expects a pointer to the 4-byte key (e.g. on the stack: `r2 = r10; r2 += -4`) in r2"), "{msg}");
    // A missing argument names the helper.
    let mut st = lookup_args(stack(-8));
    st.cur_mut().regs[2] = RegVal::NotInit;
    let (rule, msg) = call.refused(&mut st);
    assert_eq!(rule, Rule::UninitRegister);
    assert!(
        msg.starts_with("bpf_map_lookup_elem takes 2 arguments, but r2 is read here"),
        "{msg}"
    );
    // A map of the wrong type.
    let (rule, msg) = One::new("call bpf_ringbuf_reserve\nexit").refused(&mut state(&[
        (1, RegVal::MapPtr { map: 0 }),
        (2, konst(8)),
        (3, konst(0)),
    ]));
    assert_eq!(
        (rule, msg.as_str()),
        (
            Rule::MapCompatibility,
            "bpf_ringbuf_reserve cannot be used with map `arr` of type array"
        )
    );
}

#[test]
fn a_lookup_gives_a_value_or_null_and_clobbers_the_arguments() {
    let call = One::new("call bpf_map_lookup_elem\nexit");
    let mut st = lookup_args(stack(-8));
    call.next(&mut st);
    assert!(matches!(reg(&st, 0), RegVal::MapValueOrNull { map: 0, id } if *id != 0));
    for r in 1..=5 {
        assert_eq!(*reg(&st, r), RegVal::NotInit, "r{r}");
    }
    // 6.14+: a constant in-bounds key of an array cannot fail.
    let mut st = lookup_args(stack(-8));
    call.clone()
        .kernel(KernelVersion::CONST_KEY_LOOKUP)
        .next(&mut st);
    assert_eq!(*reg(&st, 0), map_value(0, 0));
    // Out of bounds (key 4 of 4 entries): it can.
    let mut st = lookup_args(stack(-8));
    st.cur_mut().stack[63] = Slot::Spill(konst(4));
    let mut st4 = st.clone();
    call.clone()
        .kernel(KernelVersion::CONST_KEY_LOOKUP)
        .next(&mut st4);
    assert!(matches!(reg(&st4, 0), RegVal::MapValueOrNull { .. }));
    // An array created with BPF_F_INNER_MAP (`ia`, map 8): it can, whatever the key.
    let mut st = lookup_args(stack(-8));
    st.cur_mut().regs[1] = RegVal::MapPtr { map: 8 };
    call.clone()
        .kernel(KernelVersion::CONST_KEY_LOOKUP)
        .next(&mut st);
    assert!(matches!(reg(&st, 0), RegVal::MapValueOrNull { map: 8, .. }));
}

#[test]
fn a_helper_writes_through_a_variable_offset_stack_pointer() {
    let var = RegVal::StackVar {
        frame: 0,
        off: -24,
        var: Scalar::urange(0, 8)
            .with_tnum(crate::verifier::domain::tnum::Tnum { value: 0, mask: 8 }),
    };
    let call = One::new("call bpf_xdp_load_bytes\nexit");
    let args = |r3: RegVal| state(&[(2, konst(0)), (3, r3), (4, konst(16))]);
    let mut st = args(var);
    call.next(&mut st);
    // Every byte the 16 bytes may cover (r10-24 .. r10) is written.
    for off in [-24, -16, -8] {
        assert_eq!(*slot(&st, off), Slot::Bytes([Byte::Misc; 8]), "r10 {off}");
    }
    // From r10-16, the range would reach r10+8.
    let past = RegVal::StackVar {
        frame: 0,
        off: -16,
        var: Scalar::urange(0, 8),
    };
    let (rule, msg) = call.refused(&mut args(past));
    assert_eq!(rule, Rule::StackAccess);
    assert!(msg.contains("r10 -16 .. r10 +8"), "{msg}");
    // A zero size checks the place too: here and for a constant offset at r10 + 0.
    let zero = |r2: RegVal| state(&[(1, r2), (2, konst(0)), (3, konst(0))]);
    let probe = One::new("call bpf_probe_read_kernel\nexit").ty(crate::ProgramType::SocketFilter);
    let anywhere = RegVal::StackVar {
        frame: 0,
        off: -16,
        var: Scalar::urange(0, 63),
    };
    let (rule, _) = probe.refused(&mut zero(anywhere));
    assert_eq!(rule, Rule::StackAccess);
    let (rule, _) = probe.refused(&mut zero(RegVal::Stack { frame: 0, off: 0 }));
    assert_eq!(rule, Rule::StackAccess);
    probe.next(&mut zero(RegVal::Stack { frame: 0, off: -8 }));
}

#[test]
fn helpers_the_program_type_may_not_call() {
    let (rule, msg) = One::new("call bpf_skb_load_bytes\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(
        msg.starts_with("bpf_skb_load_bytes cannot be called from"),
        "{msg}"
    );
    let (rule, msg) = One::new("call 999\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::UnknownHelper);
    assert!(msg.starts_with("there is no kernel helper #999"), "{msg}");
}

#[test]
fn trace_printk_checks_only_the_format_and_its_size() {
    // r3-r5 are the kernel's ARG_DONTCARE: uninitialised is fine.
    let fmt = RegVal::Stack { frame: 0, off: -8 };
    let mut st = state(&[(1, fmt), (2, konst(8))]);
    st.cur_mut().stack[63] = Slot::Bytes([Byte::Zero; 8]);
    One::new("call bpf_trace_printk\nexit").next(&mut st);
    assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
    // The format still must be initialised memory of the given size.
    let mut st = state(&[(1, fmt), (2, konst(16))]);
    let (rule, _) = One::new("call bpf_trace_printk\nexit").refused(&mut st);
    assert_eq!(rule, Rule::StackAccess);
    let (rule, msg) = One::new("call bpf_trace_printk\nexit")
        .refused(&mut state(&[(1, RegVal::NotInit), (2, konst(8))]));
    assert_eq!(rule, Rule::UninitRegister, "{msg}");
}

#[test]
fn trace_vprintk_takes_a_format_and_data_or_null() {
    let fmt = RegVal::Stack { frame: 0, off: -8 };
    let data = RegVal::Stack { frame: 0, off: -16 };
    let zeroed = |regs: &[(u8, RegVal)]| {
        let mut st = state(regs);
        st.cur_mut().stack[62] = Slot::Bytes([Byte::Zero; 8]);
        st.cur_mut().stack[63] = Slot::Bytes([Byte::Zero; 8]);
        st
    };
    let call = "call bpf_trace_vprintk\nexit";
    let ok = [(1, fmt), (2, konst(8)), (3, data), (4, konst(8))];
    One::new(call).next(&mut zeroed(&ok));
    let null = [(1, fmt), (2, konst(8)), (3, konst(0)), (4, konst(0))];
    One::new(call).next(&mut zeroed(&null));
    // NULL data of a non-zero size, or no size at all: refused.
    let bad = [(1, fmt), (2, konst(8)), (3, konst(0)), (4, konst(8))];
    let (rule, _) = One::new(call).refused(&mut zeroed(&bad));
    assert_eq!(rule, Rule::HelperArgument);
    let unset = [(1, fmt), (2, konst(8)), (3, konst(0)), (4, RegVal::NotInit)];
    let (rule, _) = One::new(call).refused(&mut zeroed(&unset));
    assert_eq!(rule, Rule::UninitRegister);
}

#[test]
fn a_packet_changing_helper_invalidates_packet_pointers() {
    let mut st = state(&[
        (2, konst(4)),
        (6, pkt(0, 14)),
        (7, RegVal::PktEnd),
        (8, konst(3)),
    ]);
    One::new("call bpf_xdp_adjust_head\nexit").next(&mut st);
    assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 7), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 8), konst(3));
    assert_eq!(*reg(&st, 0), scalar(Scalar::UNKNOWN));
}

#[test]
fn a_ring_buffer_reservation_is_a_reference_until_submitted() {
    let mut st = state(&[
        (1, RegVal::MapPtr { map: 3 }),
        (2, konst(16)),
        (3, konst(0)),
    ]);
    One::new("call bpf_ringbuf_reserve\nexit").next(&mut st);
    let RegVal::RingbufOrNull {
        size: 16, ref_id, ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_eq!(st.refs, vec![ref_id]);
    // Submitting it needs the null check first.
    st.cur_mut().regs[1] = *reg(&st, 0);
    st.cur_mut().regs[2] = konst(0);
    let (rule, _) = One::new("call bpf_ringbuf_submit\nexit").refused(&mut st.clone());
    assert_eq!(rule, Rule::NullCheck);
    let mem = RegVal::Ringbuf {
        size: 16,
        off: 0,
        var: Scalar::konst(0),
        ref_id,
    };
    st.cur_mut().regs[1] = mem;
    st.cur_mut().regs[6] = mem;
    One::new("call bpf_ringbuf_submit\nexit").next(&mut st);
    assert!(st.refs.is_empty());
    assert_eq!(*reg(&st, 6), scalar(Scalar::UNKNOWN));
    assert_eq!(*reg(&st, 0), RegVal::NotInit);
}

#[test]
fn memory_a_helper_writes_is_marked_written_after_the_checks() {
    // bpf_xdp_load_bytes(ctx, off, buf, len): 16 bytes at r10 - 16.
    let regs = [(2, konst(0)), (3, stack(-16)), (4, konst(16))];
    let mut st = state(&regs);
    st.cur_mut().stack[62] = Slot::Spill(pkt(0, 0));
    st.cur_mut().stack[63] = Slot::Bytes([Byte::Zero; 8]);
    One::new("call bpf_xdp_load_bytes\nexit").next(&mut st);
    assert_eq!(*slot(&st, -16), Slot::Bytes([Byte::Misc; 8]));
    assert_eq!(*slot(&st, -8), Slot::Bytes([Byte::Misc; 8]));
    // A refused call writes nothing (the size does not fit the frame).
    let mut st = state(&[(2, konst(0)), (3, stack(-8)), (4, konst(16))]);
    let (rule, msg) = One::new("call bpf_xdp_load_bytes\nexit").refused(&mut st);
    assert_eq!(
        (rule, msg.as_str()),
        (
            Rule::StackAccess,
            "bpf_xdp_load_bytes would access r10 -8 .. r10 +8 through r3, outside the 512-byte stack frame"
        )
    );
    // Helpers do not write the packet.
    let mut st = state(&[(2, konst(0)), (3, pkt(0, 16)), (4, konst(16))]);
    let (rule, _) = One::new("call bpf_xdp_load_bytes\nexit").refused(&mut st);
    assert_eq!(rule, Rule::HelperArgument);
}

#[test]
fn a_socket_lookup_is_a_reference_until_released() {
    let tc = |src: &str| One::new(src).ty(crate::spec::ProgramType::SchedCls);
    let mut st = state(&[
        (2, stack(-16)),
        (3, konst(12)),
        (4, konst(0)),
        (5, konst(0)),
    ]);
    tc("call bpf_sk_lookup_tcp\nexit").next(&mut st);
    let RegVal::SockOrNull {
        common: false,
        ref_id,
        ..
    } = *reg(&st, 0)
    else {
        panic!("{:?}", reg(&st, 0))
    };
    assert_ne!(ref_id & local::SOCK_REF, 0);
    assert_eq!(st.refs, vec![ref_id]);
    // A tail call now would leak it.
    let mut tail = st.clone();
    tail.cur_mut().regs[1] = RegVal::Ctx { off: 0 };
    tail.cur_mut().regs[2] = RegVal::MapPtr { map: 0 };
    tail.cur_mut().regs[3] = konst(0);
    let (rule, _) = tc("call bpf_tail_call\nexit").refused(&mut tail);
    assert_eq!(rule, Rule::ReferenceLeak);
    // Released through its non-NULL form: no reference left.
    st.cur_mut().regs[1] = RegVal::Sock {
        common: false,
        ref_id,
    };
    tc("call bpf_sk_release\nexit").next(&mut st);
    assert!(st.refs.is_empty());
    // `__sk_buff.sk` holds no reference and cannot be released.
    let (rule, msg) = tc("call bpf_sk_release\nexit").refused(&mut state(&[(
        1,
        RegVal::Sock {
            common: true,
            ref_id: 0,
        },
    )]));
    assert_eq!(rule, Rule::HelperArgument);
    assert!(
        msg.starts_with("bpf_sk_release expects a referenced socket"),
        "{msg}"
    );
}
