//! The kinds of base pointer the kernel tells apart when one memory instruction is reached
//! with several (`reg_type_mismatch`, `save_aux_ptr_type`); the rule itself is
//! `super::super::transfer::same_insn`'s.

use super::state::RegVal;

/// The structure of the kernel's `PTR_TO_TCP_SOCK` in a [`RegVal::BtfSock`] (the same name as
/// `transfer::call::TCP_SOCK`, checked by a test there).
pub(crate) const TCP_SOCK: &str = "bpf_tcp_sock";

/// The kernel's pointer type of a base register, as far as `reg_type_mismatch` tells them
/// apart: every type it lets an instruction mix is [`PtrKey::Mixable`]; the others are told
/// apart at least as finely as the kernel does (a difference the kernel does not see only
/// makes this verifier refuse more).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PtrKey {
    /// Stack, map value or key, packet, `PTR_TO_MEM` (`mem`: ring buffer memory, dynptr
    /// slices, a global function's memory argument), map pointer: mixable among themselves.
    Mixable { mem: bool },
    /// `PTR_TO_CTX`.
    Ctx,
    /// `PTR_TO_SOCKET` / `PTR_TO_SOCK_COMMON`.
    Socket { common: bool },
    /// `PTR_TO_TCP_SOCK` (`bpf_tcp_sock`).
    TcpSock,
    /// A `PTR_TO_BTF_ID` of some flags: a socket cast, a kfunc's object, a kernel structure
    /// (with its trust), a local object (owning or not).
    Btf { kind: u8, detail: u8 },
}

impl PtrKey {
    /// The key of a base register `v`, None if it is not a pointer one may access memory
    /// through (the access itself is refused then).
    pub(crate) fn of(v: &RegVal) -> Option<PtrKey> {
        Some(match v {
            RegVal::Ctx { .. } | RegVal::CtxVar { .. } => PtrKey::Ctx,
            RegVal::Stack { .. }
            | RegVal::StackVar { .. }
            | RegVal::Pkt { .. }
            | RegVal::PktEnd
            | RegVal::MapPtr { .. }
            | RegVal::MapValue { .. } => PtrKey::Mixable { mem: false },
            RegVal::Ringbuf { .. } => PtrKey::Mixable { mem: true },
            RegVal::Sock { common, .. } => PtrKey::Socket { common: *common },
            RegVal::BtfSock { ty, .. } if *ty == TCP_SOCK => PtrKey::TcpSock,
            RegVal::BtfSock { .. } | RegVal::BtfObjAt { kobj: false, .. } => {
                PtrKey::Btf { kind: 0, detail: 0 }
            }
            RegVal::KObj { .. } | RegVal::BtfObjAt { kobj: true, .. } => {
                PtrKey::Btf { kind: 1, detail: 0 }
            }
            RegVal::BtfPtr { trust, .. } => PtrKey::Btf {
                kind: 2,
                detail: *trust as u8,
            },
            RegVal::Alloc { ref_id, .. } => PtrKey::Btf {
                kind: 3,
                detail: u8::from(*ref_id == 0),
            },
            // Never dereferenced (an XSKMAP / DEVMAP entry, a function, a value that may be
            // NULL, a number): the access is refused before this matters.
            _ => return None,
        })
    }

    fn mixable(self) -> bool {
        matches!(self, PtrKey::Mixable { .. })
    }

    /// `is_ptr_to_mem_or_btf_id`.
    fn mem_or_btf(self) -> bool {
        matches!(self, PtrKey::Mixable { mem: true } | PtrKey::Btf { .. })
    }

    /// Whether the kernel refuses one instruction reached with `self` and `other` (in one
    /// order or the other); `load`: a `BPF_LDX`, which may mix BTF pointers and memory.
    pub(crate) fn conflicts(self, other: PtrKey, load: bool) -> bool {
        let mismatch = self != other && (!self.mixable() || !other.mixable());
        mismatch && !(load && self.mem_or_btf() && other.mem_or_btf())
    }
}
