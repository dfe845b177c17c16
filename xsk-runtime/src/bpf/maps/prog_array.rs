//! [`ProgArray`]: a `BPF_MAP_TYPE_PROG_ARRAY` of programs for `bpf_tail_call`.

use std::os::fd::{AsFd, BorrowedFd};

use ebpf_dsl::MapType;

use super::{fd_map_spec, Map};
use crate::error::{Error, Result};

/// A `BPF_MAP_TYPE_PROG_ARRAY` (kernel 4.2): programs for `bpf_tail_call`, by index.
#[derive(Debug)]
pub struct ProgArray {
    map: Map,
}
typed_common!(ProgArray);

impl TryFrom<Map> for ProgArray {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::ProgArray], 4, 4)?;
        Ok(ProgArray { map })
    }
}

impl ProgArray {
    /// Creates a PROG_ARRAY with `max_entries` slots.
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::ProgArray, max_entries, 4))?.try_into()
    }

    /// Puts program `prog` at `index`.
    pub fn set(&self, index: u32, prog: BorrowedFd<'_>) -> Result<()> {
        self.map.set_slot_fd(index, prog)
    }

    /// The kernel id of the program at `index` (user-space lookups return ids, kernel 4.13),
    /// or `None` if empty.
    pub fn get_id(&self, index: u32) -> Result<Option<u32>> {
        // The value is 4 bytes (checked by `try_from`).
        self.map.slot_u32(index)
    }

    /// Empties slot `index`.
    pub fn remove(&self, index: u32) -> Result<bool> {
        self.map.clear_slot(index)
    }
}
