//! The `ebpf-dsl` tool on hostile input (issue 10): a closed stdout, floods of errors,
//! oversized programs, odd arguments. Clear errors and exit statuses, never a panic; no root
//! needed (the kernel subcommands are covered where their arguments fail before loading).

use std::process::{Output, Stdio};

mod support;
use support::{bin, output as tool, stderr, TempDir};

/// Runs the tool with stdout a pipe whose reading end is already closed.
fn with_closed_stdout(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    bin()
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run ebpf-dsl")
}

#[test]
fn a_closed_stdout_is_a_quiet_exit_2_for_every_command() {
    let dir = TempDir::new("pipe");
    let ok = dir.write("ok.s", "r0 = 2\nexit\n");
    let bin = dir.path("ok.bin");
    let bin = bin.to_str().unwrap();
    assert!(tool(&["asm", &ok, "-o", bin]).status.success());
    for args in [
        vec!["help"],
        vec!["check", ok.as_str()],
        vec!["asm", ok.as_str(), "-o", "-"],
        vec!["disasm", bin],
    ] {
        let out = with_closed_stdout(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn a_flood_of_errors_is_capped_and_counted() {
    let dir = TempDir::new("flood");
    let src: String = (0..20_000).map(|i| format!("foo r{}\n", i % 10)).collect();
    let f = dir.write("flood.s", &src);
    let out = tool(&["check", &f]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(
        err.matches(": error: unknown instruction `foo`").count(),
        100
    );
    assert!(
        err.contains("flood.s: ... and 19900 more errors (not shown)"),
        "{}",
        &err[err.len().saturating_sub(300)..]
    );
    assert!(err.trim_end().ends_with("flood.s: 20000 errors"));
    // The last shown diagnostic is line 100's, found without scanning from the start.
    assert!(err.contains("flood.s:100:1: error: unknown instruction `foo`"));
}

#[test]
fn one_instruction_limit_for_asm_unchecked_and_check() {
    let dir = TempDir::new("limit");
    let src = "r0 = 0\n".repeat(1_000_001) + "exit\n";
    let f = dir.write("big.s", &src);
    let out_path = dir.path("big.bin");
    let mut messages = Vec::new();
    for args in [
        vec!["check", f.as_str()],
        vec!["asm", f.as_str(), "-o", out_path.to_str().unwrap()],
        vec![
            "asm",
            f.as_str(),
            "--unchecked",
            "-o",
            out_path.to_str().unwrap(),
        ],
    ] {
        let out = tool(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        let line = stderr(&out).lines().next().unwrap_or("").to_string();
        assert!(
            line.ends_with(
                "error: the program has 1000002 instructions; the kernel's limit is 1000000 (4096 without CAP_BPF)"
            ),
            "{args:?}: {line}"
        );
        messages.push(line);
    }
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
    assert!(!out_path.exists(), "no output for a refused program");
}

#[test]
fn odd_arguments_are_usage_errors() {
    let dir = TempDir::new("args");
    let ok = dir.write("ok.s", "r0 = 2\nexit\n");
    for (args, want) in [
        (
            vec!["run", ok.as_str(), "--type", "xdp", "--packet", "aé0"],
            "`é` is not a hex digit",
        ),
        (
            vec![
                "check",
                ok.as_str(),
                "--map",
                "m:array:4:4",
                "--map",
                "m:hash:4:4",
            ],
            "`m` is given twice",
        ),
        (
            vec![
                "run",
                ok.as_str(),
                "--type",
                "xdp",
                "--packet",
                "00",
                "--repeat",
                "999999999",
            ],
            "is above 100000000",
        ),
    ] {
        let out = tool(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(want), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
    // Not UTF-8: an error, not a panic in std::env::args.
    use std::os::unix::ffi::OsStrExt;
    let out = bin()
        .arg("check")
        .arg(std::ffi::OsStr::from_bytes(b"\xff\xfe.s"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
}

#[test]
fn a_long_map_name_is_truncated_with_a_warning() {
    let dir = TempDir::new("mapname");
    let src = dir.write("m.s", "r1 = counters_by_protocol ll\nr0 = 2\nexit\n");
    let out = tool(&["check", &src, "--map", "counters_by_protocol:array:4:8:4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "warning: map name `counters_by_protocol` is longer than 15 characters; the kernel keeps `counters_by_pro`"
        ),
        "{}",
        stderr(&out)
    );
}
