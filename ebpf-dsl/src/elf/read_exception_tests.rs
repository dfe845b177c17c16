//! Unit tests of the reader's reading of the exception callback's decl tag (`exception.rs`).

use super::{exception_callback, exception_tags};
use crate::btf::{Btf, Kind, Linkage, Type};

/// A BTF with the main `FUNC` (id 3), a global `cb` and a static `st`, and the given decl
/// tags on the main `FUNC`.
fn btf(tags: &[&str]) -> (Btf, u32) {
    let mut b = Btf::new();
    let int = b.add(Type::int("int", 4, true));
    let proto = b.add(Type::new(
        "",
        Kind::FuncProto {
            ret: int,
            params: Vec::new(),
        },
    ));
    let func =
        |b: &mut Btf, name: &str, linkage| b.push(Type::new(name, Kind::Func { proto, linkage }));
    let main = func(&mut b, "main", Linkage::Global);
    func(&mut b, "cb", Linkage::Global);
    func(&mut b, "st", Linkage::Static);
    for t in tags {
        b.push(Type::new(
            *t,
            Kind::DeclTag {
                ty: main,
                component_idx: -1,
            },
        ));
    }
    (b, main)
}

#[test]
fn the_kernels_reading_of_the_exception_callback_tag() {
    let (b, main) = btf(&[]);
    assert_eq!(exception_callback(&b, main), None);
    let (b, main) = btf(&["exception_callback:cb"]);
    assert_eq!(exception_tags(&b, main), ["cb"]);
    assert_eq!(exception_callback(&b, main), Some(Ok(main + 1)));
    for (tags, why) in [
        (
            &["exception_callback:cb", "exception_callback:st"][..],
            "multiple exception callback tags",
        ),
        (&["exception_callback:nope"], "could not be found in BTF"),
        (&["exception_callback:st"], "must have global linkage"),
        (&["exception_callback:main"], "insn_off in func_info: 0"),
    ] {
        let (b, main) = btf(tags);
        let e = exception_callback(&b, main).unwrap().unwrap_err();
        assert!(e.contains(why), "{tags:?}: {e}");
    }
    // Another tag (an argument's, another prefix) is not the callback's.
    let (b, main) = btf(&["arg:ctx", "other:cb"]);
    assert_eq!(exception_callback(&b, main), None);
}
