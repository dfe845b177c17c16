//! Shared code of the runnable examples (argument parsing, sandbox networks, reporting).
#![deny(missing_docs)]
