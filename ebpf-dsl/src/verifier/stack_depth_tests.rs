//! Unit tests of the driver's program-wide checks (stack depth, tail calls, `LD_ABS`).

use super::{frame_bytes, ld_abs_under_callback, stack_granularity, tail_call_prefix};
use crate::verifier::KernelVersion;

/// `callees` from (caller, callee) edges; the call sites are not used by the rule.
fn graph(n: usize, edges: &[(usize, usize)]) -> Vec<Vec<(usize, usize)>> {
    let mut g = vec![Vec::new(); n];
    for &(a, b) in edges {
        g[a].push((b, 0));
    }
    g
}

#[test]
fn tail_call_below_256_bytes_of_callers() {
    // main (256) -> f, f tail-calls: refused, 256 bytes above f.
    let g = graph(2, &[(0, 1)]);
    assert_eq!(
        tail_call_prefix(&g, &[256, 0], 32, &[false, true]),
        Some((1, 256))
    );
    // main (224) -> f: 224 < 256, accepted.
    assert_eq!(tail_call_prefix(&g, &[224, 0], 32, &[false, true]), None);
    // Only the main function tail-calls: no limit however deep.
    assert_eq!(tail_call_prefix(&g, &[512, 512], 32, &[true, false]), None);
    // Frames round up to 32 (at least 32): main (1 -> 32) -> g (200 -> 224) -> f.
    let g = graph(3, &[(0, 1), (1, 2)]);
    assert_eq!(
        tail_call_prefix(&g, &[1, 200, 0], 32, &[false, false, true]),
        Some((2, 256))
    );
    assert_eq!(
        tail_call_prefix(&g, &[1, 192, 0], 32, &[false, false, true]),
        None
    );
    // The deepest chain counts: main -> a (64) -> f and main -> b (256) -> f.
    let g = graph(4, &[(0, 1), (0, 2), (1, 3), (2, 3)]);
    assert_eq!(
        tail_call_prefix(&g, &[0, 64, 256, 0], 32, &[false, false, false, true]),
        Some((3, 288))
    );
    // A function no chain reaches is not checked.
    let g = graph(2, &[]);
    assert_eq!(tail_call_prefix(&g, &[512, 0], 32, &[false, true]), None);
}

#[test]
fn ld_abs_in_or_under_a_callback() {
    // main -> f (a callback) -> g, g has LD_ABS: refused at g.
    let g = graph(3, &[(0, 1), (1, 2)]);
    let cb = [false, true, false];
    assert_eq!(
        ld_abs_under_callback(&g, &cb, &[false, false, true]),
        Some(2)
    );
    // ... the callback itself: refused at f.
    assert_eq!(
        ld_abs_under_callback(&g, &cb, &[false, true, false]),
        Some(1)
    );
    // No callback on the chain: accepted.
    assert_eq!(
        ld_abs_under_callback(&g, &[false; 3], &[false, true, true]),
        None
    );
    // LD_ABS in the main function, which calls a callback: accepted.
    assert_eq!(ld_abs_under_callback(&g, &cb, &[true, false, false]), None);
}

#[test]
fn frames_count_in_16_bytes_when_jitted_from_6_12_else_32() {
    let (new, old) = (KernelVersion::new(6, 12), KernelVersion::new(6, 6));
    assert_eq!(stack_granularity(new, false), 16);
    assert_eq!(stack_granularity(new, true), 32);
    assert_eq!(stack_granularity(old, false), 32);
    assert_eq!(frame_bytes(0, 16), 0);
    assert_eq!(frame_bytes(1, 16), 16);
    assert_eq!(frame_bytes(24, 16), 32);
    assert_eq!(frame_bytes(0, 32), 32);
    assert_eq!(frame_bytes(40, 32), 64);
    // A tail call below frames of 112 and 120 bytes: 240 when JIT-compiled, 256 interpreted.
    let g = vec![vec![(1, 0)], vec![(2, 1)], vec![]];
    assert_eq!(
        tail_call_prefix(&g, &[112, 120, 0], 16, &[false, false, true]),
        None
    );
    assert_eq!(
        tail_call_prefix(&g, &[112, 120, 0], 32, &[false, false, true]),
        Some((2, 256))
    );
}
