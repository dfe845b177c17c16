//! Unit tests of the pointer offsets the kernel allows but checks at the access: a variable
//! offset into the context ([`RegVal::CtxVar`]) and a constant one into a kfunc's object or a
//! socket cast ([`RegVal::BtfObjAt`]).

use super::call::kfunc_nf::KOBJ_REF;
use super::testkit::*;
use super::*;

const NF_CONN: &str = "nf_conn";

/// A referenced `struct nf_conn` (the reference held by the state).
fn ct(st: &mut State) -> (RegVal, u32) {
    let rf = st.fresh() | KOBJ_REF;
    st.refs.push(rf);
    (
        RegVal::KObj {
            ty: NF_CONN,
            ref_id: rf,
        },
        rf,
    )
}

#[test]
fn a_variable_offset_into_the_context_is_kept_and_refused_at_the_access() {
    let var = Scalar::urange(0, 7);
    let mut st = state(&[(2, scalar(var))]);
    One::new("r1 += r2\nexit").next(&mut st);
    assert!(
        matches!(reg(&st, 1), RegVal::CtxVar { off: 0, var: v } if v.umax == 7 && v.umin == 0),
        "{:?}",
        reg(&st, 1)
    );
    // A constant moves the constant part; a variable one widens the variable part.
    One::new("r1 += 4\nexit").next(&mut st);
    assert!(matches!(reg(&st, 1), RegVal::CtxVar { off: 4, .. }));
    One::new("r1 -= r2\nexit").next(&mut st);
    assert!(
        matches!(reg(&st, 1), RegVal::CtxVar { off: 4, var: v } if v.smin == -7 && v.smax == 7)
    );
    // Every access through it is refused, whatever the constant.
    for src in ["r0 = *(u32 *)(r1 + 0)\nexit", "*(u32 *)(r1 - 4) = r2\nexit"] {
        let (rule, msg) = One::new(src).refused(&mut st.clone());
        assert_eq!(rule, Rule::ContextAccess, "{src}");
        assert!(msg.contains("variable offset into the context"), "{msg}");
    }
    // So is a helper's context argument made of it.
    let mut h = st.clone();
    h.cur_mut().regs[2] = konst(0);
    let (rule, _) = One::new("call bpf_xdp_adjust_head\nexit").refused(&mut h);
    assert_eq!(rule, Rule::HelperArgument);
    // An unbounded offset is refused at the arithmetic (`check_reg_sane_offset`), a constant
    // past 2^29 too.
    let mut st = state(&[(2, scalar(Scalar::UNKNOWN))]);
    let (rule, _) = One::new("r1 += r2\nexit").refused(&mut st);
    assert_eq!(rule, Rule::PointerArithmetic);
    let mut st = state(&[(2, konst(1 << 29))]);
    let (rule, _) = One::new("r1 += r2\nexit").refused(&mut st);
    assert_eq!(rule, Rule::PointerArithmetic);
}

#[test]
fn a_constant_offset_into_a_kfunc_object_is_kept_until_it_returns_to_zero() {
    let mut st = state(&[]);
    let (obj, rf) = ct(&mut st);
    st.cur_mut().regs[7] = obj;
    One::new("r7 += 160\nexit").next(&mut st);
    assert_eq!(
        *reg(&st, 7),
        RegVal::BtfObjAt {
            ty: NF_CONN,
            kobj: true,
            off: 160,
            ref_id: rf
        }
    );
    // Accesses are at the sum: the mark (168) may be written, by a store or an atomic.
    st.cur_mut().regs[2] = konst(1);
    One::new("*(u32 *)(r7 + 8) = r2\nexit").next(&mut st);
    One::new("lock *(u32 *)(r7 + 8) += w2\nexit").next(&mut st);
    // A pointer may be stored there too (the kernel's `allow_ptr_leaks`).
    One::new("*(u32 *)(r7 + 8) = r10\nexit").next(&mut st);
    // Not the status (128), not 8 bytes at the mark, not before the object.
    for src in [
        "*(u32 *)(r7 - 32) = r2\nexit",
        "lock *(u64 *)(r7 + 8) += r2\nexit",
        "r0 = *(u32 *)(r7 - 168)\nexit",
    ] {
        let (rule, _) = One::new(src).refused(&mut st.clone());
        assert_eq!(rule, Rule::MemoryAccess, "{src}");
    }
    // A variable offset is not modelled.
    let mut v = st.clone();
    v.cur_mut().regs[3] = scalar(Scalar::urange(0, 7));
    let (rule, _) = One::new("r7 += r3\nexit").refused(&mut v);
    assert_eq!(rule, Rule::PointerArithmetic);
    // No kfunc takes it; back at offset 0 it is the object again.
    let mut rel = st.clone();
    rel.cur_mut().regs[1] = *reg(&st, 7);
    let (rule, _) = One::new("call bpf_ct_release\nexit").refused(&mut rel);
    assert_eq!(rule, Rule::HelperArgument);
    One::new("r7 += -160\nexit").next(&mut st);
    assert_eq!(*reg(&st, 7), obj);
}

#[test]
fn releasing_the_object_invalidates_its_offset_copies() {
    let mut st = state(&[]);
    let (obj, rf) = ct(&mut st);
    st.cur_mut().regs[1] = obj;
    st.cur_mut().regs[7] = RegVal::BtfObjAt {
        ty: NF_CONN,
        kobj: true,
        off: 128,
        ref_id: rf,
    };
    One::new("call bpf_ct_release\nexit").next(&mut st);
    assert!(st.refs.is_empty());
    assert_eq!(*reg(&st, 7), scalar(Scalar::UNKNOWN));
    // A socket cast plus a constant goes with the socket's release too.
    let mut st = state(&[]);
    let rf = st.fresh();
    st.refs.push(rf);
    st.cur_mut().regs[1] = RegVal::Sock {
        common: false,
        ref_id: rf,
    };
    st.cur_mut().regs[8] = RegVal::BtfObjAt {
        ty: "tcp_sock",
        kobj: false,
        off: 16,
        ref_id: rf | call::args::SOCK_CAST,
    };
    One::new("call bpf_sk_release\nexit")
        .ty(crate::spec::ProgramType::SchedCls)
        .next(&mut st);
    assert_eq!(*reg(&st, 8), scalar(Scalar::UNKNOWN));
}

#[test]
fn no_arithmetic_on_the_tcp_sock_of_bpf_tcp_sock() {
    let mut st = state(&[(
        1,
        RegVal::BtfSock {
            ty: call::TCP_SOCK,
            ref_id: 0,
        },
    )]);
    let (rule, _) = One::new("r1 += 8\nexit").refused(&mut st);
    assert_eq!(rule, Rule::PointerArithmetic);
}

#[test]
fn an_offset_reaching_2_pow_29_taints_the_path_and_says_why_the_kernel_may_accept() {
    // The offset's maximum reaches 2^29, its minimum does not: the path is tainted (refused at
    // its end), with a message naming both bounds, the kernel's rule and the scalpel.
    let mut st = state(&[
        (2, scalar(Scalar::urange(0, u32::MAX as u64))),
        (3, map_value(0, 0)),
    ]);
    One::new("r3 += r2\nexit").next(&mut st);
    let (at, msg) = st.taint.clone().expect("tainted");
    assert_eq!(at, 0);
    assert!(
        msg.contains("maximum (4294967295) reaches 2^29 while its minimum here is 0"),
        "{msg}"
    );
    assert!(msg.contains("the kernel may well accept it"), "{msg}");
    assert!(
        msg.contains("uses of r3 after it on trust: `trust_begin_<name>:`"),
        "{msg}"
    );
    // The pointer's variable offset after the addition can reach 2^29 by itself: named as such.
    let var = Scalar::urange(0, (1 << 29) - 8);
    let mut st = state(&[(2, scalar(var)), (3, pkt(0, 0))]);
    One::new("r3 += r2\nexit").next(&mut st);
    assert!(st.taint.is_none(), "one addition stays below 2^29");
    One::new("r3 += r2\nexit").next(&mut st);
    let (_, msg) = st.taint.clone().expect("tainted");
    assert!(
        msg.contains("the pointer's variable offset after it"),
        "{msg}"
    );
    assert!(
        msg.contains("a maximum (1073741808) that reaches 2^29"),
        "{msg}"
    );
    // Below 2^29 nothing is doubted; a minimum at 2^29 is refused at once.
    let mut st = state(&[
        (2, scalar(Scalar::urange(0, (1 << 29) - 1))),
        (3, map_value(0, 0)),
    ]);
    One::new("r3 += r2\nexit").next(&mut st);
    assert!(st.taint.is_none());
    let mut st = state(&[
        (2, scalar(Scalar::urange(1 << 29, 1 << 30))),
        (3, map_value(0, 0)),
    ]);
    let (rule, _) = One::new("r3 += r2\nexit").refused(&mut st);
    assert_eq!(rule, Rule::PointerArithmetic);
}
