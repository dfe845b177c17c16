//! # xsk-testkit
//!
//! Test scaffolding for the kernel tests and the examples of this workspace, kept out of the
//! `xsk-runtime` library:
//!
//! | module | what it holds |
//! |---|---|
//! | [`netns`] | network namespaces and veth pairs that clean up after themselves (sandboxes for anything that sends packets), stale-sandbox removal |
//! | [`seqring`] | the ring buffer producer of the tests, examples and benchmark (`SEQ_OUT`: one `{seq, 3 * seq}` record per run), its checker and the reader loop |
//! | [`harness`] | the `libtest-mimic` harness of the kernel test files: [`kernel_tests!`], privileged tests reported ignored (with the reason) when not root and `CI` is not `true` |
//!
//! [`privileged_test_should_run`] and [`privileged_test_skip_reason`] tell a test whether it
//! may use the kernel (root, or `CI=true`, where a missing privilege must fail the test).
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod harness;
pub mod netns;
pub mod seqring;
pub mod socket;
mod sys;

pub use netns::{is_root, privileged_test_should_run, privileged_test_skip_reason};
