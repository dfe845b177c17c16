//! The set-up every CLI test file shares: running the `ebpf-dsl` binary, scratch directories,
//! checking for an outside tool, and compiling the C programs of `ebpf-dsl/tests/elf/` with
//! clang-19. Each test file is its own crate and takes what it needs (`mod support;`), so an
//! item unused by one file is not dead code.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `ebpf-dsl` binary Cargo built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ebpf-dsl"))
}

/// Runs `ebpf-dsl ARGS` with an empty standard input.
pub fn output(args: &[&str]) -> Output {
    bin()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ebpf-dsl")
}

/// Runs `ebpf-dsl ARGS` with `stdin` as its standard input.
pub fn output_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ebpf-dsl");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("wait for ebpf-dsl")
}

/// Exit code (-1 when killed by a signal), standard output and standard error of a finished
/// command.
pub fn parts(out: &Output) -> (i32, String, String) {
    (out.status.code().unwrap_or(-1), stdout(out), stderr(out))
}

/// Runs `ebpf-dsl ARGS` (empty standard input); exit code, standard output, standard error.
pub fn run(args: &[&str]) -> (i32, String, String) {
    parts(&output(args))
}

/// Runs `cmd` (any program); exit code, standard output, standard error.
pub fn run_command(cmd: &mut Command) -> (i32, String, String) {
    parts(&cmd.output().expect("run command"))
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ebpf-dsl asm SRC --elf -o OUT`, which must succeed (its error shown if not).
pub fn asm_elf(src: &Path, out: &Path) {
    let (code, _, err) = run(&["asm", s(src), "--elf", "-o", s(out)]);
    assert_eq!(code, 0, "asm --elf {}: {err}", src.display());
}

/// A path as `&str` (the temporary directories are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `target/tmp/ebpf-dsl-cli-TAG-PID` (Cargo's scratch directory for integration tests, so
/// nothing is left in the system's `/tmp`), created; shared by the tests of one test binary.
pub fn scratch_dir(tag: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("ebpf-dsl-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// Writes `text` to `NAME` in [`scratch_dir`]`(tag)` and returns its path.
pub fn write_file(tag: &str, name: &str, text: &str) -> PathBuf {
    let p = scratch_dir(tag).join(name);
    std::fs::write(&p, text).expect("write file");
    p
}

/// A fresh directory for one test, removed with everything in it on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    /// [`scratch_dir`]`(tag)`, created.
    pub fn new(tag: &str) -> TempDir {
        TempDir(scratch_dir(tag))
    }

    /// `NAME` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `text` to `NAME` inside the directory and returns its path as text.
    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        s(&p).to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether the outside tool runs (`TOOL --version`; `xdp-loader status`, as xdp-loader has no
/// `--version`). When it does not: panics under `CI=true` (CI installs every tool the tests
/// use), else prints why the part that needs it is skipped.
pub fn have(tool: &str) -> bool {
    let probe = if tool == "xdp-loader" {
        "status"
    } else {
        "--version"
    };
    let ok = Command::new(tool)
        .arg(probe)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is missing, and CI=true requires it"
        );
        eprintln!("skipped: {tool} is not installed (CI installs it)");
    }
    ok
}

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19 (`-O2 -g -target bpf`) into `dir/NAME.o`.
pub fn clang_object(name: &str, dir: &Path) -> PathBuf {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ebpf-dsl/tests/elf")
        .join(format!("{name}.c"));
    clang_compile(&src, &dir.join(format!("{name}.o")))
}

/// The C file `src` compiled by clang-19 (`-O2 -g -target bpf`) into the object `out`.
pub fn clang_compile(src: &Path, out: &Path) -> PathBuf {
    let st = Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(src)
        .arg("-o")
        .arg(out)
        .status()
        .expect("run clang-19");
    assert!(st.success(), "clang-19 failed on {}", src.display());
    out.to_path_buf()
}

/// [`clang_object`] when clang-19 is installed; `None` (with the reason printed, or a panic
/// under `CI=true`) when it is not.
pub fn clang_object_if_available(name: &str, dir: &Path) -> Option<PathBuf> {
    have("clang-19").then(|| clang_object(name, dir))
}
