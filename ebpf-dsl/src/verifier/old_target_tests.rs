//! The rules of older target kernels measured on 6.1.192 and 6.12.118 in QEMU: kfuncs the
//! target lacks, refused wherever they are called; loops closed by a fall-through before 6.7;
//! 6.1's infinite-loop check, which takes a spilled number whose value never mattered for any.

use crate::spec::ProgramType;
use crate::verifier::{kfunc_since, verify, KernelVersion, Rule, VerifyInput};

/// Verifies the text `src` as a socket filter for `kernel`.
fn run(src: &str, kernel: KernelVersion) -> Result<(), (Rule, usize, String)> {
    let a = crate::asm::assemble(src).expect("assembles");
    verify(&VerifyInput::new(&a.insns, ProgramType::SocketFilter).with_kernel(kernel))
        .map(drop)
        .map_err(|e| (e[0].rule, e[0].insn_index, e[0].message.clone()))
}

const V61: KernelVersion = KernelVersion::new(6, 1);
const V612: KernelVersion = KernelVersion::new(6, 12);
const V618: KernelVersion = KernelVersion::new(6, 18);

#[test]
fn a_kfunc_the_target_lacks_is_refused_on_a_path_never_taken() {
    let dead = "r0 = 0\nif r0 == 0 goto +1\ncall __bpf_trap\nr0 = 2\nexit";
    assert_eq!(run(dead, V618), Ok(()));
    for k in [V61, V612] {
        let (rule, at, msg) = run(dead, k).unwrap_err();
        assert_eq!((rule, at), (Rule::HelperNotAllowed, 2));
        assert!(
            msg.starts_with("__bpf_trap needs Linux 6.16, but the target kernel is"),
            "{msg}"
        );
        assert!(msg.contains("even on a path never taken"), "{msg}");
    }
    let iter = "r0 = 2\nif r0 == 2 goto out\nr1 = r10\nr1 += -8\nr2 = 0\nr3 = 4\ncall bpf_iter_num_new\nr1 = r10\nr1 += -8\ncall bpf_iter_num_destroy\nout:\nr0 = 2\nexit";
    assert_eq!(run(iter, V612), Ok(()));
    let (_, at, msg) = run(iter, V61).unwrap_err();
    assert_eq!(at, 6);
    assert!(msg.starts_with("bpf_iter_num_new needs Linux 6.4"), "{msg}");
}

#[test]
fn every_kfunc_known_by_name_has_a_release() {
    for name in crate::xdp::netfilter::kfunc_names() {
        let v = kfunc_since(name).unwrap_or_else(|| panic!("{name}: no release"));
        assert!(v <= KernelVersion::since(6, 18), "{name}: {v}");
    }
    assert_eq!(kfunc_since("bpf_nope"), None);
    assert_eq!(
        kfunc_since("bpf_ct_set_nat_info"),
        Some(KernelVersion::since(6, 1))
    );
    assert_eq!(kfunc_since("bpf_throw"), Some(KernelVersion::since(6, 7)));
}

#[test]
fn a_loop_closed_by_a_fall_through_is_refused_before_6_7() {
    // Entered in its middle: `r0 += 1` (3) falls into the test (4), on the walk's stack.
    let mid = "r0 = 0\ngoto test\nbody:\nr0 += 1\ntest:\nif r0 < 4 goto body\nexit";
    assert_eq!(run(mid, V612), Ok(()));
    let (rule, at, msg) = run(mid, V61).unwrap_err();
    assert_eq!((rule, at), (Rule::Structure, 2));
    assert!(msg.starts_with("back-edge from insn 2 to 3"), "{msg}");
    // 6.6.47 has the backport (the 6.6 line as audited); an earlier 6.6.y is taken not to.
    assert_eq!(run(mid, KernelVersion::new(6, 6)), Ok(()));
    assert!(run(mid, KernelVersion::with_patch(6, 6, 10)).is_err());
    // Entered at its head and closed by the jump: fine.
    let head = "r0 = 0\nbody:\nr0 += 1\nif r0 < 4 goto body\nexit";
    assert_eq!(run(head, V61), Ok(()));
    // A loop closed by a `goto` (a jump) too.
    let ja = "r0 = 0\nbody:\nr0 += 1\nif r0 > 4 goto out\ngoto body\nout:\nexit";
    assert_eq!(run(ja, V61), Ok(()));
}

#[test]
fn six_one_takes_a_loop_on_an_imprecise_spilled_counter_for_infinite() {
    // The selftest `verifier_loops1/not_an_inifinite_loop`: the counter lives at fp-8, is
    // compared but never decided on; 6.1.192 refuses it, 6.12.118 accepts it.
    let src = "call bpf_get_prandom_u32\nr0 &= 0xff\n*(u64 *)(r10 - 8) = r0\nr0 = 0\nloop:\nr0 = *(u64 *)(r10 - 8)\nif r0 > 10 goto out\nr0 += 1\n*(u64 *)(r10 - 8) = r0\nr0 = 0\ngoto loop\nout:\nr0 = 0\nexit";
    assert_eq!(run(src, V612), Ok(()));
    assert_eq!(run(src, KernelVersion::new(6, 6)), Ok(()));
    let (rule, at, _) = run(src, V61).unwrap_err();
    assert_eq!((rule, at), (Rule::InfiniteLoop, 4));
    // The same counter in a register, decided on each round: bounded for every target.
    let reg = "r6 = 0\nloop:\nif r6 > 10 goto out\nr6 += 1\ngoto loop\nout:\nr0 = 0\nexit";
    assert_eq!(run(reg, V61), Ok(()));
    // A spilled counter that decides the branch (a constant): precise, bounded.
    let konst = "r0 = 0\n*(u64 *)(r10 - 8) = r0\nloop:\nr0 = *(u64 *)(r10 - 8)\nif r0 > 10 goto out\nr0 += 1\n*(u64 *)(r10 - 8) = r0\nr0 = 0\ngoto loop\nout:\nr0 = 0\nexit";
    assert_eq!(run(konst, V61), Ok(()));
}
