//! The cells of `verifier_grids`: small programs enumerated exhaustively, one per cell of a
//! grid (program type × offset × size × kind of access, ...), each judged by the static
//! verifier and by the running kernel.
//!
//! - [`ctx`]: every offset and size of the context (`struct xdp_md`, `struct __sk_buff`) read,
//!   written from a register or an immediate, used by an atomic, on `r1` itself, through a
//!   copy, through copies moved by constants and at a variable offset; XDP programs for a
//!   devmap or cpumap entry.
//! - [`sock`]: the same on the socket structures these program types reach (`__sk_buff.sk`,
//!   `bpf_sk_fullsock`, `bpf_tcp_sock`, `bpf_get_listener_sock`, `bpf_sk_lookup_tcp`,
//!   `bpf_skc_lookup_tcp`, an XSKMAP entry's `struct bpf_xdp_sock`).
//! - [`maps`]: the helpers each program type may call, `struct bpf_map` read through a map
//!   pointer, and map values at their end for every data map type and devmap.
//! - [`pkt`]: packet and metadata accesses at the edge of a bounds check, in each comparison
//!   form.
//! - [`stack`]: stack offsets × sizes × access kinds, fresh and around spilled numbers and
//!   pointers.
//! - [`alu`]: every ALU operation on a pointer of each kind, with each kind of operand; every
//!   conditional jump on one; null checks in every comparison form.
//! - [`hmem`]: helper memory arguments at each offset and size around the end of each kind of
//!   region.
//! - [`leaks`]: a pointer of each kind stored into each memory (the privileged pointer-leak
//!   rules).

use crate::common;
use ebpf_dsl::{MapSpec, MapType, ProgramType};

pub(crate) mod alu;
pub(crate) mod ctx;
pub(crate) mod hmem;
pub(crate) mod leaks;
pub(crate) mod maps;
pub(crate) mod pkt;
pub(crate) mod sock;
pub(crate) mod stack;

/// The program types the static verifier models.
pub(crate) const TYPES: [ProgramType; 4] = [
    ProgramType::SocketFilter,
    ProgramType::Xdp,
    ProgramType::SchedCls,
    ProgramType::SchedAct,
];

/// What a cell compares.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Compare {
    /// Accept or reject.
    Verdict,
    /// Only whether the program type may call the helper at all.
    HelperOffered,
}

/// One cell: a program and how to judge it.
pub(crate) struct Cell {
    /// The grid area (`ctx`, `sock`, `helper`, `mapptr`, `mapval`, `leak`).
    pub(crate) area: &'static str,
    /// The row the cell is counted in (the class: an access kind on one structure).
    pub(crate) row: String,
    /// The cell's coordinates within its row (offset, size, ...).
    pub(crate) at: String,
    pub(crate) pt: ProgramType,
    pub(crate) src: String,
    /// The helper number the program's single call is patched to (`call bpf_map_lookup_elem`
    /// in the text).
    pub(crate) call_id: Option<i32>,
    pub(crate) compare: Compare,
    /// Verified with the running kernel's BTF.
    pub(crate) btf: bool,
    /// Loaded (and verified) with this `expected_attach_type` (`BPF_XDP_DEVMAP`, ...).
    pub(crate) attach: Option<u32>,
}

impl Cell {
    pub(crate) fn new(
        area: &'static str,
        row: String,
        at: String,
        pt: ProgramType,
        src: String,
    ) -> Self {
        Cell {
            area,
            row,
            at,
            pt,
            src,
            call_id: None,
            compare: Compare::Verdict,
            btf: false,
            attach: None,
        }
    }
}

/// The value size of every data map (not a multiple of 8, so the 8-byte accesses straddle).
pub(crate) const VALUE_SIZE: i64 = 12;

/// The data map types (their values are plain memory) with the names the programs use.
pub(crate) const DATA_MAPS: [(&str, MapType); 7] = [
    ("ar", MapType::Array),
    ("ha", MapType::Hash),
    ("pa", MapType::PercpuArray),
    ("ph", MapType::PercpuHash),
    ("lh", MapType::LruHash),
    ("lp", MapType::LruPercpuHash),
    ("lpm", MapType::LpmTrie),
];

/// The maps every program may name: the data maps and an XSKMAP `x`.
pub(crate) fn maps() -> Vec<MapSpec> {
    let mut v: Vec<MapSpec> = DATA_MAPS
        .iter()
        .map(|&(name, t)| {
            let (key, entries, flags) = match t {
                MapType::Array | MapType::PercpuArray => (4, 1, 0),
                // BPF_F_NO_PREALLOC, which an LPM trie requires; key: prefix length and 4 bytes.
                MapType::LpmTrie => (8, 4, 1),
                _ => (4, 4, 0),
            };
            MapSpec {
                flags,
                ..common::map_spec(name, t, key, VALUE_SIZE as u32, entries)
            }
        })
        .collect();
    v.push(common::map_spec("x", MapType::Xskmap, 4, 4, 4));
    v.push(common::map_spec("rb", MapType::Ringbuf, 0, 0, 4096));
    for (name, t) in VALUE_MAPS {
        v.push(common::map_spec(name, t, 4, 8, 4));
    }
    v
}

/// Map types whose lookup gives (read-only) values of their own kind, with the names the
/// programs use: devmaps, 8-byte values (`struct bpf_devmap_val`).
pub(crate) const VALUE_MAPS: [(&str, MapType); 2] =
    [("dm", MapType::Devmap), ("dh", MapType::DevmapHash)];

/// An access of a grid: how the memory at `(base + off)` is used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
    Load,
    LoadSx,
    StoreReg,
    StoreImm,
    AtomicAdd,
    AtomicFetchAdd,
    LoadAcquire,
    StoreRelease,
    Xchg,
    Cmpxchg,
}

impl Op {
    pub(crate) const ALL: [Op; 10] = [
        Op::Load,
        Op::LoadSx,
        Op::StoreReg,
        Op::StoreImm,
        Op::AtomicAdd,
        Op::AtomicFetchAdd,
        Op::LoadAcquire,
        Op::StoreRelease,
        Op::Xchg,
        Op::Cmpxchg,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Op::Load => "load",
            Op::LoadSx => "load-sx",
            Op::StoreReg => "store-reg",
            Op::StoreImm => "store-imm",
            Op::AtomicAdd => "atomic-add",
            Op::AtomicFetchAdd => "atomic-fetch-add",
            Op::LoadAcquire => "load-acquire",
            Op::StoreRelease => "store-release",
            Op::Xchg => "xchg",
            Op::Cmpxchg => "cmpxchg",
        }
    }

    /// The instructions of this access of `size` bytes at `(base + off)`, the value in or
    /// out of `r3`; `None` where the instruction set has no such access (a sign-extending
    /// 8-byte load, a 1- or 2-byte atomic).
    pub(crate) fn text(self, base: &str, off: i64, size: i64) -> Option<String> {
        let u = format!("u{}", size * 8);
        let at = at(base, off);
        Some(match self {
            Op::Load => format!("r3 = *({u} *){at}"),
            Op::LoadSx if size == 8 => return None,
            Op::LoadSx => format!("r3 = *(s{} *){at}", size * 8),
            Op::StoreReg => format!("r3 = 1\n*({u} *){at} = r3"),
            Op::StoreImm => format!("*({u} *){at} = 1"),
            Op::AtomicAdd if size < 4 => return None,
            Op::AtomicAdd => {
                let r = if size == 4 { "w3" } else { "r3" };
                format!("r3 = 1\nlock *({u} *){at} += {r}")
            }
            Op::AtomicFetchAdd if size < 4 => return None,
            Op::AtomicFetchAdd => {
                let r = if size == 4 { "w3" } else { "r3" };
                let inner = &at[1..at.len() - 1];
                format!("r3 = 1\n{r} = atomic_fetch_add(({u} *)({inner}), {r})")
            }
            Op::LoadAcquire => {
                let r = if size == 8 { "r3" } else { "w3" };
                let inner = &at[1..at.len() - 1];
                format!("{r} = load_acquire(({u} *)({inner}))")
            }
            Op::StoreRelease => {
                let r = if size == 8 { "r3" } else { "w3" };
                let inner = &at[1..at.len() - 1];
                format!("r3 = 1\nstore_release(({u} *)({inner}), {r})")
            }
            Op::Xchg | Op::Cmpxchg if size < 4 => return None,
            Op::Xchg => {
                let inner = &at[1..at.len() - 1];
                if size == 8 {
                    format!("r3 = 1\nr3 = xchg_64({inner}, r3)")
                } else {
                    format!("r3 = 1\nw3 = xchg32_32({inner}, w3)")
                }
            }
            Op::Cmpxchg => {
                let inner = &at[1..at.len() - 1];
                if size == 8 {
                    format!("r0 = 0\nr3 = 1\nr0 = cmpxchg_64({inner}, r0, r3)")
                } else {
                    format!("r0 = 0\nr3 = 1\nw0 = cmpxchg32_32({inner}, w0, w3)")
                }
            }
        })
    }
}

/// The access sizes.
pub(crate) const SIZES: [i64; 4] = [1, 2, 4, 8];

/// `(rN + off)` or `(rN - off)`.
pub(crate) fn at(reg: &str, off: i64) -> String {
    if off < 0 {
        format!("({reg} - {})", -off)
    } else {
        format!("({reg} + {off})")
    }
}

/// Whether the grid keeps cell number `i` of a row: all of them in a full run, else one in
/// `stride` (a different phase per row, so together the rows still touch every offset).
pub(crate) struct Thin {
    pub(crate) stride: u64,
}

impl Thin {
    pub(crate) fn keep(&self, row: &str, i: u64) -> bool {
        if self.stride <= 1 {
            return true;
        }
        let phase = row
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        (i + phase).is_multiple_of(self.stride)
    }
}
