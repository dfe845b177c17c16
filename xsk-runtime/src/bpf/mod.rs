//! The eBPF half of the runtime: from a [`MapSpec`](ebpf_dsl::MapSpec) /
//! [`ProgramSpec`](ebpf_dsl::ProgramSpec) to a program attached to an interface.
//!
//! The stages, in the order a program goes through them:
//!
//! ```text
//!  maps/ (create) ─► program (relocate map fds, BPF_PROG_LOAD) ─► loader (the whole set by name)
//!      ─► test_run (BPF_PROG_TEST_RUN) / attach (bpf_link or netlink) ─► pin (bpffs)
//!  features: what the running kernel supports, asked before any of it
//! ```
//!
//! Everything here is safe code over the crate-private `sys` module (the `bpf(2)` and netlink
//! calls).

pub mod attach;
/// BTF for maps (key/value types) and programs (func_info, line_info), loaded into the kernel.
pub(crate) mod btf;
pub mod features;
mod gunzip;
pub mod kfunc;
pub mod loader;
pub mod maps;
pub mod multiprog;
pub mod object;
pub mod pin;
pub mod program;
mod slots;
pub mod target;
pub mod test_run;
