//! Jumps across map lookups the kernel inlines after verifying
//! (`ebpf-dsl/tests/support/jump_range.rs`) against the running kernel: every case is loaded
//! and must get its recorded verdict (a refusal: "insn N cannot be patched due to 16-bit
//! range", ENOMEM), and the static verifier, verifying for the running kernel, must agree.
//! Needs root; skips with a message otherwise unless `CI=true`.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/support/jump_range.rs"]
mod jump_range;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::{Error, Loader};

fn recorded_verdicts_are_the_kernels() {
    let running = KernelVersion::running().expect("a major.minor kernel release");
    let mut wrong = Vec::new();
    for c in jump_range::cases() {
        let a = assemble_unchecked(&c.src).unwrap_or_else(|d| panic!("{}: {d:?}", c.name));
        let input = VerifyInput::new(&a.insns, c.prog_type)
            .with_maps(&a.relocations, &a.maps)
            .with_kernel(running);
        let ours = verify(&input);
        let spec =
            a.clone()
                .into_program_spec("jumprange", c.prog_type, "GPL".to_string(), Vec::new());
        let kernel = match Loader::new()
            .program_with(spec, LoadOptions::default())
            .load()
        {
            Ok(_) => Ok(()),
            Err(Error::Verifier { log, .. }) => Err(log),
            Err(e) => panic!(
                "{}: BPF_PROG_LOAD failed for a reason other than the verifier: {e}",
                c.name
            ),
        };
        if kernel.is_ok() != c.kernel_accepts {
            wrong.push(format!(
                "{}: recorded {}, the kernel says {kernel:?}",
                c.name, c.kernel_accepts
            ));
        }
        if ours.is_ok() != kernel.is_ok() {
            wrong.push(format!(
                "{}: the kernel {}, ours {:?}",
                c.name,
                if kernel.is_ok() { "accepts" } else { "refuses" },
                ours.map_err(|e| e[0].message.clone())
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

kernel_tests! {
    privileged: [
        recorded_verdicts_are_the_kernels,
    ],
}
