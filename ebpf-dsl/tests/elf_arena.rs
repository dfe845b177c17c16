//! An XDP program with a BPF arena (`tests/elf/arena.c`), compiled with clang-19: the ELF
//! reader reads the arena map and the arena kfunc calls (`call bpf_arena_alloc_pages`, the
//! casts clang adds), which write back as clang wrote them; the static verifier refuses the
//! program as the reference kernel does (it cannot create arena maps, and offers the arena
//! kfuncs to no program type), naming the arena. An `__arena` global and the arena's
//! `map_extra` are refused by the reader with what they are. Without clang-19 the tests print
//! why and pass, unless `CI=true`.

use ebpf_dsl::elf::{program_listing, read_object, write_object};
use ebpf_dsl::verifier::{verify, KernelVersion, Rule, VerifyInput};
use ebpf_dsl::MapType;

#[path = "support/clang.rs"]
mod clang;
use clang::{compile, compile_with};

#[test]
fn an_arena_program_reads_round_trips_and_is_refused() {
    let Some(o) = compile("arena") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    assert_eq!(read_object(&write_object(&obj).unwrap()).unwrap(), obj);
    let p = obj
        .programs
        .iter()
        .find(|p| p.function == "arena_xdp")
        .expect("the program");
    let arena = p
        .spec
        .maps
        .iter()
        .find(|m| m.name_str() == "arena")
        .unwrap();
    assert_eq!(
        (
            arena.map_type,
            arena.key_size,
            arena.value_size,
            arena.max_entries,
            arena.flags
        ),
        (MapType::Arena, 0, 0, 2, 1 << 10)
    );
    let text = program_listing(&p.spec).unwrap();
    assert!(text.contains("\tcall bpf_arena_alloc_pages\n"), "{text}");
    assert!(text.contains("\tcall bpf_arena_free_pages\n"), "{text}");
    assert!(text.contains("addr_space_cast("), "{text}");
    let input = VerifyInput::new(&p.spec.insns, p.spec.prog_type)
        .with_maps(&p.spec.relocations, &p.spec.maps)
        .with_kernel(KernelVersion::new(6, 18));
    let errs = verify(&input).expect_err("refused");
    assert_eq!(errs[0].rule, Rule::Unsupported, "{}", errs[0]);
    assert!(
        errs[0].message.contains("`arena`, a BPF arena"),
        "{}",
        errs[0]
    );
}

#[test]
fn arena_globals_and_the_user_address_are_refused_by_the_reader() {
    let Some(o) = compile_with("arena", &["WITH_GLOBAL"]) else {
        return;
    };
    let e = read_object(&o).unwrap_err().to_string();
    assert!(e.contains("`hits` is an `__arena` global"), "{e}");
    let Some(o) = compile_with("arena", &["WITH_EXTRA"]) else {
        return;
    };
    let e = read_object(&o).unwrap_err().to_string();
    assert!(e.contains("member `map_extra`"), "{e}");
    assert!(e.contains("an arena's user address"), "{e}");
}
