//! What one run works on, shared by the interpreter (`super::interp`) and the helpers
//! (`super::helpers`, which read and change it): the loaded programs and the run's state. It
//! sits below both, so that neither imports the other for it.

use crate::decode::Decoded;

use super::env::Env;
use super::fast::Code;
use super::memory::Memory;
use super::trace::TraceEntry;

/// A program ready to run: its decoded slots and, per `ld_imm64` of a map, the map's index.
#[derive(Clone, Debug)]
pub(crate) struct Loaded {
    pub name: String,
    /// `None` for the second slot of `ld_imm64`.
    pub slots: Vec<Option<Decoded>>,
    /// The map index of each `ld_imm64` that names a map, by slot.
    pub map_refs: super::hasher::FastMap<usize, usize>,
    /// The slots pre-compiled for the fast path.
    pub code: Code,
}

/// The state of one run.
pub(crate) struct Machine<'a> {
    pub mem: &'a mut Memory,
    pub progs: &'a [Loaded],
    pub env: &'a mut Env,
    /// The VM's trace (`None`: trace mode off), borrowed: nothing moves per run.
    pub trace: &'a mut Option<Vec<TraceEntry>>,
    pub step_limit: u64,
    /// A successful `bpf_tail_call` sets this; the interpreter switches programs.
    pub tail_target: Option<usize>,
    pub tail_calls: u32,
    /// Maps by the fd a raw `ld_imm64` (without relocation) names.
    pub fd_maps: &'a std::collections::HashMap<i32, usize>,
}
