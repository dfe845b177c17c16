//! Helper function prototypes as the verifier sees them: argument types, return type, which
//! program types may call each helper, GPL-only helpers, and helpers that change packet data
//! (and so invalidate every packet pointer). Keyed by the helper's number (`BPF_FUNC_*` in
//! `linux/bpf.h`). The prototypes are the `proto` column of the crate's one helper table,
//! [`crate::isa::helpers::HELPERS`]; this module views them by number and adds the verifier's
//! program-family and map-compatibility rules.
//!
//! Only helpers with a prototype are accepted; a call to any other helper is rejected with a
//! message saying so, rather than checked loosely.

use crate::isa::helpers::HELPERS;
pub use crate::isa::helpers::{avail, Arg, Ret};
use crate::spec::{MapType, ProgramType};

/// One helper's prototype, as the verifier reads it: a row of [`HELPERS`] that has one.
#[derive(Clone, Copy, Debug)]
pub struct Proto {
    /// `BPF_FUNC_*` number.
    pub id: i32,
    /// Name without the `bpf_` prefix.
    pub name: &'static str,
    /// Argument types, `r1` first.
    pub args: &'static [Arg],
    /// Return type.
    pub ret: Ret,
    /// Program families that may call it ([`avail`] bits).
    pub avail: u8,
    /// Callable only from GPL-compatible programs.
    pub gpl_only: bool,
    /// Changes packet data: every packet pointer is invalid after the call.
    pub changes_pkt: bool,
}

fn view(h: &'static crate::isa::helpers::Helper) -> Option<Proto> {
    let p = h.proto?;
    Some(Proto {
        id: i32::try_from(h.id).ok()?,
        name: h.name.strip_prefix("bpf_").unwrap_or(h.name),
        args: p.args,
        ret: p.ret,
        avail: p.avail,
        gpl_only: p.gpl_only,
        changes_pkt: p.changes_pkt,
    })
}

/// The helpers this verifier knows: the rows of [`HELPERS`] with a prototype, in id order.
#[derive(Clone, Copy, Debug)]
pub struct Protos;

impl Protos {
    /// Every modelled helper's prototype, in id order.
    pub fn iter(&self) -> impl Iterator<Item = Proto> {
        HELPERS.iter().filter_map(view)
    }
}

/// The helpers this verifier knows (see [`Protos::iter`]).
pub static PROTOS: Protos = Protos;

/// The prototype of helper `id`, if this verifier knows it.
pub fn proto(id: i32) -> Option<Proto> {
    let h = crate::isa::helpers::helper_by_id(u32::try_from(id).ok()?)?;
    view(h)
}

/// The [`avail`] family of a program type, or `None` if this verifier does not model it.
pub fn family(pt: ProgramType) -> Option<u8> {
    match pt {
        ProgramType::Xdp => Some(avail::XDP),
        ProgramType::SocketFilter => Some(avail::SOCK),
        ProgramType::SchedCls | ProgramType::SchedAct => Some(avail::TC),
        _ => None,
    }
}

/// Map types whose values are plain memory the program may read and write.
pub fn is_data_map(t: MapType) -> bool {
    matches!(
        t,
        MapType::Hash
            | MapType::Array
            | MapType::PercpuHash
            | MapType::PercpuArray
            | MapType::LruHash
            | MapType::LruPercpuHash
            | MapType::LpmTrie
    )
}

/// Whether helper `func` may take a map of type `map` (the kernel's
/// `check_map_func_compatibility`, both directions), or why not.
pub fn map_compatible(func: i32, map: MapType) -> bool {
    let map_ok = match map {
        MapType::ProgArray => func == 12,
        MapType::PerfEventArray => matches!(func, 22 | 25 | 55),
        MapType::CgroupArray => matches!(func, 33 | 37),
        MapType::Ringbuf => matches!(func, 130 | 131 | 134),
        // Programs only look maps of maps up (`check_map_func_compatibility`).
        MapType::ArrayOfMaps | MapType::HashOfMaps => func == 1,
        MapType::Devmap | MapType::DevmapHash | MapType::Xskmap => matches!(func, 51 | 1),
        MapType::Cpumap => func == 51,
        MapType::Queue | MapType::Stack => matches!(func, 87..=89),
        // A bloom filter is pushed to and peeked at (tested), never popped or looked up.
        MapType::BloomFilter => matches!(func, 87 | 89),
        MapType::SkStorage => matches!(func, 107 | 108),
        // Of a socket map, xdp, tc and socket filters (the only families modelled) may look
        // an entry up, update and delete one (the kernel's `may_update_sockmap`); a lookup
        // gives a referenced socket, an update takes one (`transfer/call/sockmap.rs`).
        MapType::Sockmap | MapType::Sockhash => matches!(func, 1..=3),
        MapType::PercpuArray | MapType::PercpuHash | MapType::LruPercpuHash => {
            matches!(func, 1..=3 | 164 | 195)
        }
        // `bpf_timer_init` names the map holding the timer (`transfer/call/timer.rs`).
        MapType::Hash | MapType::LruHash | MapType::Array => matches!(func, 1..=3 | 164 | 169),
        t if is_data_map(t) => matches!(func, 1..=3 | 164),
        _ => false,
    };
    let func_ok = match func {
        12 => map == MapType::ProgArray,
        22 | 25 | 55 => map == MapType::PerfEventArray,
        33 | 37 => map == MapType::CgroupArray,
        130 | 131 | 134 => map == MapType::Ringbuf,
        87..=89 => matches!(map, MapType::Queue | MapType::Stack | MapType::BloomFilter),
        107 | 108 => map == MapType::SkStorage,
        195 => matches!(
            map,
            MapType::PercpuArray | MapType::PercpuHash | MapType::LruPercpuHash
        ),
        51 => matches!(
            map,
            MapType::Devmap | MapType::DevmapHash | MapType::Cpumap | MapType::Xskmap
        ),
        // `bpf_for_each_map_elem`: maps with a `map_for_each_callback`.
        164 => matches!(
            map,
            MapType::Array
                | MapType::PercpuArray
                | MapType::Hash
                | MapType::PercpuHash
                | MapType::LruHash
                | MapType::LruPercpuHash
        ),
        169 => matches!(map, MapType::Hash | MapType::LruHash | MapType::Array),
        _ => true,
    };
    map_ok && func_ok
}

/// Whether helper `id` may take a packet pointer (`PTR_TO_PACKET` or `PTR_TO_PACKET_META`) in
/// an argument other than `ARG_ANYTHING`: the kernel's `pkt_access` flag of the prototype,
/// set on the map helpers that read a key or value (lookup, update, delete, push, per-CPU
/// lookup), `bpf_csum_diff`, the socket lookups and the syncookie helpers. Any other helper
/// given a packet pointer is refused (`helper access to the packet is not allowed`, the
/// kernel's `check_func_arg` through `may_access_direct_pkt_data`).
pub fn pkt_access(id: i32) -> bool {
    matches!(
        id,
        1 | 2 | 3 | 28 | 84 | 85 | 87 | 99 | 100 | 110 | 195 | 204..=207
    )
}

/// Whether helper `id` calls back a function of the program that the verifier explores
/// (`bpf_for_each_map_elem` 164, `bpf_loop` 181): a fact of the helper, used by the control
/// flow graph (the call is a loop head), the value sources and the call transfer.
pub(crate) fn takes_callback(id: i32) -> bool {
    matches!(id, 164 | 181)
}

/// The number of arguments of a helper the helper table gives no prototype for but the
/// verifier models on its own (`transfer/call`: `bpf_per_cpu_ptr` 153, `bpf_this_cpu_ptr` 154,
/// `bpf_kptr_xchg` 194, the dynptr helpers 197-203), as their kernel prototypes declare:
/// registers past them are not read by the call.
pub(crate) fn special_arg_count(id: i32) -> Option<u8> {
    Some(match id {
        154 => 1,
        153 | 194 | 199 | 200 => 2,
        203 => 3,
        197 | 198 => 4,
        201 | 202 => 5,
        _ => return None,
    })
}
