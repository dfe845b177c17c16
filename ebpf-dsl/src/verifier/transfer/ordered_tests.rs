use super::super::testkit::*;
use super::*;

const K618: KernelVersion = KernelVersion::new(6, 18);

#[test]
fn load_acquire_and_store_release_are_plain_accesses_on_the_stack() {
    let mut st = state(&[(2, konst(7))]);
    let one = |src: &str| One::new(src).kernel(K618);
    one("store_release((u64 *)(r10 - 8), r2)\nexit").next(&mut st);
    one("w0 = load_acquire((u8 *)(r10 - 8))\nexit").next(&mut st);
    // The spilled constant's low byte, zero-extended.
    assert_eq!(num(&st, 0), Scalar::konst(7));
    // A spilled pointer fills back whole.
    let mut st = state(&[]);
    one("store_release((u64 *)(r10 - 8), r1)\nexit").next(&mut st);
    one("r3 = load_acquire((u64 *)(r10 - 8))\nexit").next(&mut st);
    assert_eq!(*reg(&st, 3), RegVal::Ctx { off: 0 });
}

#[test]
fn they_need_a_6_15_target() {
    let mut st = state(&[]);
    let (rule, msg) = One::new("r0 = load_acquire((u64 *)(r10 - 8))\nexit").refused(&mut st);
    assert_eq!(rule, Rule::Unsupported);
    assert!(
        msg.starts_with("a load-acquire needs Linux 6.15 or later (the target is 6.6"),
        "{msg}"
    );
    One::new("r0 = load_acquire((u64 *)(r10 - 8))\nexit")
        .kernel(KernelVersion::LOAD_ACQ_STORE_REL)
        .next(&mut st);
}

#[test]
fn map_values_are_strictly_aligned() {
    let mut st = state(&[(1, map_value(0, 0)), (2, konst(1))]);
    let one = |src: &str| One::new(src).kernel(K618);
    one("w0 = load_acquire((u32 *)(r1 + 4))\nexit").next(&mut st);
    one("store_release((u16 *)(r1 + 2), w2)\nexit").next(&mut st);
    // Misaligned where a plain load is fine (no BPF_F_STRICT_ALIGNMENT).
    One::new("w0 = *(u32 *)(r1 + 2)\nexit")
        .kernel(K618)
        .next(&mut st);
    let (rule, msg) = one("w0 = load_acquire((u32 *)(r1 + 2))\nexit").refused(&mut st);
    assert_eq!(rule, Rule::MemoryAccess);
    assert!(
        msg.starts_with("misaligned value access: the 4-byte load-acquire through r1"),
        "{msg}"
    );
    let (_, msg) = one("store_release((u16 *)(r1 + 1), w2)\nexit").refused(&mut st);
    assert!(msg.contains("2-byte store-release through r1"), "{msg}");
    // Past the value: the plain load's bounds.
    let (rule, _) = one("r0 = load_acquire((u64 *)(r1 + 16))\nexit").refused(&mut st);
    assert_eq!(rule, Rule::MapValueBounds);
}

#[test]
fn not_the_context_the_packet_or_a_socket() {
    let one = |src: &str| One::new(src).kernel(K618);
    let (rule, msg) = one("w0 = load_acquire((u32 *)(r1 + 0))\nexit").refused(&mut state(&[]));
    assert_eq!(rule, Rule::MemoryAccess);
    assert_eq!(
        msg,
        "a load-acquire through r1, the context pointer: the kernel allows it only on the stack, map values and other memory, not the context or the packet (`BPF_ATOMIC loads from R? ctx is not allowed`)"
    );
    let mut st = state(&[(2, pkt(0, 8)), (3, konst(0))]);
    one("store_release((u8 *)(r2 + 0), w3)\nexit").refused(&mut st);
    let sock = RegVal::Sock {
        common: false,
        ref_id: 1,
    };
    let (_, msg) =
        one("w0 = load_acquire((u32 *)(r2 + 0))\nexit").refused(&mut state(&[(2, sock)]));
    assert!(
        msg.ends_with("the kernel allows it on no socket (`atomic_ptr_type_ok`)"),
        "{msg}"
    );
}
