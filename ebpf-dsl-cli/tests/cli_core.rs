//! `check OBJ.o --btf FILE --kconfig FILE` on clang-compiled objects (`ebpf-dsl/tests/elf/`):
//! CO-RE relocations resolved against the given BTF as libbpf does (a missing field poisons
//! its instruction, rejected only where reached) and `__kconfig` externs given the values of
//! the given configuration, known to the verifier. Without clang-19 the tests print why and
//! pass, unless `CI=true`.

use std::path::PathBuf;

mod support;
use support::run;

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19 into this file's scratch directory; `None`
/// (printed) without clang-19 unless CI=true.
fn compile(name: &str) -> Option<PathBuf> {
    support::clang_object_if_available(name, &support::scratch_dir("core"))
}

#[test]
fn kconfig_values_come_from_the_given_file() {
    let Some(obj) = compile("kconfig") else {
        return;
    };
    let obj = obj.to_str().unwrap();
    let config = |name: &str, text: &str| {
        let p = support::scratch_dir("core").join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = config("good.config", "CONFIG_BPF_JIT=y\nCONFIG_HZ=1000\n");
    let (code, out, err) = run(&["check", obj, "--kernel", "6.18", "--kconfig", &good]);
    assert_eq!(code, 0, "{out}{err}");
    // HZ=100 or an older kernel: the unchecked packet read is reached.
    let hz = config("hz.config", "CONFIG_BPF_JIT=y\nCONFIG_HZ=100\n");
    let (code, _, err) = run(&["check", obj, "--kernel", "6.18", "--kconfig", &hz]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("error:"), "{err}");
    let (code, _, err) = run(&["check", obj, "--kernel", "6.1", "--kconfig", &good]);
    assert_eq!(code, 1, "{err}");
    // A target before 6.1 is refused as bad usage, with the oldest one named.
    let (code, _, err) = run(&["check", obj, "--kernel", "4.19", "--kconfig", &good]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("older than 6.1") && err.contains("--kernel 6.1"),
        "{err}"
    );
    // Without a configuration the strong CONFIG_BPF_JIT is not resolved, as with libbpf.
    let (code, _, err) = run(&["check", obj, "--kernel", "6.18"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("CONFIG_BPF_JIT") && err.contains("not resolved"),
        "{err}"
    );
    // A file that is not there.
    let (code, _, err) = run(&["check", obj, "--kconfig", "/nonexistent/config"]);
    assert_ne!(code, 0);
    assert!(err.contains("--kconfig /nonexistent/config"), "{err}");
}

#[test]
fn co_re_against_the_given_btf_poisons_what_the_target_lacks() {
    use ebpf_dsl::btf::{Btf, Kind, Member, Type};
    let Some(obj) = compile("core_kinds") else {
        return;
    };
    let obj = obj.to_str().unwrap();
    // A target whose `struct maybe` has no `extra`, and no `flags` nor `color`.
    let mut t = Btf::new();
    let u32t = t.push(Type::new(
        "unsigned int",
        Kind::Int {
            size: 4,
            encoding: 0,
            offset: 0,
            bits: 32,
        },
    ));
    t.push(Type::new(
        "maybe",
        Kind::Struct {
            size: 8,
            members: vec![Member {
                name: "x".into(),
                ty: u32t,
                bit_offset: 0,
                bitfield_size: 0,
            }],
        },
    ));
    let btf = support::scratch_dir("core").join("target.btf");
    std::fs::write(&btf, t.encode()).unwrap();
    let btf = btf.to_str().unwrap();
    let check = |section: &str| run(&["check", obj, "--section", section, "--btf", btf]);
    let (code, out, err) = check("guarded");
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = check("unguarded");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("poisoned instruction"), "{err}");
    // Without --btf the relocations are refused, naming the option.
    let (code, _, err) = run(&["check", obj, "--section", "guarded"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--btf"), "{err}");
    // `disasm --btf` lists the resolved program: its text checks as the object does.
    for (section, want) in [("guarded", 0), ("unguarded", 1)] {
        let (code, text, err) = run(&["disasm", obj, "--section", section, "--btf", btf]);
        assert_eq!(code, 0, "{err}");
        let src = support::scratch_dir("core").join(format!("{section}.s"));
        std::fs::write(&src, &text).unwrap();
        let (code, out, err) = run(&["check", src.to_str().unwrap()]);
        assert_eq!(code, want, "{text}{out}{err}");
    }
    let (code, _, err) = run(&["disasm", obj, "--section", "guarded"]);
    assert_eq!(code, 1, "{err}");
}
