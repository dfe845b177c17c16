//! The `ebpf-dsl` tool's `asm` and `check` subcommands, run as a user runs them.

use std::path::PathBuf;
use std::process::{Command, Output};

fn tool(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ebpf-dsl"));
    cmd.args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("start ebpf-dsl");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait for ebpf-dsl")
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ebpf-dsl-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

#[test]
fn asm_writes_raw_bytes_next_to_the_source() {
    let dir = temp_dir("asm");
    let src = dir.join("prog.s");
    std::fs::write(&src, "r0 = XDP_PASS\nexit\n").unwrap();
    let out = tool(&["asm", src.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(dir.join("prog.bin")).expect("prog.bin written");
    assert_eq!(
        bytes,
        [0xb7, 0, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0]
    );
    // -o, and stdin to stdout.
    let other = dir.join("other.o");
    let out = tool(
        &["asm", src.to_str().unwrap(), "-o", other.to_str().unwrap()],
        None,
    );
    assert!(out.status.success());
    assert_eq!(std::fs::read(&other).unwrap(), bytes);
    let out = tool(&["asm", "-"], Some("r0 = 2; exit"));
    assert!(out.status.success());
    assert_eq!(out.stdout, bytes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn asm_refuses_programs_with_errors_unless_unchecked() {
    let out = tool(&["asm", "-"], Some("r0 = 1\nr0 <<= 64\nexit\n"));
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("<stdin>:2:8: error: shift by 64"), "{err}");
    let out = tool(
        &["asm", "-", "--unchecked"],
        Some("r0 = 1\nr0 <<= 64\nexit\n"),
    );
    assert!(out.status.success());
    assert_eq!(out.stdout.len(), 24);
}

#[test]
fn check_reports_every_error_with_its_position() {
    let dir = temp_dir("check");
    let src = dir.join("bad.s");
    std::fs::write(&src, "r0 = r11\nr1 /= 0\ngoto nowhere\n").unwrap();
    let path = src.to_str().unwrap();
    let out = tool(&["check", path], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        format!("{path}:1:6: error: no register `r11`"),
        format!("{path}:2:7: error: division by the constant 0"),
        format!("{path}:3:6: error: undefined label `nowhere`"),
        format!("{path}: 3 errors"),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
    std::fs::write(&src, "r0 = 2\nexit\n").unwrap();
    let out = tool(&["check", path], None);
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        &[][..],
        &["frobnicate"][..],
        &["check"][..],
        &["asm", "-q", "x"][..],
    ] {
        let out = tool(args, None);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("usage: ebpf-dsl"));
    }
    let out = tool(&["check", "/nonexistent/file.s"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = tool(&["--help"], None);
    assert!(out.status.success());
}
