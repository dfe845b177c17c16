//! A differential fuzzer for bpf-to-bpf calls, callbacks and the stack against the running
//! kernel (`call_gen`): scalars passed to subprograms and returned (a subprogram called from
//! two sites with different bounds, nested calls), pointers to the caller's stack, a map value
//! or the packet passed down and read at a caller-bounded offset, a callee writing the caller's
//! stack (scalars, constants, part of a slot, a map value pointer) read back at other widths,
//! `bpf_loop` and `bpf_for_each_map_elem` callbacks writing the caller's stack through their
//! context, joins whose per-path bounds meet, partial spills and fills, variable-offset stack
//! writes, and helper memory arguments whose size a branch or a mask bounds. Each program ends
//! by using one scalar as an offset or in a branch to an invalid dereference. The kernel's
//! verdict (`BPF_PROG_LOAD`, as root) is the ground truth; any program the static verifier
//! (targeting the running kernel) accepts and the kernel rejects fails the test. Needs root;
//! skips with a message otherwise unless `CI=true`.
//!
//! `CALL_FUZZ_SEED=n CALL_FUZZ_PROGRAMS=m` explores other programs (`FUZZ_SHOW_REJECTS=k`
//! prints the first `k` false rejects).

use xsk_testkit::kernel_tests;

mod call_gen;
mod common;
use common::Rng;

fn calls_and_stack_agree_with_the_kernel() {
    let seed = common::env_num("CALL_FUZZ_SEED").unwrap_or(0xca11_5eed);
    let count = common::env_num("CALL_FUZZ_PROGRAMS").unwrap_or(1500) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel("call fuzz", "callfuzz", seed, count, || {
        call_gen::program(&mut rng)
    });
}

kernel_tests! {
    privileged: [
        calls_and_stack_agree_with_the_kernel,
    ],
}
