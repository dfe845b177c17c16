//! One program of a read object and the static verifier's verdict on it (Linux 6.18, no
//! kernel BTF): shared by the ELF tests of clang objects (`#[path = "support/verdict.rs"] mod
//! verdict;`).

use ebpf_dsl::elf::{ElfProgram, Object};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};

/// The program of `obj` whose function is `name`.
pub fn program<'a>(obj: &'a Object, name: &str) -> &'a ElfProgram {
    obj.programs
        .iter()
        .find(|p| p.function == name)
        .unwrap_or_else(|| panic!("the object has no program `{name}`"))
}

/// The verifier's verdict on `name`: `Ok` or its first error.
pub fn verdict(obj: &Object, name: &str) -> Result<(), String> {
    let p = program(obj, name);
    let s = &p.spec;
    let input = VerifyInput {
        insns: &s.insns,
        prog_type: s.prog_type,
        relocations: &s.relocations,
        maps: &s.maps,
        license: &s.license,
        kernel: KernelVersion::new(6, 18),
        expected_attach_type: None,
        data: &obj.data,
        spin_locks: &[],
        timers: &[],
        kptrs: &[],
        globals: &p.globals,
        func_info: p.func_info.as_deref(),
        vmlinux: None,
        kallsyms: None,
        program_types: None,
        strict_alignment: false,
        interpreter: false,
        xdp_dev_bound: true,
        unavailable_helpers: &[],
        possible_cpus: None,
    };
    verify(&input).map(|_| ()).map_err(|e| e[0].to_string())
}
