//! The porting path of `examples/porting/README.md`, command by command: clang-19 compiles
//! `examples/porting/port_filter.c`; `ebpf-dsl disasm port_filter.o > prog.s`; the text is
//! edited (the blocked UDP port 9 becomes 7); `ebpf-dsl check prog.s`; `ebpf-dsl load prog.s`
//! (root); and the edit shows on packets (`ebpf-dsl run`: port 7 dropped, port 9 passed, where
//! clang's object drops port 9). No `--map` flag anywhere: the map comes from the `.map` line
//! `disasm` prints. Without clang-19 the tests print why and pass, unless `CI=true`.

use std::path::{Path, PathBuf};

use xsk_testkit::kernel_tests;

mod support;
use support::run as ebpf_dsl;

fn dir(tag: &str) -> PathBuf {
    support::scratch_dir(&format!("porting-{tag}"))
}

/// Steps 1-3 of the README: `clang-19 ... -o port_filter.o`, `ebpf-dsl disasm port_filter.o >
/// prog.s`, the edit. Returns (port_filter.o, prog.s), or `None` (printed) without clang-19
/// unless CI=true.
fn compile_disasm_edit(tag: &str) -> Option<(PathBuf, PathBuf)> {
    let d = dir(tag);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/porting/port_filter.c");
    if !support::have("clang-19") {
        return None;
    }
    let obj = support::clang_compile(&src, &d.join("port_filter.o"));
    let (code, text, err) = ebpf_dsl(&["disasm", obj.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains(".map ports hash key=4 value=8 max_entries=256\n"),
        "{text}"
    );
    // The edit: the one comparison with the blocked port.
    let blocked: Vec<&str> = text.lines().filter(|l| l.contains("== 0x9 goto")).collect();
    assert_eq!(blocked.len(), 1, "{text}");
    let edited = text.replace("== 0x9 goto", "== 0x7 goto");
    let prog = d.join("prog.s");
    std::fs::write(&prog, edited).unwrap();
    Some((obj, prog))
}

/// An Ethernet + IPv4 + UDP packet to `port`, in hex.
fn udp_packet(port: u16) -> String {
    format!(
        "0200000000020200000000010800\
         4500001c00000000401100000a0000010a000002\
         04d2{port:04x}00080000"
    )
}

/// `ebpf-dsl check prog.s`: no root, no `--map`.
fn ported_program_checks() {
    let Some((_, prog)) = compile_disasm_edit("check") else {
        return;
    };
    let (code, out, err) = ebpf_dsl(&["check", prog.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!err.contains("skipped"), "the static verifier ran: {err}");
}

/// `ebpf-dsl load prog.s`, then `run` on packets: the edit took effect.
fn ported_program_loads_and_runs() {
    let Some((obj, prog)) = compile_disasm_edit("load") else {
        return;
    };
    let prog = prog.to_str().unwrap();
    let (code, out, err) = ebpf_dsl(&["load", prog]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifier: accepted `prog` (xdp"), "{out}");
    for (file, port, action) in [
        (obj.to_str().unwrap(), 9, "XDP_DROP"),
        (obj.to_str().unwrap(), 7, "XDP_PASS"),
        (prog, 9, "XDP_PASS"),
        (prog, 7, "XDP_DROP"),
    ] {
        let packet = udp_packet(port);
        let (code, out, err) = ebpf_dsl(&["run", file, "--type", "xdp", "--packet", &packet]);
        assert_eq!(code, 0, "{file}: {out}{err}");
        assert!(
            out.contains(&format!("action: {action}")),
            "{file}, port {port}: {out}"
        );
    }
}

kernel_tests! {
    privileged: [ported_program_loads_and_runs],
    plain: [ported_program_checks],
}
