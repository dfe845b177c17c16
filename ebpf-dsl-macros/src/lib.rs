//! `defmap!` and `defprogram!`: eBPF maps and programs written inline in Rust source,
//! assembled and verified at compile time.
#![deny(missing_docs)]
