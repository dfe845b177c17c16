//! `Object::keep_programs_in` (what `ebpf-dsl check` calls before it verifies one section, so
//! that the other programs' memory is freed first) against `Object::programs_in`: the same
//! programs, for a section, for none, and for a section the object does not have. No clang.

use ebpf_dsl::elf::Object;

/// `keep_programs_in` keeps what `programs_in` yields, and nothing else.
#[test]
fn keeping_the_programs_of_a_section_drops_the_others() {
    use ebpf_dsl::dsl::{self, Program};
    let spec = |name: &'static str| {
        let mut p = Program::xdp(name);
        p.push(dsl::mov(ebpf_dsl::Reg::R0, 2)).push(dsl::exit());
        p.build().unwrap()
    };
    let obj = Object::from_programs(&[spec("first"), spec("second")]).unwrap();
    let names = |o: &Object, s: Option<&str>| -> Vec<String> {
        o.programs_in(s).map(|p| p.function.clone()).collect()
    };
    for s in [None, Some("second"), Some("third")] {
        let mut kept = obj.clone();
        kept.keep_programs_in(s);
        assert_eq!(names(&kept, None), names(&obj, s), "{s:?}");
    }
    assert_eq!(names(&obj, Some("second")), ["second"]);
}
