//! tc's legacy map definitions in clang-compiled objects (`tests/elf/legacy_elf_map.c`):
//! iproute2's `struct bpf_elf_map`, whose map of maps takes the shape of its inner maps from
//! the map whose `id` is its `inner_id`, as tc's loader creates it. Compiled with clang-19;
//! without it the tests print why and pass, unless `CI=true`.

use ebpf_dsl::elf::read_object_as;
use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::{MapType, ProgramType};

#[path = "support/clang.rs"]
mod clang;
use clang::compile_with;

#[path = "support/verdict.rs"]
mod verdict;
use verdict::verdict;

fn read(defines: &[&str]) -> Option<Result<ebpf_dsl::elf::Object, String>> {
    let o = compile_with("legacy_elf_map", defines)?;
    Some(read_object_as(&o, ProgramType::SchedCls).map_err(|e| e.to_string()))
}

#[test]
fn a_bpf_elf_map_of_maps_takes_its_inner_shape_from_inner_id() {
    let Some(obj) = read(&[]) else { return };
    let obj = obj.unwrap();
    let outer = obj.maps.iter().find(|m| m.name == "map_outer").unwrap();
    assert_eq!(
        (
            outer.map_type,
            outer.key_size,
            outer.value_size,
            outer.max_entries
        ),
        (MapType::ArrayOfMaps, 4, 4, 3)
    );
    assert_eq!(
        outer.inner,
        Some(InnerMap {
            map_type: MapType::Array,
            key_size: 4,
            value_size: 8,
            max_entries: 1,
            flags: 0,
        })
    );
    let inner = obj.maps.iter().find(|m| m.name == "map_inner").unwrap();
    assert_eq!(inner.inner, None);
    assert_eq!(verdict(&obj, "emain"), Ok(()));
}

#[test]
fn a_read_past_the_inner_maps_value_is_rejected() {
    let Some(obj) = read(&["PAST_THE_VALUE"]) else {
        return;
    };
    let e = verdict(&obj.unwrap(), "emain").unwrap_err();
    // The inner template's 8-byte value, which only `inner_id` gives.
    assert!(
        e.contains("the value of `map_outer.inner` is 8 bytes") && e.contains("map value bounds"),
        "{e}"
    );
}

#[test]
fn an_inner_id_naming_no_map_is_an_error() {
    let Some(obj) = read(&["BAD_INNER_ID"]) else {
        return;
    };
    let e = obj.unwrap_err();
    assert!(e.contains("inner_id 43") && e.contains("map_outer"), "{e}");
}
