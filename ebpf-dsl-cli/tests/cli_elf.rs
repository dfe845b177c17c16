//! `asm --elf`, `disasm OBJ.o` and the `# --map` declarations in a source, without a kernel:
//! the object reads back (with `ebpf_dsl::elf`) to the bytes `asm` writes, and `disasm` of it
//! reassembles to the same bytes.

use std::path::PathBuf;

mod support;
use support::run;

fn path(name: &str) -> PathBuf {
    support::scratch_dir("elf").join(name)
}

const SRC: &str = "\
# --map xsks:xskmap:4:4:64
# --map .data:array:4:16:1
    r2 = map_value(.data, 8) ll
    r3 = *(u32 *)(r2 + 0)
    r2 = *(u32 *)(r1 + 16)
    r1 = xsks ll
    r3 = XDP_PASS
    call bpf_redirect_map
    exit
";

#[test]
fn asm_elf_disasm_round_trip() {
    let src = path("redirect.s");
    std::fs::write(&src, SRC).unwrap();
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();
    let (code, _, err) = run(&["asm", &s(&src), "-o", &s(&path("redirect.bin"))]);
    assert_eq!(code, 0, "{err}");
    let raw = std::fs::read(path("redirect.bin")).unwrap();
    // The maps come from the `# --map` lines: no flag needed.
    let (code, _, err) = run(&["asm", &s(&src), "--elf", "-o", &s(&path("redirect.o"))]);
    assert_eq!(code, 0, "{err}");
    let obj = ebpf_dsl::elf::read_object(&std::fs::read(path("redirect.o")).unwrap()).unwrap();
    assert_eq!(obj.license, "GPL");
    let p = &obj.programs[0];
    assert_eq!(
        (p.section.as_str(), p.function.as_str()),
        ("xdp", "redirect")
    );
    assert_eq!(ebpf_dsl::insn::to_bytes(&p.spec.insns), raw);
    let names: Vec<_> = obj.maps.iter().map(|m| m.name_str().to_string()).collect();
    assert_eq!(names, [".data", "xsks"]);
    // disasm of the object reassembles (maps from its `.map` lines) to the same bytes.
    let (code, text, err) = run(&["disasm", &s(&path("redirect.o"))]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("\tr1 = xsks ll\n"), "{text}");
    // (The map declaration is a `.map` directive since issue 13's text syntax for maps.)
    assert!(
        text.contains(".map xsks xskmap key=4 value=4 max_entries=64\n"),
        "{text}"
    );
    let again = path("again.s");
    std::fs::write(&again, &text).unwrap();
    let (code, _, err) = run(&["asm", &s(&again), "-o", &s(&path("again.bin"))]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(path("again.bin")).unwrap(), raw);
    let (code, out, err) = run(&["check", &s(&again)]);
    assert_eq!(code, 0, "{out}{err}");
    // --section that matches nothing names what there is.
    let (code, _, err) = run(&["disasm", &s(&path("redirect.o")), "--section", "tc"]);
    assert_eq!(code, 1);
    assert!(err.contains("the object has: xdp (redirect)"), "{err}");
}

/// Maps declared with `.map` directives: `check` (with the static verifier), `asm --elf` need
/// no `--map` flags; flags survive `asm --elf` -> `disasm` -> `asm --elf`; the library's
/// `assemble` gives the maps; a malformed `.map` is an error at its line.
#[test]
fn map_directives_declare_maps() {
    let text = "\
.map stats hash key=4 value=8 max_entries=16 flags=no_prealloc
.map xsks xskmap key=4 value=4 max_entries=64
    r1 = 0
    *(u32 *)(r10 - 4) = r1
    r2 = r10
    r2 += -4
    r1 = stats ll
    call bpf_map_lookup_elem
    r2 = 0
    r1 = xsks ll
    r3 = XDP_PASS
    call bpf_redirect_map
    exit
";
    let a = ebpf_dsl::asm::assemble(text).unwrap();
    let names: Vec<_> = a.maps.iter().map(|m| m.name_str()).collect();
    assert_eq!(names, ["stats", "xsks"]);
    assert_eq!(a.maps[0].flags, 1);
    let spec = a.into_program_spec("p", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    assert_eq!(spec.maps.len(), 2);
    let src = path("declared.s");
    std::fs::write(&src, text).unwrap();
    let s = |p: &PathBuf| p.to_str().unwrap().to_string();
    let (code, out, err) = run(&["check", &s(&src)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("skipped"), "{err}");
    let (code, _, err) = run(&["asm", &s(&src), "--elf", "-o", &s(&path("declared.o"))]);
    assert_eq!(code, 0, "{err}");
    let obj = ebpf_dsl::elf::read_object(&std::fs::read(path("declared.o")).unwrap()).unwrap();
    let stats = obj.maps.iter().find(|m| m.name_str() == "stats").unwrap();
    assert_eq!((stats.max_entries, stats.flags), (16, 1));
    let (code, listing, err) = run(&["disasm", &s(&path("declared.o"))]);
    assert_eq!(code, 0, "{err}");
    assert!(
        listing.contains(".map stats hash key=4 value=8 max_entries=16 flags=no_prealloc\n"),
        "{listing}"
    );
    let again = path("declared_again.s");
    std::fs::write(&again, &listing).unwrap();
    let (code, _, err) = run(&["asm", &s(&again), "--elf", "-o", &s(&path("declared2.o"))]);
    assert_eq!(code, 0, "{err}");
    let obj2 = ebpf_dsl::elf::read_object(&std::fs::read(path("declared2.o")).unwrap()).unwrap();
    assert_eq!(obj2.maps, obj.maps);
    assert_eq!(obj2.programs[0].spec.insns, obj.programs[0].spec.insns);
    // A malformed declaration: an error with its line, from every command.
    std::fs::write(&src, "r0 = 2\n.map xsks xskmap key=4\nexit\n").unwrap();
    for cmd in ["check", "asm"] {
        let (code, _, err) = run(&[cmd, &s(&src)]);
        assert_eq!(code, 1, "{cmd}: {err}");
        assert!(err.contains(":2:"), "{cmd}: {err}");
        assert!(err.contains("without value=VALUE_SIZE"), "{cmd}: {err}");
    }
}

#[test]
fn asm_elf_usage_errors() {
    let src = path("nomap.s");
    std::fs::write(&src, "r1 = xsks ll\nr0 = 2\nexit\n").unwrap();
    let f = src.to_str().unwrap();
    let (code, _, err) = run(&["asm", f, "--elf", "-o", path("nomap.o").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("describe xsks with --map"), "{err}");
    // --map, --type and --license are for --elf.
    let (code, _, err) = run(&["asm", f, "--map", "xsks:xskmap:4:4:4"]);
    assert_eq!(code, 2, "{err}");
    // A malformed declaration names its line.
    std::fs::write(&src, "# --map xsks:nosuchtype:4:4\nr0 = 2\nexit\n").unwrap();
    let (code, _, err) = run(&["check", f]);
    assert_eq!(code, 2);
    assert!(err.contains("line 1"), "{err}");
    // --section is for objects.
    let (code, _, err) = run(&["disasm", f, "--section", "xdp"]);
    assert_eq!(code, 1, "{err}");
}

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19, or `None` (printed) without clang-19
/// unless CI=true.
fn compile(name: &str) -> Option<PathBuf> {
    support::clang_object_if_available(name, &support::scratch_dir("elf"))
}

/// `check OBJ.o`: the static verifier on every program of a clang object, with its maps,
/// global data and subprograms.
#[test]
fn check_clang_objects() {
    for (name, want) in [
        ("legacy", &["section `xdp` (count_pass): ok"][..]),
        (
            "btfmaps",
            &["section `xdp` (prog_a): ok", "section `tc` (prog_b): ok"],
        ),
        (
            "subcall",
            &[
                "section `xdp/sub` (subs): ok",
                "section `socket` (sock): ok",
            ],
        ),
    ] {
        let Some(o) = compile(name) else { return };
        let (code, out, err) = run(&["check", o.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {out}{err}");
        for w in want {
            assert!(out.contains(w), "{name}: {out}");
        }
    }
    let Some(o) = compile("badkey") else { return };
    let (code, out, err) = run(&["check", o.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("section `tc` (bad): error: instruction")
            && err.contains("but r2 is the context pointer"),
        "{err}"
    );
}

/// `check OBJ.o --section NAME --type T`: one entry point, sections named the old way
/// (`xdp_pass`) read with the given type; an object with nothing to check is an error that
/// lists its sections.
#[test]
fn check_object_section_and_type() {
    let Some(o) = compile("legacy_names") else {
        return;
    };
    let o = o.to_str().unwrap();
    let (code, out, err) = run(&["check", o]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("no program at all to check")
            && err.contains("xdp_pass, xdp_drop, kprobe/do_nothing")
            && err.contains("--type"),
        "{err}"
    );
    let (code, out, err) = run(&["check", o, "--type", "xdp"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("section `xdp_pass` (pass_func): ok")
            && out.contains("section `xdp_drop` (drop_func): ok"),
        "{out}"
    );
    let (code, out, err) = run(&["check", o, "--type", "xdp", "--section", "drop_func"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("(drop_func): ok") && !out.contains("pass_func"),
        "{out}"
    );
    let (code, _, err) = run(&["check", o, "--type", "xdp", "--section", "nope"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no program in section `nope`") && err.contains("xdp_pass (pass_func)"),
        "{err}"
    );
    let Some(b) = compile("btfmaps") else { return };
    let (code, out, err) = run(&["check", b.to_str().unwrap(), "--section", "tc"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("(prog_b): ok") && !out.contains("prog_a"),
        "{out}"
    );
    // disasm takes the same --type, and its text checks as the object did.
    let (code, text, err) = run(&["disasm", o, "--type", "xdp", "--section", "pass_func"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("# section xdp_pass, function pass_func") && text.contains("exit"),
        "{text}"
    );
    let (code, _, err) = run(&["disasm", o, "--section", "pass_func"]);
    assert_eq!(code, 1);
    assert!(err.contains("no program in section `pass_func`"), "{err}");
    // --section is for objects.
    let src = path("sec.s");
    std::fs::write(&src, "r0 = 2\nexit\n").unwrap();
    let (code, _, err) = run(&["check", src.to_str().unwrap(), "--section", "xdp"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--section xdp is for ELF objects"), "{err}");
}

/// `check` and `disasm` of an object whose prog array and maps of maps have initial contents
/// (`values.c`): every program checks; the listing of `entry` says which slots of the maps it
/// uses the object fills (the text does not carry them) and reassembles.
#[test]
fn objects_with_initial_slots() {
    let Some(o) = compile("values") else { return };
    let (code, out, err) = run(&["check", o.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    for f in ["entry", "leaf", "count"] {
        assert!(out.contains(&format!("section `xdp` ({f}): ok")), "{out}");
    }
    let (code, text, err) = run(&["disasm", o.to_str().unwrap(), "--section", "entry"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("# initial slot jumps[1] = program `leaf` (not carried by the text"),
        "{text}"
    );
    assert!(!text.contains("slot outer"), "{text}");
    let again = path("values-entry.s");
    std::fs::write(&again, &text).unwrap();
    let (code, out, err) = run(&["check", again.to_str().unwrap(), "--type", "xdp"]);
    assert_eq!(code, 0, "{out}{err}");
}
