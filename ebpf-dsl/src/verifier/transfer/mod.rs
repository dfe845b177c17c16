//! The transfer functions: one file per instruction class. Each checks the kernel's rules for
//! its instructions (producing the kernel-worded rejection) and computes the state after them
//! with the operations of [`super::domain`]; the driver (`super::driver`) picks the function for
//! each instruction and explores the paths.

mod align;
mod alu;
mod atomic;
pub(crate) mod btf_access;
mod call;
pub(crate) use call::offered_to;
#[cfg(test)]
pub(crate) use call::{family_proto, offered, offered_since};
mod devmap;
mod jump;
pub(crate) mod kptr;
pub(crate) mod ksym;
mod ld_imm64;
mod map_ptr;
mod may_goto;
mod memory;
mod ordered;
mod ptr_exact;
#[cfg(test)]
mod ptr_off_tests;
mod rodata;
mod same_insn;
#[cfg(test)]
mod st_imm_tests;
mod stack;
#[cfg(test)]
pub(crate) mod testkit;
mod trust;

use crate::insn::{AluOp, AtomicOp, JmpOp, Size};
use crate::spec::{MapSpec, MapType, RelocKind};

use super::cfg::{Op, Src};
use super::context::{Exec, Step};
use super::ctx::{self, CtxField};
use super::domain::arith::*;
use super::domain::branch::*;
use super::domain::refine::*;
use super::domain::scalar::Scalar;
use super::domain::state::{
    Byte, DynptrKind, Frame, PktKind, RegVal, Slot, State, DYNPTR_DATA, DYNPTR_MEM, DYNPTR_SLICE,
};
use super::domain::tnum::Tnum;
use super::helpers::{self, Arg, Ret};
use super::{alu_name, KernelVersion, Rule, VerifierError};

pub(crate) use btf_access::NEEDS_BTF;
pub(crate) use call::{
    check_dev_bound, check_exception_cb, check_globals, check_lock_maps, exception_roots,
    reached_from, throw_under_callback,
};
pub(crate) use ksym::check_pseudo_btf_ids;
pub(crate) use memory::mask;
pub(crate) use rodata::check_direct_value_refs;

pub(crate) type R<T> = Result<T, VerifierError>;

/// The kernel's bound on pointer offsets (`BPF_MAX_VAR_OFF`).
const MAX_VAR_OFF: i64 = 1 << 29;
/// `BPF_F_RDONLY_PROG`.
pub(crate) const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_WRONLY_PROG`: the program may write map values but never read them.
const BPF_F_WRONLY_PROG: u32 = 1 << 8;
/// `BPF_F_INNER_MAP`: a map that may stand for inner maps of other sizes (no constant-key
/// NULL elision in it).
const BPF_F_INNER_MAP: u32 = 1 << 12;

/// A refusal at `pc` for `rule` with `msg`; out of line and cold, so that the checks which
/// fail into it stay compact in the hot transfer functions (a fresh process's first
/// verification pays for every code line it touches).
#[cold]
#[inline(never)]
pub(crate) fn e(pc: usize, rule: Rule, msg: impl Into<String>) -> VerifierError {
    VerifierError {
        insn_index: pc,
        rule,
        message: msg.into(),
    }
}

fn scalar_of(n: u32, sx: bool) -> Scalar {
    let s = Scalar::of_size(n);
    if sx {
        s.sext(n * 8)
    } else {
        s
    }
}

fn var_text(var: &Scalar) -> String {
    match var.as_const() {
        Some(0) => String::new(),
        Some(c) => format!(" + {}", c as i64),
        None => format!(" + var({}..={})", var.umin, var.umax),
    }
}

use call::args::{skb_sk, sock_ret, SOCK_CAST};
use call::{tcp_sock_field_ok, TCP_SOCK};
use stack::*;

/// What every transfer function needs: the maps, register reads and writes, descriptions of
/// values for messages.
impl<'a> Exec<'a> {
    pub(crate) fn map(&self, m: u16) -> &MapSpec {
        let n = self.input.maps.len();
        match self.input.maps.get(m as usize) {
            Some(spec) => spec,
            None => &self.extra_maps[m as usize - n],
        }
    }

    /// Whether map `m` is the inner map of a map of maps (see [`Exec::extra_maps`]).
    pub(crate) fn is_inner_map(&self, m: u16) -> bool {
        self.inner_of.contains(&Some(m))
    }

    /// Whether map `m` is a map of maps (its lookups give a map, or NULL).
    pub(crate) fn is_map_of_maps(&self, m: u16) -> bool {
        matches!(
            self.map(m).map_type,
            MapType::ArrayOfMaps | MapType::HashOfMaps
        )
    }

    /// How `v` reads in a message (only ever formatted into a refusal: cold).
    #[cold]
    pub(crate) fn describe(&self, v: &RegVal) -> String {
        match v {
            RegVal::NotInit => "uninitialised".into(),
            RegVal::Scalar(s) => s.to_string(),
            RegVal::Ctx { off: 0 } => "the context pointer".into(),
            RegVal::Ctx { off } => format!("the context pointer + {off}"),
            RegVal::CtxVar { off, var } => {
                format!("the context pointer + {off} + a variable ({var})")
            }
            RegVal::Stack { off, .. } => format!("a stack pointer (r10 {off:+})"),
            RegVal::StackVar { off, var, .. } => {
                format!("a stack pointer (r10 {off:+}{})", var_text(var))
            }
            RegVal::Pkt {
                kind,
                off,
                var,
                range,
                ..
            } => {
                let (what, start, end) = match kind {
                    PktKind::Data => ("a packet pointer", "data", "data_end"),
                    PktKind::Meta => ("a metadata pointer", "data_meta", "data"),
                };
                let v = var_text(var);
                if *range > 0 {
                    format!("{what} ({start}{v} + {off}) proven safe up to {start}{v} + {range}")
                } else {
                    format!("{what} ({start}{v} + {off}) not yet compared against {end}")
                }
            }
            RegVal::PktEnd => "data_end".into(),
            RegVal::MapPtr { map } => format!("the map `{}`", self.map(*map).name_str()),
            RegVal::Func { target } => {
                format!("the address of the function at instruction {target} (a callback)")
            }
            RegVal::MapValue { map, off, var, .. } => {
                format!(
                    "a pointer into a value of map `{}` (offset {off}{})",
                    self.map(*map).name_str(),
                    var_text(var)
                )
            }
            RegVal::MapValueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            RegVal::Opaque { map } if self.is_inner_map(*map) => format!(
                "the map `{}` (from a map of maps)",
                self.map(*map).name_str()
            ),
            RegVal::Opaque { map } if self.is_map_of_maps(*map) => format!(
                "a map from the map of maps `{}`, which declares no inner map",
                self.map(*map).name_str()
            ),
            RegVal::Opaque { map } => format!(
                "an entry of map `{}` (not readable)",
                self.map(*map).name_str()
            ),
            RegVal::OpaqueOrNull { map, .. } => {
                format!(
                    "a lookup result from map `{}` that may be NULL",
                    self.map(*map).name_str()
                )
            }
            // A global function's memory argument (`PTR_TO_MEM`, no reference).
            RegVal::Ringbuf {
                size,
                off,
                ref_id: 0,
                ..
            } => format!("a global function's memory argument ({size} bytes, offset {off})"),
            RegVal::RingbufOrNull {
                size, ref_id: 0, ..
            } => {
                format!("a global function's memory argument ({size} bytes) that may be NULL")
            }
            RegVal::Ringbuf {
                size, off, ref_id, ..
            } if *ref_id == ksym::KSYM_MEM => {
                format!(
                    "read-only kernel memory ({size} bytes, offset {off}; PTR_TO_MEM | MEM_RDONLY)"
                )
            }
            RegVal::RingbufOrNull { size, ref_id, .. } if *ref_id == ksym::KSYM_MEM => {
                format!("read-only kernel memory ({size} bytes) that may be NULL")
            }
            RegVal::Ringbuf {
                size, off, ref_id, ..
            } if *ref_id == call::ITER_ELEM => {
                format!("an iterator's element from bpf_iter_*_next ({size} read-only bytes, offset {off})")
            }
            RegVal::Ringbuf {
                size, off, ref_id, ..
            } if ref_id & DYNPTR_DATA != 0 => {
                format!("a dynptr's data from bpf_dynptr_data ({size} bytes, offset {off})")
            }
            RegVal::RingbufOrNull { size, ref_id, .. } if ref_id & DYNPTR_DATA != 0 => {
                format!("a dynptr's data from bpf_dynptr_data ({size} bytes) that may be NULL")
            }
            RegVal::Ringbuf {
                size, off, ref_id, ..
            } if ref_id & DYNPTR_SLICE != 0 => {
                format!("a read-only dynptr slice ({size} bytes, offset {off})")
            }
            RegVal::RingbufOrNull { size, ref_id, .. } if ref_id & DYNPTR_SLICE != 0 => {
                format!("a read-only dynptr slice ({size} bytes) that may be NULL")
            }
            RegVal::Ringbuf { size, off, .. } => {
                format!("ring buffer memory ({size} bytes, offset {off})")
            }
            RegVal::RingbufOrNull { size, .. } => {
                format!("a ring buffer reservation ({size} bytes) that may be NULL")
            }
            RegVal::Sock { common: false, .. } => "a socket (PTR_TO_SOCKET)".to_string(),
            RegVal::Sock { common: true, .. } => "a socket (PTR_TO_SOCK_COMMON)".to_string(),
            RegVal::SockOrNull { common: false, .. } => {
                "a socket lookup result that may be NULL (PTR_TO_SOCKET_OR_NULL)".to_string()
            }
            RegVal::SockOrNull { common: true, .. } => {
                "a socket lookup result that may be NULL (PTR_TO_SOCK_COMMON_OR_NULL)".to_string()
            }
            RegVal::BtfSock { ty, .. } if *ty == TCP_SOCK => {
                "a TCP socket (PTR_TO_TCP_SOCK)".to_string()
            }
            RegVal::BtfSockOrNull { ty, .. } if *ty == TCP_SOCK => {
                "a TCP socket that may be NULL (PTR_TO_TCP_SOCK_OR_NULL)".to_string()
            }
            RegVal::BtfSock { ty, .. } => format!("a struct {ty} (PTR_TO_BTF_ID)"),
            RegVal::BtfSockOrNull { ty, .. } => {
                format!("a struct {ty} that may be NULL (PTR_TO_BTF_ID_OR_NULL)")
            }
            RegVal::KObj { ty, .. } => format!("a struct {ty} from a kfunc (PTR_TO_BTF_ID)"),
            RegVal::BtfObjAt {
                ty,
                kobj: true,
                off,
                ..
            } => format!("a struct {ty} from a kfunc (PTR_TO_BTF_ID) + {off}"),
            RegVal::BtfObjAt { ty, off, .. } => format!("a struct {ty} (PTR_TO_BTF_ID) + {off}"),
            RegVal::KObjOrNull { ty, .. } => {
                format!("a struct {ty} from a kfunc that may be NULL (PTR_TO_BTF_ID_OR_NULL)")
            }
            RegVal::Dynptr { kind, .. } => match kind {
                DynptrKind::Skb => "an skb dynptr".into(),
                DynptrKind::Xdp => "an xdp dynptr".into(),
                DynptrKind::Ringbuf => "a ring buffer dynptr".into(),
                DynptrKind::Local => "a local dynptr (over a map value)".into(),
            },
            RegVal::Iter { kind, drained, .. } => format!(
                "an {} iterator (struct bpf_iter_{})",
                if *drained { "drained" } else { "active" },
                kind.name()
            ),
            RegVal::BtfPtr { ty, off, trust } => self.describe_btf(*ty, *off, *trust, false),
            RegVal::BtfPtrOrNull { ty, trust, .. } => self.describe_btf(*ty, 0, *trust, true),
            RegVal::Alloc { ty, off, ref_id } => format!(
                "{}{}",
                if *ty & call::PERCPU_TY != 0 {
                    format!(
                        "a per-CPU object of struct {} the program owns (PTR_TO_BTF_ID | MEM_ALLOC | MEM_PERCPU)",
                        self.local_name(*ty)
                    )
                } else if *ref_id != 0 {
                    format!(
                        "an object of struct {} the program owns (PTR_TO_BTF_ID | MEM_ALLOC)",
                        self.local_name(*ty)
                    )
                } else {
                    format!(
                        "an object of struct {} in a tree or list, not owned (PTR_TO_BTF_ID | MEM_ALLOC | NON_OWN_REF)",
                        self.local_name(*ty)
                    )
                },
                if *off != 0 {
                    format!(" + {off}")
                } else {
                    String::new()
                }
            ),
            RegVal::AllocOrNull { ty, .. } => format!(
                "{} object of struct {} or NULL (PTR_TO_BTF_ID | MEM_ALLOC{} | PTR_MAYBE_NULL)",
                if *ty & call::PERCPU_TY != 0 {
                    "a per-CPU"
                } else {
                    "an"
                },
                self.local_name(*ty),
                if *ty & call::PERCPU_TY != 0 {
                    " | MEM_PERCPU"
                } else {
                    ""
                }
            ),
        }
    }

    #[inline]
    pub(crate) fn read(&self, st: &State, pc: usize, r: u8) -> R<RegVal> {
        let v = &st.cur().regs[r as usize];
        if matches!(v, RegVal::NotInit) {
            return Err(uninit_read(pc, r));
        }
        Ok(*v)
    }

    pub(crate) fn set(&self, st: &mut State, r: u8, v: RegVal) {
        st.cur_mut().regs[r as usize] = v;
    }

    pub(crate) fn write_dst(&self, pc: usize, dst: u8) -> R<()> {
        if dst == 10 {
            return Err(e(
                pc,
                Rule::FramePointer,
                "r10 (the frame pointer) is read-only (the kernel: `frame pointer is read only`); copy it first (`r1 = r10; r1 += -8`)",
            ));
        }
        Ok(())
    }
}

/// [`Exec::read`]'s refusal, out of line (the read itself is inlined at every operand).
#[cold]
#[inline(never)]
fn uninit_read(pc: usize, r: u8) -> VerifierError {
    let hint = if (1..=5).contains(&r) {
        " (calls clobber r1-r5; keep values in r6-r9 across calls)"
    } else if r == 0 {
        " (r0 is set by calls and by you)"
    } else {
        ""
    };
    e(
        pc,
        Rule::UninitRegister,
        format!("r{r} is read here but no instruction on this path has written it{hint}"),
    )
}
