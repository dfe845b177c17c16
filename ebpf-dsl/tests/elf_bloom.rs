//! An XDP program with a bloom filter (`tests/elf/bloom.c`), compiled with clang-19: the ELF
//! reader takes the definition's `map_extra` when it gives the kernel's default hash count (5,
//! the map the kernel creates without it) and refuses any other count, and `map_extra` on
//! another map type; the static verifier accepts `bpf_map_peek_elem` / `bpf_map_push_elem` on
//! the filter, as the kernel's `check_map_func_compatibility` does. Without clang-19 the tests
//! print why and pass, unless `CI=true`.

use ebpf_dsl::elf::read_object;
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
use ebpf_dsl::MapType;

#[path = "support/clang.rs"]
mod clang;
use clang::{compile, compile_with};

#[test]
fn a_bloom_filter_with_the_default_hash_count_reads_and_verifies() {
    let Some(o) = compile("bloom") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    let p = obj
        .programs
        .iter()
        .find(|p| p.function == "bloom_xdp")
        .expect("the program");
    let seen = p.spec.maps.iter().find(|m| m.name_str() == "seen").unwrap();
    assert_eq!(
        (
            seen.map_type,
            seen.key_size,
            seen.value_size,
            seen.max_entries
        ),
        (MapType::BloomFilter, 0, 8, 64)
    );
    let input = VerifyInput::new(&p.spec.insns, p.spec.prog_type)
        .with_maps(&p.spec.relocations, &p.spec.maps)
        .with_kernel(KernelVersion::new(6, 18));
    verify(&input).expect("accepted");
}

#[test]
fn other_hash_counts_and_other_map_types_are_refused_by_the_reader() {
    let Some(o) = compile_with("bloom", &["HASHES=3"]) else {
        return;
    };
    let e = read_object(&o).unwrap_err().to_string();
    assert!(e.contains("member `map_extra`"), "{e}");
    assert!(e.contains("default hash count"), "{e}");
    let Some(o) = compile_with("bloom", &["ON_HASH"]) else {
        return;
    };
    let e = read_object(&o).unwrap_err().to_string();
    assert!(e.contains("not on a hash map"), "{e}");
}
