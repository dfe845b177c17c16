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

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use libtest_mimic::{Arguments, Completion, Trial};

/// How many privileged tests this run reported as ignored.
static SKIPPED: AtomicUsize = AtomicUsize::new(0);
/// `--include-ignored`: run the privileged tests whatever the privileges.
static FORCE: AtomicBool = AtomicBool::new(false);
/// How many tests this run reported as ignored because this kernel or machine lacks something
/// they need ([`unsupported_here`]).
static UNSUPPORTED: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Set by [`unsupported_here`] on the test's thread; read when the test returns.
    static UNSUPPORTED_REASON: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Marks the running test as one that **could not run here**, with the reason, and the test
/// then returns early: it is reported as `ignored` with that reason (never as `ok`), by name,
/// and the last line of the run counts it. For what privileges cannot fix — a kernel that
/// refuses a program type, a tool that is not installed — not for a missing privilege (the
/// harness handles that itself, and under `CI=true` never skips for it).
///
/// ```no_run
/// # fn kernel_takes_freplace() -> bool { false }
/// fn joins_a_dispatcher() {
///     if !kernel_takes_freplace() {
///         return xsk_testkit::harness::unsupported_here("this kernel refuses freplace programs");
///     }
///     // ...
/// }
/// ```
pub fn unsupported_here(reason: impl Into<String>) {
    let reason = reason.into();
    UNSUPPORTED_REASON.with(|r| *r.borrow_mut() = Some(reason));
}

/// Runs `test` and turns an [`unsupported_here`] mark into an ignored result.
fn run_marked(test: fn()) -> Completion {
    UNSUPPORTED_REASON.with(|r| r.borrow_mut().take());
    test();
    match UNSUPPORTED_REASON.with(|r| r.borrow_mut().take()) {
        Some(reason) => {
            UNSUPPORTED.fetch_add(1, Ordering::Relaxed);
            Completion::ignored_with(format!("not supported here: {reason}"))
        }
        None => Completion::Completed,
    }
}

/// A test that needs root: ignored, with the reason, when the process may not run it.
pub fn privileged(name: &str, test: fn()) -> Trial {
    Trial::ignorable_test(name, move || {
        if !FORCE.load(Ordering::Relaxed) {
            if let Some(reason) = crate::netns::privileged_test_skip_reason() {
                SKIPPED.fetch_add(1, Ordering::Relaxed);
                return Ok(Completion::ignored_with(reason));
            }
        }
        Ok(run_marked(test))
    })
}

/// A test that runs without privileges.
pub fn plain(name: &str, test: fn()) -> Trial {
    Trial::ignorable_test(name, move || Ok(run_marked(test)))
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
    let unsupported = UNSUPPORTED.load(Ordering::Relaxed);
    if unsupported > 0 {
        println!(
            "{unsupported} test{} could not run on this machine (see `not supported here` \
             above, by name)\n",
            if unsupported == 1 { "" } else { "s" },
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
