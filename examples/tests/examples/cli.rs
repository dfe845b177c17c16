//! What every example does before it makes anything: `--help`, usage errors, and the clear
//! error of a user who is not root.

use std::process::Command;

use crate::common::{run, ALL};

pub fn every_example_has_help_and_rejects_bad_options() {
    for bin in ALL {
        let r = run(bin, &["--help"]);
        r.ok();
        assert!(
            r.stdout.contains("Usage:") && r.stdout.contains("--iface"),
            "{}",
            r.stdout
        );
        let r = run(bin, &["--no-such-option"]);
        assert_eq!(r.code, Some(2), "usage errors exit with 2");
        assert!(
            r.stderr.contains("unknown option --no-such-option"),
            "{}",
            r.stderr
        );
    }
}

pub fn not_root_is_a_clear_error() {
    // As root, drop to `nobody` to see what an unprivileged user gets.
    for bin in ALL {
        let out = Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", bin])
            .output()
            .expect("setpriv (util-linux)");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.starts_with("setpriv:") {
            // E.g. the build directory is not reachable for `nobody` (a home directory with
            // mode 700): nothing to learn about the example.
            println!("skipping {bin} as nobody: {stderr}");
            continue;
        }
        assert_eq!(out.status.code(), Some(1), "{bin}: {stderr}");
        assert!(
            stderr.contains("needs root") && stderr.contains("hint:"),
            "{bin}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{bin}: {stderr}");
    }
}
