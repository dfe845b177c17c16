//! What real clang-compiled programs need from the ELF reader (found by
//! `tools/real-programs/run.sh`): legacy section names read with a given program type
//! ([`read_object_as`]), CO-RE relocations (resolved against a target BTF with
//! [`ebpf_dsl::elf::read_object_for`], poisoned as libbpf does when they fail; more in
//! `elf_core.rs`), callbacks (`&func` for `bpf_loop`) read as function addresses, global
//! functions with their prototypes. C inputs in `tests/elf/`, compiled with clang-19; without
//! it the tests print why and pass, unless `CI=true`.

use ebpf_dsl::elf::{is_other_program_section, read_object, read_object_as};
use ebpf_dsl::ProgramType;

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

#[test]
fn legacy_section_names_take_the_given_type() {
    let Some(bytes) = compile("legacy_names") else {
        return;
    };
    let plain = read_object(&bytes).unwrap();
    assert!(plain.programs.is_empty(), "{:?}", plain.programs);
    assert_eq!(plain.skipped, ["xdp_pass", "xdp_drop", "kprobe/do_nothing"]);
    let obj = read_object_as(&bytes, ProgramType::Xdp).unwrap();
    let got: Vec<_> = obj
        .programs
        .iter()
        .map(|p| (p.section.as_str(), p.function.as_str(), p.spec.prog_type))
        .collect();
    assert_eq!(
        got,
        [
            ("xdp_pass", "pass_func", ProgramType::Xdp),
            ("xdp_drop", "drop_func", ProgramType::Xdp)
        ]
    );
    // The kprobe stays a kprobe: not read as XDP.
    assert_eq!(obj.skipped, ["kprobe/do_nothing"]);
    let sock = read_object_as(&bytes, ProgramType::SocketFilter).unwrap();
    assert!(sock
        .programs
        .iter()
        .all(|p| p.spec.prog_type == ProgramType::SocketFilter));
}

#[test]
fn other_program_sections() {
    for s in [
        "kprobe/x",
        "tp_btf/xdp_redirect",
        "iter/bpf_map_elem",
        "fentry.s/f",
        "cgroup_skb/egress",
        "lsm/bpf",
        "struct_ops",
        "?fentry/bpf_check",
        "?fentry.s/f",
    ] {
        assert!(is_other_program_section(s), "{s}");
    }
    for s in [
        "xdp_pass",
        "filter",
        "loadbalancer",
        "prog",
        "xdp_sock",
        "?tc",
    ] {
        assert!(!is_other_program_section(s), "{s}");
    }
    // A leading `?` (libbpf: not loaded by default) is not part of the type.
    assert_eq!(
        ebpf_dsl::elf::program_type_for_section("?tc"),
        Some(ebpf_dsl::ProgramType::SchedCls)
    );
}

#[test]
fn co_re_relocations_are_refused() {
    let Some(bytes) = compile("core") else {
        return;
    };
    let e = read_object(&bytes).unwrap_err();
    assert_eq!(e.section.as_deref(), Some("xdp"));
    assert!(
        e.reason
            .contains("CO-RE relocation (field byte offset, access `0:1`)"),
        "{e}"
    );
    // The byte offset of the relocated instruction, inside `relocated` (after `plain`).
    assert_eq!(e.offset % 8, 0);
    assert!(e.offset >= 16, "{e}");
}

#[test]
fn callbacks_are_read_as_function_addresses() {
    let Some(bytes) = compile("callback_loop") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let p = &obj.programs[0];
    assert_eq!(p.function, "looper");
    // `&step` is an ld_imm64 with src = BPF_PSEUDO_FUNC whose distance reaches `step`,
    // appended after the entry like a callee.
    let insns = &p.spec.insns;
    let at = insns
        .iter()
        .position(|i| i.is_ld_imm64() && i.src() == 4)
        .expect("a callback address");
    let target = (at as i64 + 1 + i64::from(insns[at].imm)) as usize;
    assert!(target > at && target < insns.len(), "{target}");
    assert_eq!(
        insns[target - 1].code,
        0x95,
        "the entry ends before the callback"
    );
}

/// A local type id (`bpf_core_type_id_local`) is a CO-RE record that libbpf leaves as clang
/// wrote it: the program is read, with the object's own id of the type in the instruction.
#[test]
fn local_type_ids_are_taken_as_written() {
    let Some(bytes) = compile("core_local") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let p = &obj.programs[0];
    assert_eq!(p.function, "local_id");
    let btf = ebpf_dsl::elf::object_btf(&bytes).unwrap().unwrap().btf;
    let meta = btf
        .find("meta", 4)
        .expect("struct meta in the object's BTF");
    assert!(
        p.spec.insns.iter().any(|i| i.imm == meta as i32),
        "the id {meta} of `struct meta` is in an instruction: {:?}",
        p.spec.insns
    );
}

/// With the target kernel's BTF, a CO-RE field byte offset is resolved as libbpf does: here
/// the target's `struct meta` has `b` at 8 (the object's at 4), so the load moves; with a
/// target without the structure the load is poisoned (`call 0xbad2310`) as libbpf does, so
/// the verifier rejects it where it is reached.
#[test]
fn co_re_field_offsets_are_resolved_against_a_target_btf() {
    use ebpf_dsl::btf::{Btf, Kind, Member, Type};
    use ebpf_dsl::elf::read_object_for;
    let Some(bytes) = compile("core") else {
        return;
    };
    let mut target = Btf::new();
    let u32_ty = target.add(Type::new(
        "unsigned int",
        Kind::Int {
            size: 4,
            encoding: 0,
            offset: 0,
            bits: 32,
        },
    ));
    let m = |name: &str, byte: u32| Member {
        name: name.into(),
        ty: u32_ty,
        bit_offset: byte * 8,
        bitfield_size: 0,
    };
    let meta = |b_at: u32| {
        let mut t = target.clone();
        t.add(Type::new(
            "meta",
            Kind::Struct {
                size: 12,
                members: vec![m("x", 0), m("a", b_at - 4), m("b", b_at)],
            },
        ));
        t
    };
    let none = read_object_for(&bytes, None, &Btf::new()).unwrap();
    let p = none.programs.iter().find(|p| p.function == "relocated");
    assert!(p
        .unwrap()
        .spec
        .insns
        .iter()
        .any(|i| i.code == 0x85 && i.imm == ebpf_dsl::elf::POISON_HELPER));
    let relocated = |t: &Btf| {
        let obj = read_object_for(&bytes, None, t).unwrap();
        let p = obj.programs.iter().find(|p| p.function == "relocated");
        p.unwrap().spec.insns.to_vec()
    };
    // The object's own layout (b at 4) leaves the instructions as clang wrote them.
    let same = relocated(&meta(4));
    let moved = relocated(&meta(8));
    let diff: Vec<(i16, i16)> = same
        .iter()
        .zip(&moved)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.off, b.off))
        .collect();
    assert_eq!(diff, [(4, 8)]);
}

/// Global functions (BTF `FUNC` linkage global, found through `.BTF.ext` func_info): listed
/// with their prototypes, verified once on their own, and a body safe only in its caller's
/// context refused, as by the kernel (which processes 24 instructions for `good_prog`, and
/// refuses `bad_prog`: "invalid unbounded variable-offset read from stack R2").
#[test]
fn global_functions_are_verified_from_their_prototypes() {
    use ebpf_dsl::btf::GlobalArg;
    use ebpf_dsl::verifier::{verify, VerifyInput};
    let Some(bytes) = compile("global_funcs") else {
        return;
    };
    let obj = read_object(&bytes).unwrap();
    let prog = |name: &str| obj.programs.iter().find(|p| p.function == name).unwrap();
    let good = prog("good_prog");
    assert_eq!(good.globals.len(), 1);
    let g = &good.globals[0];
    assert_eq!(g.name, "parse");
    assert_eq!(
        g.args,
        vec![
            GlobalArg::Ctx,
            GlobalArg::Mem {
                size: 4,
                nonnull: false
            }
        ]
    );
    assert!(g.returns_scalar);
    fn input(p: &ebpf_dsl::elf::ElfProgram) -> VerifyInput<'_> {
        VerifyInput::new(&p.spec.insns, p.spec.prog_type)
            .with_maps(&p.spec.relocations, &p.spec.maps)
    }
    let r = verify(&input(good).with_globals(&good.globals)).unwrap();
    assert_eq!(r.insns_processed, 24);
    let bad = prog("bad_prog");
    assert_eq!(bad.globals[0].args, vec![GlobalArg::Scalar]);
    let e = verify(&input(bad).with_globals(&bad.globals)).unwrap_err();
    assert!(e[0].message.contains("unbounded"), "{}", e[0]);
    // Taken as static, `bad` is walked with `i = 2`, which is safe.
    verify(&input(bad)).unwrap();
}
