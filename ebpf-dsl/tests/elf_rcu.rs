//! RCU read sections (`bpf_rcu_read_lock` / `bpf_rcu_read_unlock`) in clang-compiled tc, XDP
//! and socket-filter programs (`tests/elf/rcu.c`): every verdict the 6.18 kernel's (checked
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
    let (locks, kptrs) = (ob.spin_locks(), ob.kptrs());
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
        kptrs: &kptrs,
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
