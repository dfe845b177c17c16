//! `ReadOptions::section_as_unknown`: a section whose name is another program type's
//! (`sk_skb`) is read as the caller's type only when the caller names it (by section or
//! function name), as tc's `bpf obj FILE sec NAME` loads it as a classifier; every other
//! section of another type stays skipped. Compiled with clang-19; without it the tests print
//! why and pass, unless `CI=true`.

use ebpf_dsl::elf::{read_object_with, Object, ReadOptions};
use ebpf_dsl::ProgramType;

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

fn read(named: Option<&str>) -> Option<Object> {
    let o = compile("section_as")?;
    let opts = ReadOptions {
        unknown: Some(ProgramType::SchedCls),
        section_as_unknown: named,
        ..ReadOptions::default()
    };
    Some(read_object_with(&o, &opts).expect("the object reads"))
}

#[test]
fn a_section_of_another_type_is_skipped_unless_named() {
    let Some(obj) = read(None) else { return };
    assert!(obj.programs.is_empty(), "{:?}", obj.programs.len());
    assert!(
        obj.skipped.iter().any(|s| s == "sk_skb"),
        "{:?}",
        obj.skipped
    );
    assert!(obj.skipped.iter().any(|s| s == "kprobe/tcp_v4_connect"));
}

#[test]
fn a_named_section_is_read_as_the_callers_type() {
    for name in ["sk_skb", "decap"] {
        let Some(obj) = read(Some(name)) else { return };
        assert_eq!(obj.programs.len(), 1, "named {name}");
        let p = &obj.programs[0];
        assert_eq!(
            (p.section.as_str(), p.function.as_str()),
            ("sk_skb", "decap")
        );
        assert_eq!(p.spec.prog_type, ProgramType::SchedCls);
        // The kprobe is not named: it stays another program type's.
        assert_eq!(obj.skipped, vec!["kprobe/tcp_v4_connect".to_string()]);
    }
}

#[test]
fn naming_a_function_of_another_section_changes_nothing() {
    let Some(obj) = read(Some("no_such_function")) else {
        return;
    };
    assert!(obj.programs.is_empty());
    assert_eq!(obj.skipped.len(), 2, "{:?}", obj.skipped);
}
