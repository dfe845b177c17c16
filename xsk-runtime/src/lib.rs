//! # xsk-runtime
//!
//! Creates eBPF maps, relocates map fds into programs, loads and attaches XDP programs, and
//! runs AF_XDP sockets (UMEM, fill, completion, RX and TX rings) in pure Rust. Linux only.
#![deny(missing_docs)]

pub mod error;
pub mod sys;

pub use error::{Error, Result};
pub mod maps;
pub mod netns;
pub mod pod;
pub mod program;
pub mod ring;
pub mod socket;
pub mod umem;
pub mod xsk;
pub use program::{Loaded, Loader, Program};
pub use xsk::XskInterface;
pub mod attach;
pub mod pin;
pub mod test_run;
pub mod features;
