//! The `ebpf-dsl` tool's `asm` and `check` subcommands, run as a user runs them.

use std::process::Output;

mod support;
use support::scratch_dir as temp_dir;

fn tool(args: &[&str], stdin: Option<&str>) -> Output {
    support::output_with_stdin(args, stdin.unwrap_or("").as_bytes())
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
    // A source named .bin is never overwritten by its own output.
    let odd = dir.join("odd.bin");
    std::fs::write(&odd, "r0 = 2; exit\n").unwrap();
    let out = tool(&["asm", odd.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name the output with -o"));
    assert_eq!(std::fs::read_to_string(&odd).unwrap(), "r0 = 2; exit\n");
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
    std::fs::write(
        &src,
        "r0 = r11\nr1 /= 0\ngoto nowhere\ncall bpf_redirect_mapp\n",
    )
    .unwrap();
    let path = src.to_str().unwrap();
    let out = tool(&["check", path], None);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        format!("{path}:1:6: error: no register `r11`"),
        format!("{path}:2:7: error: division by the constant 0"),
        format!("{path}:3:6: error: undefined label `nowhere`"),
        format!("{path}:4:6: error: `call bpf_redirect_mapp`: `bpf_redirect_mapp` is neither a kernel helper (see ebpf_dsl::helpers) nor a label in this program; did you mean `bpf_redirect_map`?"),
        format!("{path}: 4 errors"),
    ] {
        assert!(err.contains(&want), "missing {want:?} in:\n{err}");
    }
    std::fs::write(&src, "r0 = 2\nexit\n").unwrap();
    let out = tool(&["check", path], None);
    assert!(out.status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `load` passes a text's source lines, hence BTF function info, with which the kernel allows
/// `bpf_tail_call` in a subprogram (returning `int`): `check` judges it as that load is judged
/// (before, it refused it as for a load without BTF).
#[test]
fn check_judges_a_subprograms_tail_call_as_load_passes_it() {
    let dir = temp_dir("check-subprog-tail-call");
    let src = dir.join("sub.s");
    std::fs::write(
        &src,
        "call sub\nr0 = 0\nexit\nsub:\nr2 = pa ll\nr3 = 0\ncall bpf_tail_call\nr0 = 0\nexit\n",
    )
    .unwrap();
    let path = src.to_str().unwrap();
    let args = [
        "check",
        path,
        "--type",
        "sched_cls",
        "--map",
        "pa:prog_array:4:4:4",
    ];
    let out = tool(&args, None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same for a legacy packet load (LD_ABS / LD_IND) in a subprogram: refused without BTF
/// ("LD_ABS is not allowed in subprogs without BTF"), allowed with the function info `load`
/// passes. `check` accepts it, and the caller must treat the function's result as the number
/// it is (the load's hidden exit may return 0 to it on Linux 6.13+).
#[test]
fn check_judges_a_subprograms_legacy_packet_load_as_load_passes_it() {
    let dir = temp_dir("check-subprog-ld-abs");
    let src = dir.join("sub.s");
    std::fs::write(
        &src,
        "call sub\nexit\nsub:\nr6 = r1\nr0 = *(u8 *)skb[12]\nr0 &= 1\nexit\n",
    )
    .unwrap();
    let path = src.to_str().unwrap();
    let out = tool(&["check", path, "--type", "socket_filter"], None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
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

/// Malformed files: each subcommand exits with 1 (errors in the program) or 2 (not text, not
/// readable), says why, and never panics.
#[test]
fn malformed_files_never_panic() {
    let dir = temp_dir("malformed");
    // A deterministic byte soup (xorshift), so the test needs no crate.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let garbage: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let mut invalid_utf8 = b"r0 = 0\n".to_vec();
    invalid_utf8.extend_from_slice(&[0xff, 0xfe, b'\n']);
    invalid_utf8.extend_from_slice(b"exit\n");
    let deep = |open: &str, close: &str| {
        format!(
            "r0 = {}1{}\nexit\n",
            open.repeat(100_000),
            close.repeat(100_000)
        )
        .into_bytes()
    };
    // (file name, contents, exit status of `check`, a piece of its message)
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        ("garbage.s", garbage.clone(), 2, "is not UTF-8 text"),
        (
            "invalid-utf8.s",
            invalid_utf8,
            2,
            "is not UTF-8 text (byte 7)",
        ),
        ("empty.s", Vec::new(), 1, "the program has no instructions"),
        (
            "nul.s",
            b"r0 = 0\0\nexit\n".to_vec(),
            1,
            "nul.s:1:7: error: unexpected character U+0000",
        ),
        ("parens.s", deep("(", ")"), 1, "nested deeper than"),
        ("minus.s", deep("-", ""), 1, "nested deeper than"),
        (
            "huge-comment.s",
            format!("r0 = 0 # {}\nexit\n", "x".repeat(2_000_000)).into_bytes(),
            0,
            "",
        ),
        (
            "huge-name.s",
            format!("goto {}\nexit\n", "a".repeat(100_000)).into_bytes(),
            1,
            "undefined label",
        ),
        (
            "huge-number.s",
            format!("r0 = {}\nexit\n", "9".repeat(100_000)).into_bytes(),
            1,
            "does not fit in 64 bits",
        ),
        ("unclosed-comment.s", b"r0 = 0\n/* exit\n".to_vec(), 1, ""),
        (
            "many-errors.s",
            "r11 = 1\n".repeat(10_000).into_bytes(),
            1,
            "10000 errors",
        ),
    ];
    for (name, contents, status, want) in &cases {
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        let p = path.to_str().unwrap();
        let out_bin = dir.join(format!("{name}.bin"));
        for args in [
            vec!["check", p],
            vec!["asm", p, "-o", out_bin.to_str().unwrap()],
        ] {
            let out = tool(&args, None);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!err.contains("panicked"), "{args:?}: {err}");
            assert_eq!(out.status.code(), Some(*status), "{args:?}: {err}");
            assert!(err.contains(want), "{args:?}: missing {want:?} in {err}");
            if args[0] == "asm" {
                // A rejected program writes no output file.
                assert_eq!(out_bin.exists(), *status == 0, "{args:?}");
            }
        }
        // As raw bytes these files are no program (except by chance): disasm fails cleanly.
        let out = tool(&["disasm", p], None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "disasm {name}: {err}");
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "disasm {name}: {:?} {err}",
            out.status
        );
        if contents.is_empty() {
            // Issue 10: an empty input is an error that says so, not a silent success.
            assert_eq!(out.status.code(), Some(1), "disasm {name}: {err}");
            assert!(out.stdout.is_empty() && err.contains("is empty"), "{err}");
        } else if contents.len() % 8 != 0 {
            assert!(err.contains("not a multiple of 8"), "disasm {name}: {err}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
