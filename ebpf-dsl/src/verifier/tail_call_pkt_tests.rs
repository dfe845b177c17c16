//! Packet pointers across `bpf_tail_call` (found by `tools/helper-protos/check.py`: the tail
//! call is in the kernel's `bpf_helper_changes_pkt_data`). 6.12.118 invalidates them after
//! every tail call; 6.18 keeps them after a failed tail call of the main program, but a tail
//! call in a subprogram may return to the caller (taken), with every packet pointer invalid,
//! and a global function that tail-calls changes the packet for its callers.

use super::{verify_with, KernelVersion, Rule, Trust, VerifyInput};
use crate::asm::assemble_unchecked;
use crate::btf::SubprogFunc;
use crate::ProgramType;

const MAIN: &str = "
.map pa prog_array key=4 value=4 max_entries=4
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r2 = r6
r2 += 14
if r2 > r7 goto out
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = *(u8 *)(r6 + 0)
out:
r0 = 0
exit";

fn run(src: &str, kernel: KernelVersion, subprogs: &[u32]) -> Result<(), Rule> {
    let a = assemble_unchecked(src).expect("valid text");
    let fi: Vec<SubprogFunc> = subprogs
        .iter()
        .map(|&insn| SubprogFunc {
            insn,
            returns_scalar: true,
        })
        .collect();
    let mut input = VerifyInput::new(&a.insns, ProgramType::SchedCls)
        .with_maps(&a.relocations, &a.maps)
        .with_globals(&a.globals)
        .with_kernel(kernel);
    if !subprogs.is_empty() {
        input = input.with_func_info(&fi);
    }
    verify_with(&input, &Trust::none(), false, false)
        .map(|_| ())
        .map_err(|e| {
            eprintln!("{}", e[0].message);
            e[0].rule
        })
}

#[test]
fn a_failed_tail_call_of_the_main_program_keeps_packet_pointers_from_6_18() {
    assert_eq!(run(MAIN, KernelVersion::new(6, 18), &[]), Ok(()));
    assert_eq!(
        run(MAIN, KernelVersion::new(6, 12), &[]),
        Err(Rule::MemoryAccess)
    );
}

/// The caller reads the packet after calling `s`, which tail-calls; `decl` declares `s` (or
/// nothing, for a static function).
fn tail_calling_sub(decl: &str) -> String {
    format!(
        "
.map pa prog_array key=4 value=4 max_entries=4
{decl}
r6 = *(u32 *)(r1 + 76)
r7 = *(u32 *)(r1 + 80)
r2 = r6
r2 += 14
if r2 > r7 goto out
call s
r0 = *(u8 *)(r6 + 0)
out:
r0 = 0
exit
s:
r2 = pa ll
r3 = 0
call bpf_tail_call
r0 = 0
exit"
    )
}

/// A static function that tail-calls (allowed with BTF function info): the taken tail call
/// returns to the caller with its packet pointers invalid (6.18.44 refuses this program:
/// "R6 invalid mem access 'scalar'" after "returning from callee"; `local::tail_call_taken`).
#[test]
fn a_tail_call_in_a_subprogram_invalidates_the_callers_packet_pointers() {
    assert_eq!(
        run(&tail_calling_sub(""), KernelVersion::new(6, 18), &[0, 9]),
        Err(Rule::MemoryAccess)
    );
}

/// A global function that tail-calls changes the packet for its callers
/// (`global_tail_call_changes_pkt.s`, which the rule-case harness verifies without function
/// info).
#[test]
fn a_global_function_that_tail_calls_changes_the_packet() {
    assert_eq!(
        run(
            &tail_calling_sub(".global_func s(ctx)"),
            KernelVersion::new(6, 18),
            &[0, 9]
        ),
        Err(Rule::MemoryAccess)
    );
}

/// A legacy packet load in a static subprogram (allowed with BTF function info) may end the
/// function with `r0 = 0` (its hidden exit): 6.18 walks that return, where the caller uses a
/// hash lookup's result unchecked (refused live on 6.18.44: "R0 invalid mem access
/// 'map_value_or_null'"); 6.12.118 does not walk it (the function always returns 1 there).
#[test]
fn a_legacy_loads_early_exit_returns_0_to_the_caller_from_6_13() {
    let src = "
.map h hash key=4 value=4 max_entries=4
call sub
if r0 != 0 goto out
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = h ll
call bpf_map_lookup_elem
r0 = *(u32 *)(r0 + 0)
out:
r0 = 0
exit
sub:
r6 = r1
r0 = *(u8 *)skb[0]
r0 = 1
exit";
    assert_eq!(
        run(src, KernelVersion::new(6, 18), &[0, 11]),
        Err(Rule::NullCheck)
    );
    assert_eq!(run(src, KernelVersion::new(6, 12), &[0, 11]), Ok(()));
}
