//! Jumps across map lookups the kernel inlines after verifying (`support/jump_range.rs`): the
//! static verifier refuses exactly the programs in which a jump's offset outgrows 16 bits,
//! as Linux 6.18.44 does ("insn N cannot be patched due to 16-bit range"), and accepts the
//! rest. `tests/tests/verifier_jump_range.rs` in the workspace checks the recorded verdicts
//! against the running kernel.

#[path = "support/jump_range.rs"]
mod jump_range;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, KernelVersion, Rule, VerifyInput};

#[test]
fn jumps_over_inlined_lookups_as_the_kernel() {
    let mut wrong = Vec::new();
    for c in jump_range::cases() {
        let a = assemble_unchecked(&c.src).unwrap_or_else(|d| panic!("{}: {d:?}", c.name));
        let input = VerifyInput::new(&a.insns, c.prog_type)
            .with_maps(&a.relocations, &a.maps)
            .with_kernel(KernelVersion::new(6, 18));
        let ours = verify(&input);
        match (&ours, c.kernel_accepts) {
            (Ok(_), true) => {}
            (Err(e), false) if e[0].rule == Rule::Complexity && e[0].message.contains("16-bit") => {
            }
            _ => wrong.push(format!(
                "{}: kernel {}, ours {:?}",
                c.name,
                if c.kernel_accepts {
                    "accepts"
                } else {
                    "refuses"
                },
                ours.map_err(|e| e[0].message.clone())
            )),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn older_targets_count_no_per_cpu_inline_lookup() {
    // Before 6.12 (PERCPU_LOOKUP_INLINE) a per-CPU array's lookups are counted as no growth:
    // the case 6.18 refuses is accepted for 6.6 (the count there is a lower bound).
    let c = jump_range::cases()
        .into_iter()
        .find(|c| c.name == "percpu_array_2521")
        .expect("the per-CPU array case");
    let a = assemble_unchecked(&c.src).expect("assembles");
    let input = VerifyInput::new(&a.insns, c.prog_type)
        .with_maps(&a.relocations, &a.maps)
        .with_kernel(KernelVersion::new(6, 6));
    assert!(verify(&input).is_ok());
}
