//! Open-coded loops of the numbers iterator in C (`tests/elf/iter_for.c`, the shape of libbpf's
//! `bpf_for`), compiled with clang-19: the `__ksym` externs read back as `call
//! bpf_iter_num_new` / `_next` / `_destroy`, the listing reassembles to the same
//! instructions, and the static verifier gives the 6.18 kernel's verdicts (checked with
//! `tests/tests/kernel_iter.rs`): the XDP and tc loops are accepted in a few rounds each,
//! `leaky` (a return from inside the loop) is the kernel's unreleased reference. Without
//! clang-19 the test prints why and passes, unless `CI=true`.

use ebpf_dsl::elf::{program_listing, read_object, write_object};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

#[test]
fn bpf_for_loops_read_back_by_name_and_get_the_kernels_verdicts() {
    let Some(bytes) = compile("iter_for") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let back = read_object(&write_object(&obj).unwrap()).unwrap();
    assert_eq!(back, obj, "write then read");
    let verdict = |name: &str| {
        let p = obj
            .programs
            .iter()
            .find(|p| p.function == name)
            .unwrap_or_else(|| panic!("no program `{name}`"));
        let text = program_listing(&p.spec).unwrap();
        for k in ["new", "next", "destroy"] {
            assert!(
                text.contains(&format!("\tcall bpf_iter_num_{k}\n")),
                "{name}: {text}"
            );
        }
        let a = ebpf_dsl::assemble(&text).unwrap();
        assert_eq!(a.insns, p.spec.insns.to_vec(), "{name}: {text}");
        let input = VerifyInput::new(&p.spec.insns, p.spec.prog_type)
            .with_kernel(KernelVersion::new(6, 18));
        verify(&input).map_err(|e| e[0].to_string())
    };
    for name in ["xdp_sum", "tc_nested"] {
        let report = verdict(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        // The loops converge at their next calls: not one round per number.
        assert!(report.insns_processed < 2_000, "{name}: {report:?}");
    }
    let err = verdict("leaky").unwrap_err();
    assert!(err.contains("an open-coded iterator"), "{err}");
    assert!(err.contains("not destroyed on this path"), "{err}");
}
