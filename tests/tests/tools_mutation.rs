//! The mutations the corpus scripts share (`tools/real-programs/mutation.py`: the real
//! programs' mutants and the verifier selftests' mutant mode) checked by their own self test
//! (`python3 tools/real-programs/mutation.py`). Skipped with a message without python3.

use std::path::Path;
use std::process::Command;

#[test]
fn mutation_kinds_self_test() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("tools/real-programs/mutation.py");
    let out = match Command::new("python3").arg(&script).output() {
        Ok(out) => out,
        Err(e) => {
            println!("skipped: cannot run python3 ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{} failed:\n{}{}",
        script.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
