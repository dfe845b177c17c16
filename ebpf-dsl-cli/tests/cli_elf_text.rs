//! Issue 13's text-program and builder paths through the kernel: a text program's
//! initialised `.rodata` (`.map ... init=HEX`) read back by `BPF_PROG_TEST_RUN` (through the
//! `Loader`, `ebpf-dsl run`, and the object `asm --elf` writes, loaded by our loader and by
//! `bpftool prog load` + `bpftool prog run`), `.rodata` frozen; a builder-API program whose
//! verifier log names this file's lines; and the XDP metadata kfuncs called by name in
//! objects, which libbpf loads device-bound (Python ctypes, in a sandbox namespace) with the
//! same program tag as clang's object and as our loader's. Without clang-19, bpftool or libbpf
//! the parts that need them print why and pass, unless `CI=true`.

use std::path::PathBuf;
use std::process::Command;

use xsk_runtime::program::LoadOptions;
use xsk_runtime::Loader;
use xsk_testkit::harness::unsupported_here;
use xsk_testkit::kernel_tests;
use xsk_testkit::netns::NetNs;

mod support;
use support::{have, run};

fn dir() -> PathBuf {
    support::scratch_dir("text")
}

/// A program returning the second `u32` of its initialised `.rodata` (42), plus the first (7).
const RODATA: &str = "\
.map .rodata array key=4 value=8 flags=rdonly_prog init=070000002a
r1 = map_value(.rodata, 4) ll
r0 = *(u32 *)(r1 + 0)
r1 = map_value(.rodata, 0) ll
r1 = *(u32 *)(r1 + 0)
r0 += r1
exit
";

fn rodata_text_program_returns_its_constant() {
    let a = ebpf_dsl::asm::assemble(RODATA).unwrap();
    assert_eq!(a.data.len(), 1);
    let data = a.data.clone();
    let spec = a.into_program_spec("rodata", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let loaded = Loader::new().data(data).program(spec).load().unwrap();
    let packet = [0u8; 64];
    let p = loaded.program("rodata").unwrap();
    assert_eq!(p.test_run(&packet, 1).unwrap().retval, 49);
    // `.rodata` holds the declared bytes and is frozen.
    let ro = loaded.map_ref(".rodata").unwrap();
    let v = ro.lookup(&0u32.to_ne_bytes()).unwrap().unwrap();
    assert_eq!(v, [7, 0, 0, 0, 42, 0, 0, 0]);
    let e = ro
        .update(&0u32.to_ne_bytes(), &[0; 8], Default::default())
        .unwrap_err();
    assert!(
        e.to_string().contains("EPERM") || e.to_string().contains("ermi"),
        "{e}"
    );

    // The CLI: `run` of the text, and of the object `asm --elf` writes of it.
    let src = dir().join("rodata.s");
    std::fs::write(&src, RODATA).unwrap();
    let packet_hex = "00".repeat(64);
    let obj = dir().join("rodata.o");
    support::asm_elf(&src, &obj);
    for f in [&src, &obj] {
        let (code, out, err) = run(&[
            "run",
            f.to_str().unwrap(),
            "--type",
            "xdp",
            "--packet",
            &packet_hex,
        ]);
        assert_eq!(code, 0, "{}: {out}{err}", f.display());
        assert!(out.contains("retval: 49 (0x31)"), "{}: {out}", f.display());
    }
    // disasm of the object gives the declaration back, init included.
    let (code, text, err) = run(&["disasm", obj.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains(
            ".map .rodata array key=4 value=8 max_entries=1 flags=rdonly_prog init=070000002a\n"
        ),
        "{text}"
    );
    // bpftool (libbpf) loads the object and runs it on a packet: the same answer.
    if have("bpftool") {
        let pin = format!("/sys/fs/bpf/ebpf_dsl_rodata_{}", std::process::id());
        let st = Command::new("bpftool")
            .args(["prog", "load", obj.to_str().unwrap(), &pin])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let input = dir().join("packet.bin");
        std::fs::write(&input, packet).unwrap();
        let out = Command::new("bpftool")
            .args(["prog", "run", "pinned", &pin, "data_in"])
            .arg(&input)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&pin);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("Return value: 49"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn builder_program_lines_reach_the_verifier_log() {
    use ebpf_dsl::dsl::{exit, mov, Program};
    let mut p = Program::xdp("lines");
    let line = line!() + 1;
    p.push(mov(ebpf_dsl::Reg::R0, 2));
    p.push(exit());
    let spec = p.build().unwrap();
    let opts = LoadOptions {
        always_log: true,
        verbose: true,
        ..LoadOptions::default()
    };
    let loaded = Loader::new().program_with(spec, opts).load().unwrap();
    let log = loaded
        .program("lines")
        .unwrap()
        .verifier_log()
        .unwrap()
        .to_string();
    assert!(
        log.contains(&format!("; r0 = 0x2 @ cli_elf_text.rs:{line}")),
        "{log}"
    );
}

/// Python ctypes over libbpf: opens `sys.argv[1]`, makes its first program device-bound to
/// interface `sys.argv[2]` (`BPF_F_XDP_DEV_BOUND_ONLY`, `prog_ifindex`), loads it and prints
/// `load 0` and `tag HEX`.
const LIBBPF_DEV_BOUND: &str = r#"
import ctypes, socket, sys
try:
    l = ctypes.CDLL("libbpf.so.1")
except OSError:
    sys.exit(3)
l.bpf_object__open_file.restype = ctypes.c_void_p
l.bpf_object__open_file.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
l.libbpf_get_error.argtypes = [ctypes.c_void_p]
l.bpf_object__next_program.restype = ctypes.c_void_p
l.bpf_object__next_program.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
l.bpf_program__set_flags.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
l.bpf_program__set_ifindex.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
l.bpf_program__fd.argtypes = [ctypes.c_void_p]
l.bpf_object__load.argtypes = [ctypes.c_void_p]
o = l.bpf_object__open_file(sys.argv[1].encode(), None)
if not o or l.libbpf_get_error(o) != 0:
    print("open failed")
    sys.exit(1)
p = l.bpf_object__next_program(o, None)
l.bpf_program__set_flags(p, 1 << 6)
l.bpf_program__set_ifindex(p, socket.if_nametoindex(sys.argv[2]))
print("load", l.bpf_object__load(o))
fd = l.bpf_program__fd(p)
info = open("/proc/self/fdinfo/%d" % fd).read()
print("tag", info.split("prog_tag:")[1].split()[0])
"#;

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19, listed by `disasm` (the listing must
/// contain `want`) and assembled back by `asm --elf`: (clang's object, ours).
fn clang_and_ours(name: &str, want: &str) -> (PathBuf, PathBuf) {
    let clang = support::clang_object(name, &dir());
    let (code, text, err) = run(&["disasm", clang.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains(want), "{text}");
    let text_file = dir().join(format!("{name}.s"));
    std::fs::write(&text_file, &text).unwrap();
    let ours = dir().join(format!("{name}-ours.o"));
    support::asm_elf(&text_file, &ours);
    (clang, ours)
}

/// The program tag libbpf loads each object to (`script` prints `load 0` and `tag HEX`; `cmd`
/// builds the command that runs Python on one object), or `None` (printed; a panic under
/// CI=true) without libbpf.so.1.
fn libbpf_tags(objects: &[&PathBuf], cmd: impl Fn(&PathBuf) -> Command) -> Option<Vec<String>> {
    let mut tags = Vec::new();
    for o in objects {
        let out = cmd(o).output().unwrap();
        if out.status.code() == Some(3) {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "libbpf.so.1 is missing, and CI=true requires it"
            );
            eprintln!("skipped: libbpf.so.1 is not installed (iproute2 brings it)");
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("load 0\n"),
            "{}: {text}{}",
            o.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        tags.push(text.split("tag ").nth(1).unwrap().trim().to_string());
    }
    Some(tags)
}

fn kfunc_objects_load_device_bound_in_libbpf() {
    if !have("clang-19") {
        return;
    }
    let (clang, ours) = clang_and_ours("kfunc", "call bpf_xdp_metadata_rx_hash");
    let ns = NetNs::new("kfn").unwrap();
    ns.ip(&[
        "link", "add", "kfn0", "type", "veth", "peer", "name", "kfn1",
    ])
    .unwrap();
    ns.ip(&["link", "set", "kfn0", "up"]).unwrap();
    let Some(tags) = libbpf_tags(&[&clang, &ours], |o| {
        let mut c = ns.command("python3");
        c.args(["-c", LIBBPF_DEV_BOUND, o.to_str().unwrap(), "kfn0"]);
        c
    }) else {
        return;
    };
    assert_eq!(
        tags[0], tags[1],
        "clang's object and ours: the same program"
    );
    // Our loader, device-bound to the same interface: the same program again.
    let ifindex = ns.ifindex("kfn0").unwrap();
    let bytes = std::fs::read(&ours).unwrap();
    let tag = ns
        .run(|| {
            let l = Loader::new()
                .object_bytes_with(&bytes, |_| true, LoadOptions::device_bound(ifindex))
                .unwrap()
                .load()
                .unwrap();
            let names: Vec<String> = l.program_names().map(String::from).collect();
            assert_eq!(names.len(), 1, "{names:?}");
            l.program(&names[0]).unwrap().tag()
        })
        .unwrap();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, tags[0]);
}

/// Python ctypes over libbpf: opens `sys.argv[1]`, loads it and prints `load 0` and the tag
/// of its first program.
const LIBBPF_LOAD: &str = r#"
import ctypes, sys
try:
    l = ctypes.CDLL("libbpf.so.1")
except OSError:
    sys.exit(3)
l.bpf_object__open_file.restype = ctypes.c_void_p
l.bpf_object__open_file.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
l.libbpf_get_error.argtypes = [ctypes.c_void_p]
l.bpf_object__next_program.restype = ctypes.c_void_p
l.bpf_object__next_program.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
l.bpf_program__fd.argtypes = [ctypes.c_void_p]
l.bpf_object__load.argtypes = [ctypes.c_void_p]
o = l.bpf_object__open_file(sys.argv[1].encode(), None)
if not o or l.libbpf_get_error(o) != 0:
    print("open failed")
    sys.exit(1)
p = l.bpf_object__next_program(o, None)
print("load", l.bpf_object__load(o))
fd = l.bpf_program__fd(p)
info = open("/proc/self/fdinfo/%d" % fd).read()
print("tag", info.split("prog_tag:")[1].split()[0])
"#;

/// clang's object calling the conntrack kfuncs (`bpf_xdp_ct_lookup`, reading the result's
/// `status`, `bpf_ct_release`), its text through `disasm`, and ours from that text through
/// `asm --elf`: libbpf loads both (resolving the kfuncs in the kernel's BTF) to the same
/// program, and so does our loader.
fn conntrack_kfunc_objects_load_in_libbpf() {
    if !have("clang-19") {
        return;
    }
    match xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids() {
        Ok(ids) if ids.contains_key("bpf_xdp_ct_lookup") => {}
        other => {
            return unsupported_here(format!(
                "the running kernel has no conntrack kfuncs ({other:?})"
            ));
        }
    }
    let (clang, ours) = clang_and_ours("kfunc_ct", "call bpf_xdp_ct_lookup");
    let Some(tags) = libbpf_tags(&[&clang, &ours], |o| {
        let mut c = Command::new("python3");
        c.args(["-c", LIBBPF_LOAD, o.to_str().unwrap()]);
        c
    }) else {
        return;
    };
    assert_eq!(
        tags[0], tags[1],
        "clang's object and ours: the same program"
    );
    let bytes = std::fs::read(&ours).unwrap();
    let l = Loader::new()
        .object_bytes_with(&bytes, |_| true, LoadOptions::default())
        .unwrap()
        .load()
        .unwrap();
    let names: Vec<String> = l.program_names().map(String::from).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let tag = l.program(&names[0]).unwrap().tag();
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, tags[0]);
}

kernel_tests! {
    privileged: [
        rodata_text_program_returns_its_constant,
        builder_program_lines_reach_the_verifier_log,
        kfunc_objects_load_device_bound_in_libbpf,
        conntrack_kfunc_objects_load_in_libbpf,
    ],
}
