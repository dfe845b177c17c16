//! Initial contents of BTF-defined prog arrays and maps of maps (`.values = { [i] = &x }`),
//! read from clang-19's objects (`tests/elf/values.c` and its `-D` variants) as libbpf reads
//! them, with libbpf's refusals and the kernel's checks at the update: each variant's error
//! names the rule. (`tools/real-programs/kload` agrees: each refused variant fails libbpf's
//! load.) Our writer writes them back as clang does. Without clang-19 the tests print why and pass, unless `CI=true`.

use ebpf_dsl::elf::{read_object, write_object};
use ebpf_dsl::spec::{MapSlot, SlotValue};
use ebpf_dsl::MapType;

#[path = "support/clang.rs"]
mod clang;
use clang::{compile, compile_with};

fn slot(map: &str, index: u32, value: SlotValue) -> MapSlot {
    MapSlot {
        map: map.into(),
        index,
        value,
    }
}

#[test]
fn slots_are_read_by_map_then_index() {
    let Some(o) = compile("values") else { return };
    let obj = read_object(&o).unwrap();
    assert_eq!(
        obj.slots,
        vec![
            slot("by_hash", 7, SlotValue::Map("counter".into())),
            slot("jumps", 1, SlotValue::Program("leaf".into())),
            slot("jumps", 2, SlotValue::Program("count".into())),
            slot("outer", 1, SlotValue::Map("counter".into())),
            slot("outer_locked", 0, SlotValue::Map("locked_map".into())),
        ]
    );
    // The inner definition's key/value types are kept (libbpf creates the template with
    // them): the value of `outer_locked`'s inner maps is `struct locked`.
    let ob = ebpf_dsl::elf::object_btf(&o).unwrap().unwrap();
    let t = ob.maps.iter().find(|t| t.map == "outer_locked").unwrap();
    assert_ne!(t.inner.0, 0);
    assert_eq!(
        ob.btf.get(t.inner.1).map(|v| v.name.as_str()),
        Some("locked")
    );
    let plain = ob.maps.iter().find(|t| t.map == "jumps").unwrap();
    assert_eq!(plain.inner, (0, 0));
    // `__array(values, int (..))` of a prog array: a 4-byte value, no inner template.
    let jumps = obj.maps.iter().find(|m| m.name == "jumps").unwrap();
    assert_eq!(
        (
            jumps.map_type,
            jumps.key_size,
            jumps.value_size,
            jumps.max_entries
        ),
        (MapType::ProgArray, 4, 4, 3)
    );
    assert_eq!(jumps.inner, None);
    let outer = obj.maps.iter().find(|m| m.name == "outer").unwrap();
    assert_eq!(outer.inner.map(|i| i.max_entries), Some(1));
    // Written back (a `values` member, one `.maps` relocation per slot), read back the same.
    let bytes = write_object(&obj).unwrap();
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("values-ours.o"),
        &bytes,
    )
    .unwrap();
    assert_eq!(read_object(&bytes).unwrap(), obj);
}

/// Each variant's refusal, and the words its message must hold.
#[test]
fn what_libbpf_or_the_kernel_refuses_is_an_error_naming_the_rule() {
    let cases: &[(&str, &[&str])] = &[
        (
            "BAD_SHAPE",
            &[
                "map `outer` slot [1]",
                "map `wider`",
                "max_entries",
                "is 2, the template's 1",
                "EINVAL",
            ],
        ),
        (
            "HASH_KEY8",
            &["map `by_hash` slot [7]", "4-byte keys", "not 8"],
        ),
        (
            "BAD_TYPE",
            &[
                "prog array `jumps`",
                "`leaf` is xdp",
                "`other` sched_cls",
                "EINVAL",
            ],
        ),
        (
            "BAD_INDEX",
            &[
                "map `jumps` slot [3]",
                "beyond the map's 3 entries",
                "E2BIG",
            ],
        ),
        (
            "VALUES_ON_HASH",
            &[
                "map `plain`",
                "prog arrays and maps of maps",
                "not a hash map",
            ],
        ),
    ];
    for (define, words) in cases {
        let Some(o) = compile_with("values", &[define]) else {
            return;
        };
        let e = read_object(&o).unwrap_err().to_string();
        for w in *words {
            assert!(e.contains(w), "{define}: `{w}` not in: {e}");
        }
    }
}

/// Every 4-byte word (and 8-byte field) of the object set to extreme values, the relocations
/// of `.maps` and the symbols among them: an error or an object, never a panic.
#[test]
fn corrupted_objects_with_slots_are_errors_not_panics() {
    let Some(o) = compile("values") else { return };
    for at in (0..o.len().saturating_sub(8)).step_by(4) {
        for v in [0u64, 7, u64::MAX] {
            for width in [4, 8] {
                let mut m = o.clone();
                m[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
                if let Err(e) = read_object(&m) {
                    assert!(!e.reason.is_empty());
                }
            }
        }
    }
}
