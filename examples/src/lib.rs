//! Shared code of the runnable examples (argument parsing, sandbox networks, reporting).
#![deny(missing_docs)]

pub mod cli;
pub mod error;
pub mod packet;
pub mod programs;
pub mod report;
pub mod signals;

pub use error::{Context, Error, Result};
