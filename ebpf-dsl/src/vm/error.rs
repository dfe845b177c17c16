//! Why a run stopped early: [`VmError`], always with the instruction (slot index) that failed.

use core::fmt;

use crate::decode::DecodeError;

/// What kind of memory an address belongs to, as an error names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegionName {
    /// The stack of call frame `frame` (0 = the program's own, 1 = the first bpf-to-bpf callee).
    Stack {
        /// The call depth of the frame.
        frame: usize,
    },
    /// The program's context (`struct xdp_md`, `struct __sk_buff`, or the raw memory).
    Context,
    /// The packet (`data_meta` .. `data_end`).
    Packet,
    /// The raw input memory of [`crate::vm::Vm::run_mem`].
    Memory,
    /// A map value returned by a lookup (or `ld_imm64` of a map value).
    MapValue {
        /// The map's name.
        map: String,
    },
    /// A map itself (the pointer `ld_imm64 rX = map ll` gives): never readable.
    Map {
        /// The map's name.
        map: String,
    },
    /// A ring-buffer record from `bpf_ringbuf_reserve`.
    RingbufRecord {
        /// The ring buffer's name.
        map: String,
    },
}

impl fmt::Display for RegionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegionName::Stack { frame } => write!(f, "the stack of frame {frame}"),
            RegionName::Context => f.write_str("the context"),
            RegionName::Packet => f.write_str("the packet"),
            RegionName::Memory => f.write_str("the input memory"),
            RegionName::MapValue { map } => write!(f, "a value of map `{map}`"),
            RegionName::Map { map } => write!(f, "the map object `{map}`"),
            RegionName::RingbufRecord { map } => write!(f, "a record of ring buffer `{map}`"),
        }
    }
}

/// The reason a run failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VmErrorKind {
    /// The program does not decode.
    Decode(DecodeError),
    /// An access outside every region the program may touch.
    OutOfBounds {
        /// The address accessed.
        addr: u64,
        /// The access size in bytes.
        size: usize,
        /// `true` for a store (or atomic), `false` for a load.
        write: bool,
        /// The region the address is nearest to, with its valid range `[start, end)`;
        /// `None` when the address is not near any (e.g. a scalar used as a pointer).
        region: Option<(RegionName, u64, u64)>,
    },
    /// A store into a read-only region (the context, a read-only map value).
    ReadOnly {
        /// The address written.
        addr: u64,
        /// The region.
        region: RegionName,
    },
    /// A context access the program type does not allow (wrong offset or size, a store).
    BadContextAccess {
        /// The offset into the context.
        off: u64,
        /// The access size.
        size: usize,
        /// `true` for a store.
        write: bool,
    },
    /// A helper the VM does not implement, or one the program type may not call.
    UnsupportedHelper {
        /// The helper number.
        id: i64,
    },
    /// An instruction the VM does not run (kfunc calls, arena casts, legacy packet loads
    /// outside a socket buffer).
    Unsupported {
        /// What.
        what: String,
    },
    /// A helper got an argument it cannot use (e.g. a map argument that is not a map).
    BadHelperArg {
        /// The helper's name.
        helper: &'static str,
        /// What is wrong.
        why: String,
    },
    /// `ld_imm64` of a map the VM does not know (no relocation, no registered fd).
    UnknownMap {
        /// The `imm` of the instruction.
        imm: i32,
    },
    /// bpf-to-bpf calls nested deeper than the kernel allows (8 frames).
    CallDepth,
    /// The pc left the program (a jump or call out of range, or falling off the end).
    PcOutOfRange {
        /// The target slot.
        target: i64,
    },
    /// A jump or call into the second slot of an `ld_imm64`.
    JumpIntoLdImm64 {
        /// The target slot.
        target: usize,
    },
    /// More instructions than [`crate::vm::Vm::step_limit`] allows (an endless loop?).
    StepLimit {
        /// The limit.
        limit: u64,
    },
    /// A tail-call chain longer than the kernel's 33.
    TailCallLimit,
}

/// A failed run: the instruction (slot index in the program that was running) and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VmError {
    /// The slot index of the failing instruction.
    pub pc: usize,
    /// The program running (its name), which differs from the first after a tail call.
    pub program: String,
    /// The reason.
    pub kind: VmErrorKind,
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} insn {}: ", self.program, self.pc)?;
        match &self.kind {
            VmErrorKind::Decode(e) => write!(f, "the program does not decode: {e}"),
            VmErrorKind::OutOfBounds {
                addr,
                size,
                write,
                region,
            } => {
                let what = if *write { "store" } else { "load" };
                write!(f, "{size}-byte {what} at {addr:#x} is out of bounds")?;
                match region {
                    Some((name, start, end)) => {
                        write!(f, " of {name} [{start:#x}, {end:#x})")?;
                        if *addr < *start {
                            write!(f, ": {} bytes before its start", start - addr)
                        } else {
                            write!(
                                f,
                                ": {} bytes past its end",
                                (addr + *size as u64).saturating_sub(*end)
                            )
                        }
                    }
                    None => f.write_str(": not a pointer into any region"),
                }
            }
            VmErrorKind::ReadOnly { addr, region } => {
                write!(f, "store at {addr:#x} into {region}, which is read-only")
            }
            VmErrorKind::BadContextAccess { off, size, write } => {
                let what = if *write { "store" } else { "load" };
                write!(
                    f,
                    "invalid context access: {size}-byte {what} at offset {off}"
                )
            }
            VmErrorKind::UnsupportedHelper { id } => {
                match u32::try_from(*id)
                    .ok()
                    .and_then(crate::helpers::helper_by_id)
                {
                    Some(h) => write!(f, "helper {} ({id}) is not supported", h.name),
                    None => write!(f, "unknown helper {id}"),
                }
            }
            VmErrorKind::Unsupported { what } => write!(f, "not supported: {what}"),
            VmErrorKind::BadHelperArg { helper, why } => write!(f, "{helper}: {why}"),
            VmErrorKind::UnknownMap { imm } => write!(
                f,
                "ld_imm64 names map {imm}, which has no relocation and no registered fd"
            ),
            VmErrorKind::CallDepth => f.write_str("bpf-to-bpf calls nested deeper than 8 frames"),
            VmErrorKind::PcOutOfRange { target } => {
                write!(f, "control flow leaves the program (to slot {target})")
            }
            VmErrorKind::JumpIntoLdImm64 { target } => {
                write!(f, "jump into the second slot of ld_imm64 at {target}")
            }
            VmErrorKind::StepLimit { limit } => {
                write!(f, "more than {limit} instructions executed")
            }
            VmErrorKind::TailCallLimit => f.write_str("more than 33 tail calls"),
        }
    }
}

impl std::error::Error for VmError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_message_names_region_and_distance() {
        let e = VmError {
            pc: 3,
            program: "p".into(),
            kind: VmErrorKind::OutOfBounds {
                addr: 0x110,
                size: 4,
                write: false,
                region: Some((RegionName::Packet, 0x100, 0x10e)),
            },
        };
        assert_eq!(
            e.to_string(),
            "p insn 3: 4-byte load at 0x110 is out of bounds of the packet [0x100, 0x10e): 6 bytes past its end"
        );
    }
}
