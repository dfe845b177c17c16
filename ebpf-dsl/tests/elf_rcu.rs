//! RCU read sections (`bpf_rcu_read_lock` / `bpf_rcu_read_unlock`, `tests/elf/rcu.c`) and
//! per-CPU objects (`bpf_percpu_obj_new_impl` / `_drop_impl`, `tests/elf/percpu.c`) in
//! clang-compiled tc, XDP and socket-filter programs: every verdict the 6.18 kernel's (checked
//! with libbpf when the file was written), and the kernel's reason in ours for each refusal.
//! Without clang-19 the test prints why and passes, unless `CI=true`.

use ebpf_dsl::btf::{Btf, Kind, Type};
use ebpf_dsl::elf::{object_btf, read_object, Object};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

/// The verdict on `name`, for Linux 6.18 with a kernel BTF that has `struct bpf_crypto_ctx`.
fn verdict(obj: &Object, bytes: &[u8], name: &str) -> Result<(), String> {
    let p = obj
        .programs
        .iter()
        .find(|p| p.function == name)
        .unwrap_or_else(|| panic!("no program `{name}`"));
    let ob = object_btf(bytes).unwrap().unwrap();
    let (locks, kptrs, types) = (ob.spin_locks(), ob.kptrs(), ob.program_types());
    let mut vmlinux = Btf::new();
    vmlinux.add(Type::new(
        "bpf_crypto_ctx",
        Kind::Struct {
            size: 16,
            members: vec![],
        },
    ));
    let s = &p.spec;
    let input = VerifyInput {
        kernel: KernelVersion::new(6, 18),
        data: &obj.data,
        spin_locks: &locks,
        globals: &p.globals,
        func_info: p.func_info.as_deref(),
        vmlinux: Some(&vmlinux),
        kallsyms: None,
        kptrs: &kptrs,
        program_types: Some(&types),
        license: &s.license,
        ..VerifyInput::new(&s.insns, s.prog_type).with_maps(&s.relocations, &s.maps)
    };
    verify(&input).map(|_| ()).map_err(|e| e[0].to_string())
}

#[test]
fn rcu_sections_follow_the_kernels_rules() {
    let Some(bytes) = compile("rcu") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let v = |name| verdict(&obj, &bytes, name);
    for ok in [
        "rcu_ok",
        "rcu_spin_inside",
        "rcu_across_subprogs",
        "rcu_subprog_inside",
        "rcu_global_inside",
        "rcu_in_loop_cb",
        "rcu_loop_inside",
        "rcu_xdp",
        "rcu_sock",
        "rcu_ptr_used",
    ] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    for (name, rule) in [
        ("rcu_nested", "nested rcu read lock"),
        ("rcu_unmatched", "unmatched rcu read unlock"),
        (
            "rcu_exit_held",
            "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region",
        ),
        (
            "rcu_tail_call",
            "tail_call cannot be used inside bpf_rcu_read_lock-ed region",
        ),
        ("rcu_under_spin", "no function calls but bpf_spin_unlock"),
        (
            "rcu_branch",
            "BPF_EXIT instruction in main prog cannot be used",
        ),
        ("rcu_ptr_after_section", "R1 must be a rcu pointer"),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.contains(rule), "{name}: {e}");
    }
}

#[test]
fn per_cpu_objects_follow_the_kernels_rules() {
    let Some(bytes) = compile("percpu") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let v = |name| verdict(&obj, &bytes, name);
    for ok in ["pc_new_drop", "pc_nested", "pc_arith", "pc_xdp"] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    for (name, rule) in [
        ("pc_read", "R0 is ptr_pv access percpu memory: off=0"),
        ("pc_write", "R0 is ptr_pv access percpu memory: off=8"),
        ("pc_leak", "is not released on this path"),
        (
            "pc_obj_drop",
            "arg#0 expected for bpf_percpu_obj_drop_impl()",
        ),
        ("obj_pc_drop", "arg#0 expected for bpf_obj_drop_impl()"),
        ("pc_ptr_member", "must be of a struct of scalars"),
        ("pc_special", "must not contain special fields"),
        (
            "pc_big",
            "bpf_percpu_obj_new type size (600) is greater than 512",
        ),
        ("pc_off_drop", "must have zero offset"),
        (
            "pc_null_drop",
            "Possibly NULL pointer passed to trusted arg0",
        ),
        (
            "pc_sock",
            "calling kernel function bpf_percpu_obj_new_impl is not allowed",
        ),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.contains(rule), "{name}: {e}");
    }
}
