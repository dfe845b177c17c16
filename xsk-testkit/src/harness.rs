//! The harness of the kernel test files (`harness = false`, built on `libtest-mimic`).
//!
//! A privileged test needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN). Without root, and
//! when the environment variable `CI` is not `true`, each one is reported as `ignored` with its
//! name and the reason in the normal `cargo test` output, and a last line says how many kernel
//! tests did not run. Under `CI=true` (or as root) they all run, so a missing privilege fails
//! them instead of hiding. `--include-ignored` runs them anyway.
//!
//! A test file lists its tests once, at its end (with `harness = false` for it in its crate's
//! `Cargo.toml`):
//!
//! ```no_run
//! use xsk_testkit::kernel_tests;
//!
//! fn link_attach_replace_detach_query() { /* needs root: loads, attaches */ }
//! fn bad_usage_exits_2() { /* runs anywhere */ }
//!
//! kernel_tests! {
//!     privileged: [link_attach_replace_detach_query],
//!     plain: [bad_usage_exits_2],
//! }
//! ```

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use libtest_mimic::{Arguments, Completion, Trial};

/// How many privileged tests this run reported as ignored.
static SKIPPED: AtomicUsize = AtomicUsize::new(0);
/// `--include-ignored`: run the privileged tests whatever the privileges.
static FORCE: AtomicBool = AtomicBool::new(false);

/// A test that needs root: ignored, with the reason, when the process may not run it.
pub fn privileged(name: &str, test: fn()) -> Trial {
    Trial::ignorable_test(name, move || {
        if !FORCE.load(Ordering::Relaxed) {
            if let Some(reason) = crate::netns::privileged_test_skip_reason() {
                SKIPPED.fetch_add(1, Ordering::Relaxed);
                return Ok(Completion::ignored_with(reason));
            }
        }
        test();
        Ok(Completion::Completed)
    })
}

/// A test that runs without privileges.
pub fn plain(name: &str, test: fn()) -> Trial {
    Trial::test(name, move || {
        test();
        Ok(())
    })
}

/// Runs `trials` as the command line says (filters, `--list`, `--exact`, threads, ...), prints
/// how many kernel tests did not run, and exits with the status `cargo test` expects.
pub fn run(trials: Vec<Trial>) -> ! {
    let args = Arguments::from_args();
    FORCE.store(args.include_ignored, Ordering::Relaxed);
    let conclusion = libtest_mimic::run(&args, trials);
    let skipped = SKIPPED.load(Ordering::Relaxed);
    if skipped > 0 {
        println!(
            "{skipped} kernel test{} did not run (not root, and CI is not \"true\"): run as \
             root, or with CI=true to make a missing privilege fail them\n",
            if skipped == 1 { "" } else { "s" },
        );
    }
    conclusion.exit()
}

/// `fn main` of a kernel test file: its privileged tests and its plain ones, by function name
/// (the test's name, as with `#[test]`).
#[macro_export]
macro_rules! kernel_tests {
    (privileged: [$($p:ident),* $(,)?] $(, plain: [$($q:ident),* $(,)?])? $(,)?) => {
        fn main() {
            let trials = vec![
                $($crate::harness::privileged(stringify!($p), $p),)*
                $($($crate::harness::plain(stringify!($q), $q),)*)?
            ];
            $crate::harness::run(trials)
        }
    };
}
