//! Support code for the workspace-level integration tests.
#![deny(missing_docs)]

/// The README's Rust examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
