//! The `.section NAME` directive through the CLI (issues 12 and 13): a clang object's
//! `xdp.frags` and `xdp/devmap` programs go through `disasm` -> text -> `asm --elf` with their
//! section names and instruction bytes; `check` of the text gives the static verifier the
//! expected attach type; `load` of the text gives the kernel the expected attach type (a
//! devmap program reads `egress_ifindex`) and `BPF_F_XDP_HAS_FRAGS` (checked by its effect: a
//! veth whose peer's MTU is beyond one page takes a native XDP program only if it has frags).
//! Without clang-19 the tests print why and pass, unless `CI=true`.

use std::path::{Path, PathBuf};

use xsk_testkit::kernel_tests;
use xsk_testkit::netns::NetNs;

mod support;
use support::{run, run_command as output, s};

fn path(name: &str) -> PathBuf {
    support::scratch_dir("section").join(name)
}

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19, or `None` (printed) without clang-19
/// unless CI=true.
fn compile(name: &str) -> Option<PathBuf> {
    support::clang_object_if_available(name, &support::scratch_dir("section"))
}

/// `disasm OBJ --section SECTION` written to `NAME.s`.
fn text_of(obj: &Path, section: &str, name: &str) -> PathBuf {
    let (code, text, err) = run(&["disasm", s(obj), "--section", section]);
    assert_eq!(code, 0, "{err}");
    let p = path(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// clang `SEC("xdp.frags")`, `SEC("xdp/devmap")`, `SEC("xdp/cpumap")` -> disasm (a
/// `.section` line) -> asm --elf: the same section and the same instruction bytes; a plain
/// `xdp` program gets no `.section` line.
fn sections_survive_disasm_and_asm() {
    let (Some(frags), Some(devmap)) = (compile("frags"), compile("devmap")) else {
        return;
    };
    for (obj, section) in [
        (&frags, "xdp.frags"),
        (&devmap, "xdp/devmap"),
        (&devmap, "xdp/cpumap"),
    ] {
        let clang = ebpf_dsl::elf::read_object(&std::fs::read(obj).unwrap()).unwrap();
        let want = clang
            .programs
            .iter()
            .find(|p| p.section == section)
            .unwrap();
        let name = format!("{}.s", section.replace(['/', '.'], "_"));
        let text = text_of(obj, section, &name);
        let listing = std::fs::read_to_string(&text).unwrap();
        assert!(
            listing.contains(&format!("\n.section {section}\n")),
            "{listing}"
        );
        let out = path(&format!("{}.o", section.replace(['/', '.'], "_")));
        let (code, _, err) = run(&["asm", s(&text), "--elf", "-o", s(&out)]);
        assert_eq!(code, 0, "{err}");
        let ours = ebpf_dsl::elf::read_object(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(ours.programs.len(), 1);
        let got = &ours.programs[0];
        assert_eq!(got.section, section);
        assert_eq!(got.spec.prog_type, ebpf_dsl::ProgramType::Xdp);
        assert_eq!(
            ebpf_dsl::insn::to_bytes(&got.spec.insns),
            ebpf_dsl::insn::to_bytes(&want.spec.insns),
            "{section}"
        );
        // And once more through disasm: the same text.
        let again = text_of(&out, section, "again.s");
        let again = std::fs::read_to_string(again).unwrap();
        let body = |t: &str| t.lines().skip(2).collect::<Vec<_>>().join("\n");
        assert_eq!(body(&again), body(&listing));
    }
    let plain = text_of(&devmap, "xdp", "plain.s");
    let plain = std::fs::read_to_string(plain).unwrap();
    assert!(!plain.contains(".section"), "{plain}");
}

/// `check` of the text: the devmap program's `egress_ifindex` read passes with its
/// `.section xdp/devmap` and is refused without it; a `--type` that contradicts the section,
/// a section of another program type and a data section are clear errors.
fn check_takes_the_section() {
    let Some(devmap) = compile("devmap") else {
        return;
    };
    let text = text_of(&devmap, "xdp/devmap", "egress.s");
    let (code, out, err) = run(&["check", s(&text)]);
    assert_eq!(code, 0, "{out}{err}");
    let listing = std::fs::read_to_string(&text).unwrap();
    let stripped = path("egress_plain.s");
    std::fs::write(&stripped, listing.replace(".section xdp/devmap\n", "")).unwrap();
    let (code, out, err) = run(&["check", s(&stripped)]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("egress_ifindex is only readable by programs attached to a devmap"),
        "{err}"
    );
    for args in [
        vec!["check", s(&text), "--type", "sched_cls"],
        vec![
            "asm",
            s(&text),
            "--elf",
            "--type",
            "sched_cls",
            "-o",
            s(&path("x.o")),
        ],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(
                "`.section xdp/devmap` is a section of xdp programs, but --type is sched_cls"
            ),
            "{err}"
        );
    }
    let other = path("kprobe.s");
    std::fs::write(&other, ".section kprobe/sys_open\nr0 = 0\nexit\n").unwrap();
    let (code, _, err) = run(&["check", s(&other)]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("names no section of a program type"), "{err}");
    // A legacy name (no type of its own) takes --type, default xdp, as a text without a
    // section does.
    let legacy = path("legacy.s");
    std::fs::write(&legacy, ".section xdp_pass\nr0 = 2\nexit\n").unwrap();
    for ty in [&["--type", "xdp"][..], &["--type", "socket_filter"], &[]] {
        let (code, out, err) = run(&[&["check", s(&legacy)][..], ty].concat());
        assert_eq!(code, 0, "{ty:?}: {out}{err}");
    }
    let (code, out, err) = run(&[
        "asm",
        s(&legacy),
        "--elf",
        "--type",
        "socket_filter",
        "-o",
        s(&path("legacy.o")),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let obj = std::fs::read(path("legacy.o")).unwrap();
    let obj = ebpf_dsl::elf::read_object_as(&obj, ebpf_dsl::ProgramType::SocketFilter).unwrap();
    assert_eq!(obj.programs[0].section, "xdp_pass");
    assert_eq!(
        obj.programs[0].spec.prog_type,
        ebpf_dsl::ProgramType::SocketFilter
    );
    let data = path("data.s");
    std::fs::write(&data, "r0 = 0\n.section .data\nexit\n").unwrap();
    let (code, _, err) = run(&["check", s(&data)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("is not a program section"), "{err}");
    let two = path("two.s");
    std::fs::write(&two, ".section xdp\n.section xdp.frags\nr0 = 2\nexit\n").unwrap();
    let (code, _, err) = run(&["check", s(&two)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("names two sections"), "{err}");
}

/// `load` of the text of the devmap program: the kernel gets `BPF_XDP_DEVMAP` (it reads
/// `egress_ifindex`); without the `.section` line the kernel refuses it.
fn load_gives_the_expected_attach_type() {
    let Some(devmap) = compile("devmap") else {
        return;
    };
    let text = text_of(&devmap, "xdp/devmap", "egress_load.s");
    let (code, out, err) = run(&["load", s(&text)]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifier: accepted"), "{out}");
    let listing = std::fs::read_to_string(&text).unwrap();
    let stripped = path("egress_load_plain.s");
    std::fs::write(&stripped, listing.replace(".section xdp/devmap\n", "")).unwrap();
    let (code, out, err) = run(&["load", s(&stripped)]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("invalid bpf_context access off=20"),
        "{out}{err}"
    );
}

/// `attach` of the text of the `xdp.frags` program in native mode to a veth whose peer's MTU
/// (9000) is beyond one page: veth takes it only from a program loaded with
/// `BPF_F_XDP_HAS_FRAGS` ("Peer MTU is too large to set XDP" otherwise), so the kernel got the
/// flag; the same text without `.section xdp.frags` is refused.
fn load_gives_the_frags_flag() {
    let Some(frags) = compile("frags") else {
        return;
    };
    let text = text_of(&frags, "xdp.frags", "frags_load.s");
    let listing = std::fs::read_to_string(&text).unwrap();
    let stripped = path("frags_plain.s");
    std::fs::write(&stripped, listing.replace(".section xdp.frags\n", "")).unwrap();
    let ns = NetNs::new("sect").unwrap();
    ns.ip(&["link", "add", "va", "type", "veth", "peer", "name", "vb"])
        .unwrap();
    for dev in ["va", "vb"] {
        ns.ip(&["link", "set", dev, "mtu", "9000"]).unwrap();
        ns.ip(&["link", "set", dev, "up"]).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_ebpf-dsl");
    let attach = |file: &Path| {
        output(ns.command(bin).args([
            "attach",
            s(file),
            "--iface",
            "va",
            "--mode",
            "native",
            "--pin",
        ]))
    };
    let (code, out, err) = attach(&stripped);
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("Peer MTU is too large to set XDP"),
        "{out}{err}"
    );
    let (code, out, err) = attach(&text);
    assert_eq!(code, 0, "{out}{err}");
    let link = ns.ip(&["link", "show", "dev", "va"]).unwrap();
    assert!(link.contains("prog/xdp"), "{link}");
}

kernel_tests! {
    privileged: [load_gives_the_expected_attach_type, load_gives_the_frags_flag],
    plain: [sections_survive_disasm_and_asm, check_takes_the_section],
}
