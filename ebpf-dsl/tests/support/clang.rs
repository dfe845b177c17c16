//! The C inputs of `tests/elf/`, compiled with `clang-19 -O2 -g -target bpf -c`: shared by the
//! ELF tests (`#[path = "support/clang.rs"] mod clang;`) and by the workspace's kernel tests
//! (`#[path = "../../ebpf-dsl/tests/support/clang.rs"]`, which name the file with
//! [`compile_file`]).

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Compiles `tests/elf/NAME.c` to an object in the test's temporary directory and returns its
/// bytes; `None` (with a printed reason) when clang-19 is missing and CI is not "true" (CI
/// installs it, so a missing clang fails there).
#[allow(dead_code)]
pub fn compile(name: &str) -> Option<Vec<u8>> {
    compile_with(name, &[])
}

/// [`compile`] with preprocessor definitions (`-D` each of `defines`), for the variants of
/// one input.
#[allow(dead_code)]
pub fn compile_with(name: &str, defines: &[&str]) -> Option<Vec<u8>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/elf")
        .join(format!("{name}.c"));
    compile_file(&src, defines)
}

/// Compiles the C file `src` (any path) with `-D` each of `defines`, as [`compile_with`] does
/// for `tests/elf/NAME.c`.
#[allow(dead_code)]
pub fn compile_file(src: &Path, defines: &[&str]) -> Option<Vec<u8>> {
    let have = Command::new("clang-19")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clang-19 is missing, and CI=true requires it"
        );
        eprintln!("skipped: clang-19 is not installed (CI installs it)");
        return None;
    }
    let name = src.file_stem().unwrap_or_default().to_string_lossy();
    // One path per call: tests compiling the same file run in parallel.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("clang-{name}-{n}.o"));
    let st = Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .args(defines.iter().map(|d| format!("-D{d}")))
        .arg(src)
        .arg("-o")
        .arg(&out)
        .status()
        .expect("clang-19 runs");
    assert!(st.success(), "clang-19 failed on {}", src.display());
    Some(std::fs::read(&out).expect("the object"))
}
