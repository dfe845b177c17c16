//! Kernel object names and "did you mean" suggestions: the library's one rule and one
//! matcher ([`ebpf_dsl::names`]), so the macros and the assembler agree.

pub use ebpf_dsl::names::{check_obj_name, closest};
