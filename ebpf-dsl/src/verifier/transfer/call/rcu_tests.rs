use super::super::super::testkit::*;
use super::*;
use crate::verifier::domain::state::BtfTrust;

#[test]
fn a_section_opens_and_closes_once() {
    let lock = One::new("call bpf_rcu_read_lock\nexit");
    let unlock = One::new("call bpf_rcu_read_unlock\nexit");
    let mut st = state(&[]);
    lock.next(&mut st);
    assert!(st.rcu);
    let (rule, msg) = lock.refused(&mut st.clone());
    assert_eq!(rule, Rule::HelperNotAllowed);
    assert!(msg.contains("nested rcu read lock"), "{msg}");
    unlock.next(&mut st);
    assert!(!st.rcu);
    let (_, msg) = unlock.refused(&mut st);
    assert!(msg.contains("unmatched rcu read unlock"), "{msg}");
    // Socket filters too; GPL only.
    One::new("call bpf_rcu_read_lock\nexit")
        .ty(crate::spec::ProgramType::SocketFilter)
        .next(&mut state(&[]));
    let (_, msg) = lock.clone().license("MIT").refused(&mut state(&[]));
    assert!(msg.contains("GPL-compatible"), "{msg}");
}

#[test]
fn closing_it_makes_rcu_pointers_untrusted() {
    let rcu = |t| RegVal::BtfPtr {
        ty: 9,
        off: 8,
        trust: t,
    };
    let mut st = state(&[
        (6, rcu(BtfTrust::Rcu)),
        (
            7,
            RegVal::BtfPtrOrNull {
                ty: 9,
                trust: BtfTrust::Rcu,
                id: 3,
            },
        ),
        (8, rcu(BtfTrust::Trusted)),
    ]);
    st.rcu = true;
    One::new("call bpf_rcu_read_unlock\nexit").next(&mut st);
    assert_eq!(*reg(&st, 6), rcu(BtfTrust::Untrusted));
    assert_eq!(
        *reg(&st, 7),
        RegVal::BtfPtr {
            ty: 9,
            off: 0,
            trust: BtfTrust::Untrusted
        }
    );
    assert_eq!(*reg(&st, 8), rcu(BtfTrust::Trusted));
}

#[test]
fn inside_no_exit_tail_call_ld_abs_or_throw() {
    let mut open = state(&[(1, RegVal::Ctx { off: 0 }), (6, RegVal::Ctx { off: 0 })]);
    open.rcu = true;
    let (rule, msg) = One::new("r0 = 0\nexit")
        .at(1, &mut open.clone())
        .unwrap_err()
        .pipe();
    assert_eq!(rule, Rule::ReferenceLeak);
    assert!(
        msg.contains(
            "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region"
        ),
        "{msg}"
    );
    let (_, msg) = One::new("call bpf_tail_call\nexit")
        .ty(crate::spec::ProgramType::SchedCls)
        .refused(&mut open.clone());
    assert!(msg.contains("tail_call cannot be used"), "{msg}");
    let (_, msg) = One::new("r0 = *(u8 *)skb[0]\nexit")
        .ty(crate::spec::ProgramType::SocketFilter)
        .refused(&mut open.clone());
    assert!(msg.contains("BPF_LD_[ABS|IND] cannot be used"), "{msg}");
    let (_, msg) = One::new("call bpf_throw\nexit")
        .ty(crate::spec::ProgramType::SchedCls)
        .refused(&mut open.clone());
    assert!(msg.contains("bpf_throw cannot be used"), "{msg}");
    // A function of the program returns with it open; a helper is called inside.
    let mut st = open.clone();
    let src = "call f\nr0 = 0\nexit\nf:\nr0 = 0\nexit";
    assert!(matches!(One::new(src).apply(&mut st), Ok(Step::Next(3))));
    assert!(matches!(One::new(src).at(4, &mut st), Ok(Step::Next(1))));
    assert!(st.rcu);
    One::new("call bpf_ktime_get_ns\nexit").next(&mut open.clone());
}

#[test]
fn states_with_and_without_a_section_do_not_cover_each_other() {
    use crate::verifier::domain::state::covers;
    let a = state(&[]);
    let mut b = a.clone();
    b.rcu = true;
    assert!(covers(&a, &a, 0x7ff));
    assert!(covers(&b, &b, 0x7ff));
    assert!(!covers(&a, &b, 0x7ff));
    assert!(!covers(&b, &a, 0x7ff));
}

trait Pipe {
    fn pipe(self) -> (Rule, String);
}

impl Pipe for VerifierError {
    fn pipe(self) -> (Rule, String) {
        (self.rule, self.message)
    }
}
