//! ELF objects through the CLI and the kernel: clang-19 objects (`ebpf-dsl/tests/elf/*.c`:
//! legacy maps, BTF-defined maps, global data, bpf-to-bpf calls) load with `ebpf-dsl load
//! OBJ.o`; `disasm OBJ.o --section xdp` then `asm --elf` gives an object that `bpftool prog
//! load` (pinned, unpinned after) and `ip link set dev IF xdp obj OUT.o sec xdp` (on a veth in
//! a sandbox namespace), libbpf (`bpf_object__open_file` + `bpf_object__load` through Python's
//! ctypes), aya's `EbpfLoader` and `xdp-loader load` load, with the same program tag as
//! clang's object. Without clang-19 (or bpftool) the tests print why and pass, unless `CI=true`;
//! without xdp-loader that part prints why and passes, unless `CI=true` (xdp-tools is in CI's apt list).

use std::path::{Path, PathBuf};
use std::process::Command;

use xsk_testkit::kernel_tests;
use xsk_testkit::netns::NetNs;

mod support;
use support::{have, run};

/// Opens and loads the object `sys.argv[1]` with libbpf; prints `open ok` and `load N`.
const LIBBPF_LOAD: &str = r#"
import ctypes, sys
try:
    l = ctypes.CDLL("libbpf.so.1")
except OSError:
    sys.exit(3)
l.bpf_object__open_file.restype = ctypes.c_void_p
l.bpf_object__open_file.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
l.libbpf_get_error.argtypes = [ctypes.c_void_p]
l.bpf_object__load.argtypes = [ctypes.c_void_p]
l.bpf_object__close.argtypes = [ctypes.c_void_p]
o = l.bpf_object__open_file(sys.argv[1].encode(), None)
if not o or l.libbpf_get_error(o) != 0:
    print("open failed")
    sys.exit(1)
print("open ok")
print("load", l.bpf_object__load(o))
l.bpf_object__close(o)
"#;

fn dir() -> PathBuf {
    support::scratch_dir("elf")
}

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19.
fn compile(name: &str) -> PathBuf {
    support::clang_object(name, &dir())
}

/// Programs of `xdp/devmap` and `xdp/cpumap` sections are checked and loaded with their
/// expected attach type: the DEVMAP one reads `egress_ifindex`, which both the static verifier
/// and the kernel refuse to a plain XDP program.
fn devmap_programs_read_egress_ifindex() {
    if !have("clang-19") {
        return;
    }
    let obj = compile("devmap");
    let obj = obj.to_str().unwrap();
    for s in ["xdp/devmap", "xdp/cpumap"] {
        let (code, out, err) = run(&["check", obj, "--section", s]);
        assert_eq!(code, 0, "check {s}: {out}{err}");
        let (code, out, err) = run(&["load", obj, "--section", s]);
        assert_eq!(code, 0, "load {s}: {out}{err}");
        assert!(out.contains("verifier: accepted"), "{out}");
    }
    let (code, out, err) = run(&["check", obj, "--section", "xdp"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains("egress_ifindex is only readable by programs attached to a devmap"),
        "{out}{err}"
    );
    let (code, out, err) = run(&["load", obj, "--section", "xdp"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("invalid bpf_context access off=20"),
        "{out}{err}"
    );
}

/// `load OBJ.o --section FUNCTION --type T` of a section whose name gives no type
/// (`classifier_ingress`, as merbridge names its tc programs) loads it as a program of type T,
/// as `check` reads it; its legacy perf event array of 0 entries gets one per possible CPU (as
/// libbpf sizes it) and its devmap entry is read after the lookup. Without --type the section
/// is not a program.
fn legacy_section_loads_with_type() {
    if !have("clang-19") {
        return;
    }
    let obj = compile("legacy_perf");
    let obj = obj.to_str().unwrap();
    let (code, out, err) = run(&["check", obj, "--section", "ingress", "--type", "sched_cls"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = run(&["load", obj, "--section", "ingress", "--type", "sched_cls"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("verifier: accepted `ingress` (sched_cls,"),
        "{out}"
    );
    let (code, out, err) = run(&["load", obj, "--section", "ingress"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no program in section `ingress`"), "{err}");
}

/// `load OBJ.o` of an object with legacy maps (no libbpf 1.x opens it) and CO-RE relocations
/// (aws-network-policy-agent's tc programs): they are resolved against the running kernel's
/// BTF, for choosing the program as for loading it; `check` without `--btf` still refuses them.
fn legacy_maps_with_core_load() {
    if !have("clang-19") {
        return;
    }
    let obj = compile("legacy_core");
    let obj = obj.to_str().unwrap();
    let (code, out, err) = run(&["load", obj, "--section", "count_proto", "--type", "xdp"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("verifier: accepted `count_proto` (xdp,"),
        "{out}"
    );
    let (code, out, err) = run(&["check", obj, "--type", "xdp"]);
    assert_ne!(code, 0, "{out}{err}");
    assert!(err.contains("target kernel's BTF"), "{err}");
}

fn clang_objects_load() {
    if !have("clang-19") {
        return;
    }
    for (name, sections) in [
        ("legacy", &["xdp"][..]),
        ("btfmaps", &["xdp", "tc"]),
        ("subcall", &["xdp/sub", "sock"]),
    ] {
        let obj = compile(name);
        for s in sections {
            let (code, out, err) = run(&["load", obj.to_str().unwrap(), "--section", s]);
            assert_eq!(code, 0, "{name} {s}: {out}{err}");
            assert!(out.contains("verifier: accepted"), "{out}");
            let ty = if *s == "tc" {
                "(sched_cls,"
            } else if *s == "sock" {
                "(socket_filter,"
            } else {
                "(xdp,"
            };
            assert!(
                out.contains(ty),
                "{name} {s}: the object's program type: {out}"
            );
        }
    }
    // clang's program and ours (disasm -> asm --elf) behave the same on a packet:
    // ((rx_queue_index + 3) * 2) & 3 = XDP_PASS through two levels of bpf-to-bpf calls.
    let obj = compile("subcall");
    let (code, text, err) = run(&["disasm", obj.to_str().unwrap(), "--section", "subs"]);
    assert_eq!(code, 0, "{err}");
    let src = dir().join("subs.s");
    std::fs::write(&src, text).unwrap();
    let ours = dir().join("subs.o");
    support::asm_elf(&src, &ours);
    let packet = "02000000000102000000000208004500";
    for o in [&obj, &ours] {
        let (code, out, err) = run(&[
            "run",
            o.to_str().unwrap(),
            "--section",
            "subs",
            "--type",
            "xdp",
            "--packet",
            packet,
        ]);
        assert_eq!(code, 0, "{}: {out}{err}", o.display());
        assert!(out.contains("action: XDP_PASS"), "{}: {out}", o.display());
    }
    // Several programs and no --section: a usage error naming them.
    let (code, _, err) = run(&["load", compile("subcall").to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("xdp/sub (subs), socket (sock)"), "{err}");
}

fn our_objects_load_in_bpftool_and_ip() {
    if !have("clang-19") || !have("bpftool") {
        return;
    }
    let obj = compile("btfmaps");
    let (code, text, err) = run(&["disasm", obj.to_str().unwrap(), "--section", "xdp"]);
    assert_eq!(code, 0, "{err}");
    let src = dir().join("prog_a.s");
    std::fs::write(&src, &text).unwrap();
    let mut args: Vec<String> = vec!["asm".into(), src.to_str().unwrap().into(), "--elf".into()];
    for line in text.lines() {
        if let Some(m) = line.strip_prefix("# --map ") {
            args.push("--map".into());
            args.push(m.split_whitespace().next().unwrap().into());
        }
    }
    let ours = dir().join("ours.o");
    args.extend(["-o".into(), ours.to_str().unwrap().into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    // The tag of clang's program, loaded by our runtime.
    let (code, out, err) = run(&["load", obj.to_str().unwrap(), "--section", "xdp"]);
    assert_eq!(code, 0, "{out}{err}");
    let tag = out
        .split("tag ")
        .nth(1)
        .unwrap()
        .trim_end_matches([')', '\n'])
        .to_string();
    // bpftool (libbpf) loads our object: the same program.
    let pin = format!("/sys/fs/bpf/ebpf_dsl_elf_{}", std::process::id());
    let st = Command::new("bpftool")
        .args(["prog", "load", ours.to_str().unwrap(), &pin])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let show = Command::new("bpftool")
        .args(["prog", "show", "pinned", &pin])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&pin);
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(
        show.contains(&format!("tag {tag}")),
        "clang's tag {tag}, ours: {show}"
    );
    aya_loads(&ours, "prog_a", "stats");
    // libbpf itself (bpf_object__open_file + bpf_object__load, through Python's ctypes):
    // libbpf1 comes with iproute2; exit status 3 means it could not be found.
    let st = Command::new("python3")
        .args(["-c", LIBBPF_LOAD, ours.to_str().unwrap()])
        .output()
        .unwrap();
    if st.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "libbpf.so.1 is missing, and CI=true requires it"
        );
        eprintln!("skipped: libbpf.so.1 is not installed (iproute2 brings it)");
    } else {
        let out = String::from_utf8_lossy(&st.stdout);
        assert!(
            st.status.success() && out.contains("open ok\nload 0\n"),
            "{out}{}",
            String::from_utf8_lossy(&st.stderr)
        );
    }
    // ip (iproute2 with libbpf) attaches it, in a sandbox namespace.
    let ns = NetNs::new("elf").unwrap();
    ns.ip(&[
        "link", "add", "elf0", "type", "veth", "peer", "name", "elf1",
    ])
    .unwrap();
    ns.ip(&[
        "link",
        "set",
        "dev",
        "elf0",
        "xdp",
        "obj",
        ours.to_str().unwrap(),
        "sec",
        "xdp",
    ])
    .unwrap();
    let link = ns.ip(&["link", "show", "elf0"]).unwrap();
    assert!(link.contains(&format!("tag {tag}")), "{link}");
    // xdp-loader (libxdp) attaches it too, to the other end. xdp-tools is in CI's apt list:
    // under CI=true its absence fails; elsewhere it is a printed skip.
    let xdp_loader = Command::new("xdp-loader")
        .arg("status")
        .output()
        .is_ok_and(|o| o.status.success());
    if !xdp_loader {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "xdp-loader (apt package xdp-tools) must be installed under CI=true"
        );
        eprintln!("skipped: xdp-loader (xdp-tools) is not installed");
    } else {
        let out = ns
            .command("xdp-loader")
            .args(["load", "-m", "skb", "elf1", ours.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let status = ns.command("xdp-loader").arg("status").output().unwrap();
        let status = String::from_utf8_lossy(&status.stdout);
        assert!(
            status
                .lines()
                .any(|l| l.starts_with("elf1") && l.contains(&tag)),
            "{status}"
        );
    }
}

/// `struct flow { u64 packets; u64 bytes; u16 port; }`, as `#[derive(Btf)]` would describe it.
fn flow_btf(b: &mut ebpf_dsl::btf::Btf) -> Option<u32> {
    use ebpf_dsl::btf::{BtfType, Kind, Member, Type};
    let u64_ty = <u64 as BtfType>::btf_type(b);
    let u16_ty = <u16 as BtfType>::btf_type(b);
    let member = |name: &str, ty, bit_offset| Member {
        name: name.into(),
        ty,
        bit_offset,
        bitfield_size: 0,
    };
    Some(b.add(Type::new(
        "flow",
        Kind::Struct {
            size: 24,
            members: vec![
                member("packets", u64_ty, 0),
                member("bytes", u64_ty, 64),
                member("port", u16_ty, 128),
            ],
        },
    )))
}

fn u32_btf(b: &mut ebpf_dsl::btf::Btf) -> Option<u32> {
    Some(<u32 as ebpf_dsl::btf::BtfType>::btf_type(b))
}

/// An object we write from a text program (with a subprogram) and a map with key/value BTF:
/// bpftool's dump of its `.BTF` names the value's fields and the program's functions, `bpftool
/// prog load` loads it (BTF, func_info, line_info), and the kernel's line info is our text's.
fn our_object_carries_btf_and_lines() {
    if !have("bpftool") {
        return;
    }
    let src = "r6 = r1\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = flows ll\ncall 1\ncall sub\nexit\nsub:\n  r0 = 2\n  exit\n";
    let a = ebpf_dsl::asm::assemble(src).unwrap();
    let lines = ebpf_dsl::asm::text_lines(&a, src, "dir/typed.s");
    let flows = ebpf_dsl::MapSpec {
        name: "flows".into(),
        map_type: ebpf_dsl::MapType::Hash,
        key_size: 4,
        value_size: 24,
        max_entries: 8,
        flags: 0,
        btf: Some(ebpf_dsl::btf::MapBtf {
            key: u32_btf,
            value: flow_btf,
        }),
        inner: None,
    };
    let mut spec = a.into_program_spec(
        "typed",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        vec![flows.clone()],
    );
    spec.lines = lines.into();
    let obj = ebpf_dsl::elf::Object::from_programs(&[spec]).unwrap();
    let bytes = ebpf_dsl::elf::write_object(&obj).unwrap();
    let out = dir().join("typed.o");
    std::fs::write(&out, &bytes).unwrap();
    // Our reader resolves the map definition to the same map, with its key/value types.
    let back = ebpf_dsl::elf::read_object(&bytes).unwrap();
    assert_eq!(back.maps[0].value_size, 24);
    let ob = ebpf_dsl::elf::object_btf(&bytes).unwrap().unwrap();
    let value = ob.btf.get(ob.maps[0].value).unwrap();
    assert_eq!(value.name, "flow", "{}", ob.btf.dump());

    let dump = Command::new("bpftool")
        .args(["btf", "dump", "file", out.to_str().unwrap()])
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    for want in [
        "STRUCT 'flow' size=24 vlen=3",
        "'packets' type_id=",
        "'bytes' type_id=",
        "'port' type_id=",
        "FUNC 'typed' type_id=",
        "FUNC 'typed_9' type_id=",
        "DATASEC '.maps'",
    ] {
        assert!(dump.contains(want), "`{want}` not in:\n{dump}");
    }
    let pin = format!("/sys/fs/bpf/ebpf_dsl_typed_{}", std::process::id());
    let st = Command::new("bpftool")
        .args(["prog", "load", out.to_str().unwrap(), &pin])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let xlated = Command::new("bpftool")
        .args(["prog", "dump", "xlated", "pinned", &pin, "linum"])
        .output()
        .unwrap();
    let show = Command::new("bpftool")
        .args(["prog", "show", "pinned", &pin])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&pin);
    aya_loads(&out, "typed", "flows");
    let xlated = String::from_utf8_lossy(&xlated.stdout);
    let show = String::from_utf8_lossy(&show.stdout);
    assert!(show.contains("btf_id"), "{show}");
    for (text, line) in [("r6 = r1", 1), ("call sub", 7), ("r0 = 2", 10)] {
        let at = format!("typed.s line_num:{line} ");
        assert!(
            xlated
                .lines()
                .any(|l| l.starts_with(&format!("; {text} [file:")) && l.contains(&at)),
            "`{text}` at {at} not in:\n{xlated}"
        );
    }
}

/// aya's `EbpfLoader` (pure Rust, its own ELF and BTF reader) loads `path`, an object we wrote:
/// its maps are created and its XDP program `function` passes the kernel's verifier.
fn aya_loads(path: &Path, function: &str, map: &str) {
    let bytes = std::fs::read(path).unwrap();
    let mut ebpf = aya::EbpfLoader::new()
        .load(&bytes)
        .unwrap_or_else(|e| panic!("aya: {e:?}"));
    assert!(ebpf.map(map).is_some(), "aya has no map `{map}`");
    let prog: &mut aya::programs::Xdp = ebpf
        .program_mut(function)
        .unwrap_or_else(|| panic!("aya has no program `{function}`"))
        .try_into()
        .unwrap();
    prog.load().unwrap_or_else(|e| panic!("aya: {e:?}"));
}

/// `Loader::object` loads clang's object with initialised globals: the program's result is
/// `.rodata` + `.data` + `.bss` as the object initialised them (40 + 2 + 1 on the first run),
/// `.rodata` is frozen, the `xdp.frags` program is loaded with `BPF_F_XDP_HAS_FRAGS`, and the
/// map is created with the object's BTF for its key and value.
fn loader_loads_objects_with_global_data() {
    if !have("clang-19") || !have("bpftool") {
        return;
    }
    let bytes = std::fs::read(compile("globals")).unwrap();
    let obj = ebpf_dsl::elf::read_object(&bytes).unwrap();
    assert_eq!(obj.programs[0].section, "xdp.frags");
    assert_eq!(
        xsk_runtime::bpf::object::object_load_options("xdp.frags").prog_flags,
        xsk_runtime::program::BPF_F_XDP_HAS_FRAGS
    );
    let loaded = xsk_runtime::Loader::new()
        .object_bytes(&bytes)
        .unwrap()
        .load()
        .unwrap();
    let p = loaded.program("sum").unwrap();
    let packet = [0u8; 64];
    assert_eq!(p.test_run(&packet, 1).unwrap().retval, 43);
    assert_eq!(p.test_run(&packet, 1).unwrap().retval, 44);
    // The data maps hold the object's contents, the program's writes, and `.rodata` is frozen.
    let data = loaded.map_ref(".data").unwrap();
    let v = data.lookup(&0u32.to_ne_bytes()).unwrap().unwrap();
    assert_eq!(v[..4], 2u32.to_ne_bytes());
    let rodata = loaded.map_ref(".rodata").unwrap();
    let v = rodata.lookup(&0u32.to_ne_bytes()).unwrap().unwrap();
    assert_eq!(v[..4], 40u32.to_ne_bytes());
    let e = rodata
        .update(&0u32.to_ne_bytes(), &7u32.to_ne_bytes(), Default::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("EPERM") || e.to_string().contains("ermi"),
        "{e}"
    );
    // The BTF-defined map has the object's key/value types: bpftool prints its fields.
    let counters = loaded.map_ref("counters").unwrap();
    let mut value = 5u64.to_ne_bytes().to_vec();
    value.extend_from_slice(&1500u64.to_ne_bytes());
    counters
        .update(&1u32.to_ne_bytes(), &value, Default::default())
        .unwrap();
    let dump = Command::new("bpftool")
        .args(["map", "dump", "id", &counters.id().to_string()])
        .output()
        .unwrap();
    let dump: String = String::from_utf8_lossy(&dump.stdout)
        .split_whitespace()
        .collect();
    assert!(dump.contains("\"packets\":5,\"bytes\":1500"), "{dump}");
    // Our own object of it (global data sections included) loads the same way.
    let ours = ebpf_dsl::elf::write_object(&obj).unwrap();
    let loaded = xsk_runtime::Loader::new()
        .object_bytes(&ours)
        .unwrap()
        .load()
        .unwrap();
    let p = loaded.program("sum").unwrap();
    assert_eq!(p.test_run(&packet, 1).unwrap().retval, 43);
    // A malformed object is an error, not a panic.
    assert!(xsk_runtime::Loader::new()
        .object_bytes(b"not an object")
        .is_err());
}

/// `ebpf-dsl load`/`run` of clang's object go through `Loader::object_bytes`: global data
/// starts with the object's contents (`.rodata` 40 + `.data` 2 + `.bss` hits 1 = 43; zeroed
/// data would give 1), no "created zeroed" note, and `.rodata` is frozen (the kernel then
/// treats `base` as a known constant).
fn cli_runs_objects_with_global_data() {
    if !have("clang-19") {
        return;
    }
    let obj = compile("globals");
    let obj = obj.to_str().unwrap();
    let (code, out, err) = run(&["load", obj, "--section", "xdp.frags"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifier: accepted `sum`"), "{out}");
    assert!(!err.contains("zeroed"), "{err}");
    let packet = "00".repeat(64);
    let (code, out, err) = run(&[
        "run",
        obj,
        "--section",
        "xdp.frags",
        "--type",
        "xdp",
        "--packet",
        &packet,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("retval: 43 (0x2b)"), "{out}{err}");
    assert!(!err.contains("zeroed"), "{err}");
}

/// clang's `.BTF.ext` line_info becomes the program's lines: loaded through our loader, the
/// kernel's verifier log and `bpftool prog dump xlated ... linum` show the C source (the
/// subprogram `bump`, from `.text`, included).
fn clang_source_lines_reach_the_kernel() {
    if !have("clang-19") || !have("bpftool") {
        return;
    }
    let obj = compile("btfmaps");
    let (code, out, err) = run(&[
        "load",
        obj.to_str().unwrap(),
        "--section",
        "xdp",
        "--verbose",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("; seen += 1; zeros += 2; @ btfmaps.c:"),
        "{out}"
    );
    assert!(
        out.contains("; __u64 *v = bpf_map_lookup_elem(&stats, &k); @ btfmaps.c:"),
        "{out}"
    );
    let bytes = std::fs::read(&obj).unwrap();
    let parsed = ebpf_dsl::elf::read_object(&bytes).unwrap();
    let spec = &parsed.programs_in(Some("xdp")).next().unwrap().spec;
    assert_eq!(spec.lines[0].insn, 0);
    assert!(spec.lines.iter().all(|l| l.file.ends_with("btfmaps.c")));
    let loaded = xsk_runtime::Loader::new()
        .object_bytes(&bytes)
        .unwrap()
        .load()
        .unwrap();
    let id = loaded.program("prog_a").unwrap().id().to_string();
    let dump = Command::new("bpftool")
        .args(["prog", "dump", "xlated", "id", &id, "linum"])
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("seen += 1; zeros += 2;"), "{dump}");
    assert!(dump.contains("btfmaps.c"), "{dump}");
}

/// A text program whose maps are `.map` directives loads with no `--map` flag, and so does
/// the object `asm --elf` makes of it (the kernel gets the declared flags: a `no_prealloc`
/// hash).
fn map_directives_load_without_flags() {
    let src = dir().join("declared.s");
    std::fs::write(
        &src,
        ".map stats hash key=4 value=8 max_entries=16 flags=no_prealloc\n\
         r1 = 0\n*(u32 *)(r10 - 4) = r1\nr2 = r10\nr2 += -4\nr1 = stats ll\n\
         call bpf_map_lookup_elem\nr0 = XDP_PASS\nexit\n",
    )
    .unwrap();
    let (code, out, err) = run(&["load", src.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifier: accepted"), "{out}");
    let obj = dir().join("declared.o");
    support::asm_elf(&src, &obj);
    let (code, out, err) = run(&[
        "run",
        obj.to_str().unwrap(),
        "--type",
        "xdp",
        "--packet",
        &"00".repeat(64),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("action: XDP_PASS"), "{out}");
    let loaded = xsk_runtime::Loader::new()
        .object_bytes(&std::fs::read(&obj).unwrap())
        .unwrap()
        .load()
        .unwrap();
    let stats = loaded.map_ref("stats").unwrap();
    if have("bpftool") {
        let info = Command::new("bpftool")
            .args(["map", "show", "id", &stats.id().to_string()])
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(info.contains("flags 0x1"), "{info}");
    }
}

kernel_tests! {
    privileged: [
        clang_objects_load,
        legacy_section_loads_with_type,
        legacy_maps_with_core_load,
        devmap_programs_read_egress_ifindex,
        our_objects_load_in_bpftool_and_ip,
        our_object_carries_btf_and_lines,
        loader_loads_objects_with_global_data,
        cli_runs_objects_with_global_data,
        clang_source_lines_reach_the_kernel,
        map_directives_load_without_flags,
    ],
}
