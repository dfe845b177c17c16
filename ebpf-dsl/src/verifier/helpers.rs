//! Helper function prototypes as the verifier sees them: argument types, return type, which
//! program types may call each helper, GPL-only helpers, and helpers that change packet data
//! (and so invalidate every packet pointer). Keyed by the helper's number (`BPF_FUNC_*` in
//! `linux/bpf.h`).
//!
//! Only helpers listed here are accepted; a call to any other helper is rejected with a message
//! saying so, rather than checked loosely.

use crate::spec::{MapType, ProgramType};

/// What the verifier requires of one helper argument (`enum bpf_arg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// `ARG_CONST_MAP_PTR`: a map loaded with `r = map ll`.
    MapPtr,
    /// `ARG_PTR_TO_MAP_KEY`: readable memory of the map's key size.
    MapKey,
    /// `ARG_PTR_TO_MAP_VALUE`: readable memory of the map's value size.
    MapValue,
    /// `ARG_PTR_TO_CTX`: the unmodified context pointer.
    Ctx,
    /// `ARG_ANYTHING`: any initialised register.
    Anything,
    /// `ARG_PTR_TO_MEM | MEM_RDONLY`: readable memory; its size is the next argument.
    MemRead,
    /// `ARG_PTR_TO_MEM | MEM_RDONLY | PTR_MAYBE_NULL`: like [`Arg::MemRead`], or the constant 0.
    MemReadOrNull,
    /// `ARG_PTR_TO_UNINIT_MEM` / `ARG_PTR_TO_MEM`: writable memory; its size is the next argument.
    MemWrite,
    /// `ARG_CONST_SIZE`: a bounded, non-zero size for the previous memory argument.
    Size,
    /// `ARG_CONST_SIZE_OR_ZERO`: a bounded size, possibly zero.
    SizeOrZero,
    /// `ARG_CONST_ALLOC_SIZE_OR_ZERO`: a known constant size (ring buffer reservations).
    AllocSize,
    /// `ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE`: a pointer returned by `bpf_ringbuf_reserve`.
    RingbufMem,
    /// `ARG_PTR_TO_BTF_ID_SOCK_COMMON | OBJ_RELEASE`: a non-NULL socket from a lookup.
    SockRelease,
}

/// What a helper leaves in `r0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ret {
    /// `RET_INTEGER`: a scalar.
    Integer,
    /// `RET_VOID`: nothing (`r0` becomes uninitialised).
    Void,
    /// `RET_PTR_TO_MAP_VALUE_OR_NULL`: a map value (or an XSK / device entry), or NULL.
    MapValueOrNull,
    /// `RET_PTR_TO_RINGBUF_MEM_OR_NULL`: reserved ring buffer memory, or NULL.
    RingbufMemOrNull,
    /// `RET_PTR_TO_SOCKET_OR_NULL`: a referenced socket, or NULL.
    SocketOrNull,
    /// `RET_PTR_TO_SOCK_COMMON_OR_NULL`: a referenced `sock_common`, or NULL.
    SockCommonOrNull,
}

/// Program families a helper is offered to.
pub mod avail {
    /// XDP programs.
    pub const XDP: u8 = 1;
    /// Socket filters.
    pub const SOCK: u8 = 2;
    /// tc classifiers and actions.
    pub const TC: u8 = 4;
    /// All three.
    pub const ALL: u8 = XDP | SOCK | TC;
}

/// One helper's prototype.
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

use Arg::*;

const fn p(
    id: i32,
    name: &'static str,
    args: &'static [Arg],
    ret: Ret,
    avail: u8,
    gpl_only: bool,
    changes_pkt: bool,
) -> Proto {
    Proto {
        id,
        name,
        args,
        ret,
        avail,
        gpl_only,
        changes_pkt,
    }
}

const X: u8 = avail::XDP;
const S: u8 = avail::SOCK;
const T: u8 = avail::TC;
const A: u8 = avail::ALL;

/// The helpers this verifier knows.
pub static PROTOS: &[Proto] = &[
    p(
        1,
        "map_lookup_elem",
        &[MapPtr, MapKey],
        Ret::MapValueOrNull,
        A,
        false,
        false,
    ),
    p(
        2,
        "map_update_elem",
        &[MapPtr, MapKey, MapValue, Anything],
        Ret::Integer,
        A,
        false,
        false,
    ),
    p(
        3,
        "map_delete_elem",
        &[MapPtr, MapKey],
        Ret::Integer,
        A,
        false,
        false,
    ),
    p(5, "ktime_get_ns", &[], Ret::Integer, A, false, false),
    p(
        6,
        "trace_printk",
        &[MemRead, Size, Anything, Anything, Anything],
        Ret::Integer,
        A,
        true,
        false,
    ),
    p(7, "get_prandom_u32", &[], Ret::Integer, A, false, false),
    p(
        8,
        "get_smp_processor_id",
        &[],
        Ret::Integer,
        A,
        false,
        false,
    ),
    p(
        9,
        "skb_store_bytes",
        &[Ctx, Anything, MemRead, Size, Anything],
        Ret::Integer,
        T,
        false,
        true,
    ),
    p(
        10,
        "l3_csum_replace",
        &[Ctx, Anything, Anything, Anything, Anything],
        Ret::Integer,
        T,
        false,
        true,
    ),
    p(
        11,
        "l4_csum_replace",
        &[Ctx, Anything, Anything, Anything, Anything],
        Ret::Integer,
        T,
        false,
        true,
    ),
    p(
        12,
        "tail_call",
        &[Ctx, MapPtr, Anything],
        Ret::Void,
        A,
        false,
        false,
    ),
    p(
        13,
        "clone_redirect",
        &[Ctx, Anything, Anything],
        Ret::Integer,
        T,
        false,
        true,
    ),
    p(
        23,
        "redirect",
        &[Anything, Anything],
        Ret::Integer,
        X | T,
        false,
        false,
    ),
    p(
        25,
        "perf_event_output",
        &[Ctx, MapPtr, Anything, MemRead, SizeOrZero],
        Ret::Integer,
        A,
        true,
        false,
    ),
    p(
        26,
        "skb_load_bytes",
        &[Ctx, Anything, MemWrite, Size],
        Ret::Integer,
        S | T,
        false,
        false,
    ),
    p(
        28,
        "csum_diff",
        &[
            MemReadOrNull,
            SizeOrZero,
            MemReadOrNull,
            SizeOrZero,
            Anything,
        ],
        Ret::Integer,
        X | T,
        false,
        false,
    ),
    p(34, "get_hash_recalc", &[Ctx], Ret::Integer, T, false, false),
    p(42, "get_numa_node_id", &[], Ret::Integer, A, false, false),
    p(
        44,
        "xdp_adjust_head",
        &[Ctx, Anything],
        Ret::Integer,
        X,
        false,
        true,
    ),
    p(
        46,
        "get_socket_cookie",
        &[Ctx],
        Ret::Integer,
        S | T,
        false,
        false,
    ),
    p(
        47,
        "get_socket_uid",
        &[Ctx],
        Ret::Integer,
        S | T,
        false,
        false,
    ),
    p(
        51,
        "redirect_map",
        &[MapPtr, Anything, Anything],
        Ret::Integer,
        X,
        false,
        false,
    ),
    p(
        54,
        "xdp_adjust_meta",
        &[Ctx, Anything],
        Ret::Integer,
        X,
        false,
        true,
    ),
    p(
        65,
        "xdp_adjust_tail",
        &[Ctx, Anything],
        Ret::Integer,
        X,
        false,
        true,
    ),
    p(
        69,
        "fib_lookup",
        &[Ctx, MemWrite, Size, Anything],
        Ret::Integer,
        X | T,
        false,
        false,
    ),
    p(
        84,
        "sk_lookup_tcp",
        &[Ctx, MemRead, Size, Anything, Anything],
        Ret::SocketOrNull,
        X | T,
        false,
        false,
    ),
    p(
        85,
        "sk_lookup_udp",
        &[Ctx, MemRead, Size, Anything, Anything],
        Ret::SocketOrNull,
        X | T,
        false,
        false,
    ),
    p(
        86,
        "sk_release",
        &[SockRelease],
        Ret::Integer,
        X | T,
        false,
        false,
    ),
    p(
        99,
        "skc_lookup_tcp",
        &[Ctx, MemRead, Size, Anything, Anything],
        Ret::SockCommonOrNull,
        X | T,
        false,
        false,
    ),
    p(125, "ktime_get_boot_ns", &[], Ret::Integer, A, false, false),
    p(
        130,
        "ringbuf_output",
        &[MapPtr, MemRead, SizeOrZero, Anything],
        Ret::Integer,
        A,
        false,
        false,
    ),
    p(
        131,
        "ringbuf_reserve",
        &[MapPtr, AllocSize, Anything],
        Ret::RingbufMemOrNull,
        A,
        false,
        false,
    ),
    p(
        132,
        "ringbuf_submit",
        &[RingbufMem, Anything],
        Ret::Void,
        A,
        false,
        false,
    ),
    p(
        133,
        "ringbuf_discard",
        &[RingbufMem, Anything],
        Ret::Void,
        A,
        false,
        false,
    ),
    p(
        134,
        "ringbuf_query",
        &[MapPtr, Anything],
        Ret::Integer,
        A,
        false,
        false,
    ),
    p(
        188,
        "xdp_get_buff_len",
        &[Ctx],
        Ret::Integer,
        X,
        false,
        false,
    ),
    p(
        189,
        "xdp_load_bytes",
        &[Ctx, Anything, MemWrite, Size],
        Ret::Integer,
        X,
        false,
        false,
    ),
    p(
        190,
        "xdp_store_bytes",
        &[Ctx, Anything, MemRead, Size],
        Ret::Integer,
        X,
        false,
        true,
    ),
];

/// The prototype of helper `id`, if this verifier knows it.
pub fn proto(id: i32) -> Option<&'static Proto> {
    PROTOS.iter().find(|p| p.id == id)
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
        MapType::PerfEventArray => func == 25,
        MapType::Ringbuf => matches!(func, 130 | 131 | 134),
        MapType::Devmap | MapType::DevmapHash | MapType::Xskmap => matches!(func, 51 | 1),
        MapType::Cpumap => func == 51,
        t if is_data_map(t) => matches!(func, 1..=3),
        _ => false,
    };
    let func_ok = match func {
        12 => map == MapType::ProgArray,
        25 => map == MapType::PerfEventArray,
        130 | 131 | 134 => map == MapType::Ringbuf,
        51 => matches!(
            map,
            MapType::Devmap | MapType::DevmapHash | MapType::Cpumap | MapType::Xskmap
        ),
        _ => true,
    };
    map_ok && func_ok
}
