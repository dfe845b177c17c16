//! Objects a program allocates (`bpf_obj_new`), kept in a red-black tree and a list of a
//! global data section or stashed in a map value's `__kptr` (`tests/elf/graph.c`), compiled
//! with clang-19 and verified with the program's own BTF (`VerifyInput::program_types`), one
//! kernel rule broken per rejected program; and the same object with a struct the kernel
//! refuses in a program's BTF (`tests/elf/graph_bad.c`), which libbpf then loads without any
//! BTF; objects holding a lock and a list of their own (`tests/elf/graph_nested.c`); Linux
//! 6.16's peeks into trees and lists (`tests/elf/graph_peek.c`). The
//! verdicts are the 6.18 kernel's (checked with libbpf when the file was written). Without
//! clang-19 the tests print why and pass, unless `CI=true`.

use ebpf_dsl::btf::{Btf, ProgramTypes};
use ebpf_dsl::elf::{object_btf, read_object, Object};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

/// The verdict on `name` with the object's types (none when the kernel refuses its BTF) and an
/// empty kernel BTF (no kernel struct shares a name with the program's).
fn verdict(
    obj: &Object,
    types: Option<&ProgramTypes>,
    locks: &[ebpf_dsl::btf::MapSpinLock],
    kptrs: &[ebpf_dsl::btf::MapKptr],
    name: &str,
) -> Result<(), String> {
    let p = obj
        .programs
        .iter()
        .find(|p| p.function == name)
        .unwrap_or_else(|| panic!("no program `{name}`"));
    let s = &p.spec;
    let vmlinux = Btf::new();
    let input = VerifyInput {
        insns: &s.insns,
        prog_type: s.prog_type,
        relocations: &s.relocations,
        maps: &s.maps,
        license: &s.license,
        kernel: KernelVersion::new(6, 18),
        expected_attach_type: None,
        data: &obj.data,
        spin_locks: locks,
        timers: &[],
        globals: &p.globals,
        func_info: p.func_info.as_deref(),
        vmlinux: Some(&vmlinux),
        kallsyms: None,
        program_types: types,
        kptrs,
        strict_alignment: false,
        interpreter: false,
        xdp_dev_bound: true,
        unavailable_helpers: &[],
        possible_cpus: None,
    };
    verify(&input).map(|_| ()).map_err(|e| e[0].to_string())
}

#[test]
fn trees_lists_and_kptrs_of_local_objects_follow_the_kernels_rules() {
    let Some(bytes) = compile("graph") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let ob = object_btf(&bytes).unwrap().unwrap();
    assert_eq!(ob.kernel_refusal(), None);
    let types = ob.program_types();
    let locks = ob.spin_locks();
    let kptrs = ob.kptrs();
    // `.data.A`'s lock, where the symbol table puts `glock` (clang leaves the DATASEC's 0).
    assert!(locks.iter().any(|l| l.map == ".data.A"), "{locks:?}");
    let v = |name| verdict(&obj, Some(&types), &locks, &kptrs, name);
    // The inner maps' values of a map of maps: their lock and list head from the inner
    // definition (`ObjectBtf::map_values` names it `lists_of_maps.inner`).
    assert!(
        locks.iter().any(|l| l.map == "lists_of_maps.inner"),
        "{locks:?}"
    );
    for ok in ["add_first_remove", "push_pop", "stash", "inner_push_pop"] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    for (name, rule) in [
        ("add_without_lock", "must be held for bpf_rb_root"),
        ("use_after_unlock", "not a pointer"),
        ("leak", "is not released on this path"),
        ("write_node", "direct access to bpf_rb_node is disallowed"),
        ("store_kptr", "__kptr field (bytes 0..8)"),
        ("inner_push_without_lock", "is not held"),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.contains(rule), "{name}: {e}");
    }
    // Without the program's types: bpf_obj_new is refused, as by a kernel without prog BTF.
    let e = verdict(&obj, None, &locks, &[], "stash").unwrap_err();
    assert!(e.contains("requires prog BTF"), "{e}");
}

#[test]
fn a_stashed_objects_kptr_loads_as_an_rcu_non_owning_reference() {
    // Kernel 6.18.44's verdicts (tools/real-programs/kload, when the programs were written):
    // `btf_ld_kptr_type` gives MEM_ALLOC | MEM_RCU | PTR_MAYBE_NULL (and NON_OWN_REF: both
    // structs have a bpf_rb_node).
    let Some(bytes) = compile("graph") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let ob = object_btf(&bytes).unwrap().unwrap();
    let types = ob.program_types();
    let locks = ob.spin_locks();
    let kptrs = ob.kptrs();
    let v = |name| verdict(&obj, Some(&types), &locks, &kptrs, name);
    for ok in [
        "peek_stash",
        "acquire_stashed",
        "stash_rnode",
        "stash_plain",
        "peek_plain",
    ] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    for (name, rule) in [
        ("drop_peeked", "an object the program owns"),
        ("peek_after_unlock", "not a pointer"),
        ("peek_unchecked", "null"),
        ("acquire_unchecked", "null"),
        // A known false reject: the kernel keeps reading through it as an untrusted pointer
        // after bpf_rcu_read_unlock; this verifier forgets it there.
        ("plain_after_rcu_unlock", "not a pointer"),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.to_lowercase().contains(rule), "{name}: {e}");
    }
}

#[test]
fn the_lock_of_an_owned_object_guards_its_own_list() {
    let Some(bytes) = compile("graph_nested") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let ob = object_btf(&bytes).unwrap().unwrap();
    assert_eq!(ob.kernel_refusal(), None);
    let types = ob.program_types();
    let locks = ob.spin_locks();
    let kptrs = ob.kptrs();
    let v = |name| verdict(&obj, Some(&types), &locks, &kptrs, name);
    for ok in ["own_lock_push_pop", "popped_owner_own_list"] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    // The 6.18 kernel's reasons, quoted in ours.
    for (name, rule) in [
        (
            "other_owner_lock",
            "bpf_spin_lock at off=40 must be held for bpf_list_head",
        ),
        (
            "global_lock_owner_list",
            "bpf_spin_lock at off=40 must be held for bpf_list_head",
        ),
        (
            "owner_list_without_lock",
            "bpf_spin_lock at off=40 must be held for bpf_list_head",
        ),
        (
            "owner_lock_wrong_offset",
            "off 48 doesn't point to 'struct bpf_spin_lock' that is at 40",
        ),
        (
            "item_has_no_lock",
            "local 'kptr' has no valid bpf_spin_lock",
        ),
        ("unlock_other_owner", "bpf_spin_unlock of different lock"),
        (
            "drop_under_own_lock",
            "no function calls but bpf_spin_unlock",
        ),
        (
            "non_owning_owner_list",
            "expected pointer to map value or allocated object",
        ),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.contains(rule), "{name}: {e}");
    }
}

#[test]
fn linux_6_16_peeks_give_non_owning_nodes_under_the_lock() {
    let Some(bytes) = compile("graph_peek") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let ob = object_btf(&bytes).unwrap().unwrap();
    assert_eq!(ob.kernel_refusal(), None);
    let types = ob.program_types();
    let locks = ob.spin_locks();
    let kptrs = ob.kptrs();
    let v = |name| verdict(&obj, Some(&types), &locks, &kptrs, name);
    for ok in [
        "tree_walk",
        "tree_remove_child",
        "list_peek",
        "remove_owned",
    ] {
        assert_eq!(v(ok), Ok(()), "{ok}");
    }
    for (name, rule) in [
        (
            "front_without_lock",
            "bpf_spin_lock at off=0 must be held for bpf_list_head",
        ),
        ("root_after_unlock", "not a pointer"),
        (
            "left_of_maybe_null",
            "Possibly NULL pointer passed to trusted arg1",
        ),
        ("back_not_owned", "takes an object the program owns"),
        (
            "right_of_list_node",
            "expects arg#1 bpf_rb_node at offset=8 in struct tnode",
        ),
    ] {
        let e = v(name).expect_err(name);
        assert!(e.contains(rule), "{name}: {e}");
    }
}

#[test]
fn a_btf_the_kernel_refuses_leaves_the_object_without_types_locks_or_kptrs() {
    let Some(bytes) = compile("graph_bad") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let ob = object_btf(&bytes).unwrap().unwrap();
    let why = ob.kernel_refusal().expect("refused");
    assert!(
        why.contains("both a bpf_list_node and a bpf_rb_node"),
        "{why}"
    );
    // As libbpf loads it: no BTF at all. bpf_obj_new is refused; the kptr is plain bytes.
    let e = verdict(&obj, None, &[], &[], "add_first_remove").unwrap_err();
    assert!(e.contains("requires prog BTF"), "{e}");
    assert_eq!(verdict(&obj, None, &[], &[], "store_kptr"), Ok(()));
}
