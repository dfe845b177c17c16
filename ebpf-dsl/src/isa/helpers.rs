//! The kernel's BPF helper functions: the number a `call` instruction's `imm` carries and the
//! name the C headers give it (`BPF_FUNC_map_lookup_elem` = 1, called as `bpf_map_lookup_elem`).
//!
//! The table follows `___BPF_FUNC_MAPPER` in the kernel's `include/uapi/linux/bpf.h`, which
//! numbers the helpers 1 (`bpf_map_lookup_elem`) to 211 (`bpf_cgrp_storage_delete`, Linux 6.2).
//! The list is frozen upstream: new kernel functionality is added as kfuncs (called with
//! `src_reg = BPF_PSEUDO_KFUNC_CALL` and a BTF id), not as helpers. Id 0 (`BPF_FUNC_unspec`)
//! is not a helper and is not in the table.
//!
//! One table, one row per helper: its number, its name and — for the helpers the verifier
//! models — its prototype ([`Proto`]: argument kinds, return kind, the program families that
//! may call it, whether it is GPL-only and whether it changes packet data). The assembler and
//! the disassembler take names from it, the verifier takes prototypes from it
//! (`verifier::helpers` adds the verifier's own map-compatibility rules).

/// One kernel helper function.
///
/// The struct is `#[non_exhaustive]` so that more per-helper facts can be added later without
/// breaking users; read it through [`helper_by_name`], [`helper_by_id`] or [`HELPERS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Helper {
    /// The helper number (`enum bpf_func_id`), the `imm` of `call`.
    pub id: u32,
    /// The C name with its `bpf_` prefix, e.g. `bpf_map_lookup_elem`.
    pub name: &'static str,
    /// The prototype as the kernel verifier checks it, for the helpers this crate's verifier
    /// models; `None` for the others (the verifier rejects calls to them, saying so).
    pub proto: Option<Proto>,
}

/// What the verifier requires of one helper argument (`enum bpf_arg_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arg {
    /// `ARG_CONST_MAP_PTR`: a map loaded with `r = map ll`.
    MapPtr,
    /// `ARG_PTR_TO_MAP_KEY`: readable memory of the map's key size.
    MapKey,
    /// `ARG_PTR_TO_MAP_VALUE`: readable memory of the map's value size.
    MapValue,
    /// `ARG_PTR_TO_MAP_VALUE | MEM_UNINIT | MEM_WRITE`: writable memory of the map's value
    /// size (`bpf_map_pop_elem`, `bpf_map_peek_elem`).
    MapValueOut,
    /// `ARG_PTR_TO_MAP_VALUE_OR_NULL`: readable memory of the map's value size, or the
    /// constant 0 (the initial value of `bpf_sk_storage_get`).
    MapValueOrNull,
    /// `ARG_PTR_TO_CTX`: the unmodified context pointer.
    Ctx,
    /// `ARG_PTR_TO_CTX_OR_NULL`: the unmodified context pointer, or the constant 0
    /// (`bpf_get_netns_cookie`).
    CtxOrNull,
    /// `ARG_ANYTHING`: any initialised register.
    Anything,
    /// `ARG_SCALAR`: a number, not a pointer (`bpf_loop`'s count of rounds).
    Scalar,
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
    /// `ARG_PTR_TO_SOCK_COMMON`: a non-NULL socket from a lookup or `__sk_buff.sk`, or the
    /// `PTR_TO_TCP_SOCK` of `bpf_tcp_sock`, not released by the call; no BTF pointer
    /// (`bpf_sk_fullsock`, `bpf_tcp_sock`, `bpf_get_listener_sock`, `bpf_skc_to_mptcp_sock`).
    SockCommon,
    /// `ARG_PTR_TO_BTF_ID_SOCK_COMMON` (the `bpf_skc_to_*` casts, `bpf_sk_assign`, the
    /// syncookie helpers, `bpf_sk_storage_*`): what [`Arg::SockCommon`] takes, or a BTF
    /// pointer whose type starts with a `struct sock_common` (a cast's result, a walked
    /// `struct sock *` that is neither untrusted nor RCU).
    BtfSockCommon,
    /// `ARG_PTR_TO_FIXED_SIZE_MEM`: readable memory of this many bytes (e.g. a `struct iphdr`).
    FixedMem(u8),
    /// `ARG_PTR_TO_FIXED_SIZE_MEM | MEM_WRITE | MEM_ALIGNED`: writable memory of this many
    /// bytes, aligned to its size (the result of `bpf_strtol`, the MTU of `bpf_check_mtu`).
    FixedOut(u8),
    /// `ARG_PTR_TO_FUNC`: a function of the program, the callback (`r2 = my_callback ll`).
    Callback,
    /// `ARG_PTR_TO_STACK_OR_NULL`: a stack pointer (the callback's context) or the constant 0.
    StackOrNull,
    /// `ARG_PTR_TO_MEM_OR_NULL`: writable memory (its size is the next argument) or the
    /// constant 0 (`bpf_snprintf`'s output buffer).
    MemWriteOrNull,
    /// `ARG_PTR_TO_CONST_STR`: a NUL-terminated string at a constant offset of a frozen
    /// read-only map (`.rodata`), whose bytes the verifier reads (`bpf_strncmp`'s second
    /// string, `bpf_snprintf`'s format).
    ConstStr,
    /// `ARG_PTR_TO_SPIN_LOCK`: a pointer to the `struct bpf_spin_lock` of a map value.
    SpinLock,
    /// `ARG_PTR_TO_TIMER`: a pointer to the `struct bpf_timer` of a map value (non-NULL, at
    /// the timer's constant offset).
    Timer,
}

/// What a helper leaves in `r0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
    /// `RET_PTR_TO_SOCKET_OR_NULL` of a pointer cast (`bpf_sk_fullsock`): the full socket
    /// behind the argument, or NULL; it holds the argument's reference, no new one.
    SocketCastOrNull,
    /// `RET_PTR_TO_SOCKET_OR_NULL` holding no reference (`bpf_get_listener_sock`).
    SocketUnrefOrNull,
    /// `RET_PTR_TO_BTF_ID_OR_NULL` of a pointer cast (`bpf_skc_to_tcp_sock`, ...): the kernel
    /// structure named here (`tcp_sock`) behind the argument, or NULL; it holds the argument's
    /// reference, no new one.
    BtfSockCastOrNull(&'static str),
    /// `RET_PTR_TO_BTF_ID_OR_NULL` of a conversion that is not a pointer cast for the
    /// kernel (`bpf_skc_to_unix_sock`): the structure or NULL, holding no reference.
    BtfSockOrNull(&'static str),
    /// `RET_PTR_TO_TCP_SOCK_OR_NULL` (`bpf_tcp_sock`): the socket's `struct bpf_tcp_sock`
    /// view, or NULL; a pointer cast holding the argument's reference.
    TcpSockOrNull,
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

/// One helper's prototype (the kernel's `struct bpf_func_proto`, the parts checked here).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Proto {
    /// Argument kinds, `r1` first.
    pub args: &'static [Arg],
    /// Return kind.
    pub ret: Ret,
    /// Program families that may call it ([`avail`] bits).
    pub avail: u8,
    /// Callable only from GPL-compatible programs.
    pub gpl_only: bool,
    /// Changes packet data: every packet pointer is invalid after the call.
    pub changes_pkt: bool,
}

const fn h(id: u32, name: &'static str, proto: Option<Proto>) -> Helper {
    Helper { id, name, proto }
}

const fn p(
    args: &'static [Arg],
    ret: Ret,
    avail: u8,
    gpl_only: bool,
    changes_pkt: bool,
) -> Option<Proto> {
    Some(Proto {
        args,
        ret,
        avail,
        gpl_only,
        changes_pkt,
    })
}

use Arg::*;

const X: u8 = avail::XDP;
const S: u8 = avail::SOCK;
const T: u8 = avail::TC;
const A: u8 = avail::ALL;

/// The highest helper number the table knows (`BPF_FUNC_cgrp_storage_delete`, Linux 6.2).
pub const MAX_HELPER_ID: u32 = 211;

/// Every helper, in id order: `HELPERS[i].id == i + 1`. Columns of a modelled helper's
/// prototype: arguments, return kind, program families (`X` XDP, `S` socket filter, `T` tc,
/// `A` all three), GPL-only, changes packet data.
#[rustfmt::skip]
pub static HELPERS: [Helper; MAX_HELPER_ID as usize] = [
    h(1, "bpf_map_lookup_elem", p(&[MapPtr, MapKey], Ret::MapValueOrNull, A, false, false)),
    h(2, "bpf_map_update_elem", p(&[MapPtr, MapKey, MapValue, Anything], Ret::Integer, A, false, false)),
    h(3, "bpf_map_delete_elem", p(&[MapPtr, MapKey], Ret::Integer, A, false, false)),
    h(4, "bpf_probe_read", None),
    h(5, "bpf_ktime_get_ns", p(&[], Ret::Integer, A, false, false)),
    // Only the format and its size are checked: the kernel's prototype leaves r3-r5 as
    // `ARG_DONTCARE`, so `bpf_printk` with fewer than three values may leave them unset.
    h(6, "bpf_trace_printk", p(&[MemRead, Size], Ret::Integer, A, true, false)),
    h(7, "bpf_get_prandom_u32", p(&[], Ret::Integer, A, false, false)),
    h(8, "bpf_get_smp_processor_id", p(&[], Ret::Integer, A, false, false)),
    h(9, "bpf_skb_store_bytes", p(&[Ctx, Anything, MemRead, Size, Anything], Ret::Integer, T, false, true)),
    h(10, "bpf_l3_csum_replace", p(&[Ctx, Anything, Anything, Anything, Anything], Ret::Integer, T, false, true)),
    h(11, "bpf_l4_csum_replace", p(&[Ctx, Anything, Anything, Anything, Anything], Ret::Integer, T, false, true)),
    h(12, "bpf_tail_call", p(&[Ctx, MapPtr, Anything], Ret::Void, A, false, false)),
    h(13, "bpf_clone_redirect", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, true)),
    h(14, "bpf_get_current_pid_tgid", p(&[], Ret::Integer, A, false, false)),
    h(15, "bpf_get_current_uid_gid", p(&[], Ret::Integer, A, false, false)),
    h(16, "bpf_get_current_comm", p(&[MemWrite, Size], Ret::Integer, A, false, false)),
    h(17, "bpf_get_cgroup_classid", p(&[Ctx], Ret::Integer, T, false, false)),
    h(18, "bpf_skb_vlan_push", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, true)),
    h(19, "bpf_skb_vlan_pop", p(&[Ctx], Ret::Integer, T, false, true)),
    h(20, "bpf_skb_get_tunnel_key", p(&[Ctx, MemWrite, Size, Anything], Ret::Integer, T, false, false)),
    h(21, "bpf_skb_set_tunnel_key", p(&[Ctx, MemRead, Size, Anything], Ret::Integer, T, false, false)),
    h(22, "bpf_perf_event_read", p(&[MapPtr, Anything], Ret::Integer, A, true, false)),
    h(23, "bpf_redirect", p(&[Anything, Anything], Ret::Integer, X | T, false, false)),
    h(24, "bpf_get_route_realm", p(&[Ctx], Ret::Integer, T, false, false)),
    h(25, "bpf_perf_event_output", p(&[Ctx, MapPtr, Anything, MemRead, SizeOrZero], Ret::Integer, A, true, false)),
    h(26, "bpf_skb_load_bytes", p(&[Ctx, Anything, MemWrite, Size], Ret::Integer, S | T, false, false)),
    h(27, "bpf_get_stackid", None),
    h(28, "bpf_csum_diff", p(&[MemReadOrNull, SizeOrZero, MemReadOrNull, SizeOrZero, Anything], Ret::Integer, X | T, false, false)),
    h(29, "bpf_skb_get_tunnel_opt", p(&[Ctx, MemWrite, Size], Ret::Integer, T, false, false)),
    h(30, "bpf_skb_set_tunnel_opt", p(&[Ctx, MemRead, Size], Ret::Integer, T, false, false)),
    h(31, "bpf_skb_change_proto", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, true)),
    h(32, "bpf_skb_change_type", p(&[Ctx, Anything], Ret::Integer, T, false, false)),
    h(33, "bpf_skb_under_cgroup", p(&[Ctx, MapPtr, Anything], Ret::Integer, T, false, false)),
    h(34, "bpf_get_hash_recalc", p(&[Ctx], Ret::Integer, T, false, false)),
    h(35, "bpf_get_current_task", p(&[], Ret::Integer, A, true, false)),
    h(36, "bpf_probe_write_user", None),
    h(37, "bpf_current_task_under_cgroup", p(&[MapPtr, Anything], Ret::Integer, A, false, false)),
    h(38, "bpf_skb_change_tail", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, true)),
    h(39, "bpf_skb_pull_data", p(&[Ctx, Anything], Ret::Integer, T, false, true)),
    h(40, "bpf_csum_update", p(&[Ctx, Anything], Ret::Integer, T, false, false)),
    h(41, "bpf_set_hash_invalid", p(&[Ctx], Ret::Integer, T, false, false)),
    h(42, "bpf_get_numa_node_id", p(&[], Ret::Integer, A, false, false)),
    h(43, "bpf_skb_change_head", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, true)),
    h(44, "bpf_xdp_adjust_head", p(&[Ctx, Anything], Ret::Integer, X, false, true)),
    h(45, "bpf_probe_read_str", None),
    h(46, "bpf_get_socket_cookie", p(&[Ctx], Ret::Integer, S | T, false, false)),
    h(47, "bpf_get_socket_uid", p(&[Ctx], Ret::Integer, S | T, false, false)),
    h(48, "bpf_set_hash", p(&[Ctx, Anything], Ret::Integer, T, false, false)),
    h(49, "bpf_setsockopt", None),
    h(50, "bpf_skb_adjust_room", p(&[Ctx, Anything, Anything, Anything], Ret::Integer, T, false, true)),
    h(51, "bpf_redirect_map", p(&[MapPtr, Anything, Anything], Ret::Integer, X, false, false)),
    h(52, "bpf_sk_redirect_map", None),
    h(53, "bpf_sock_map_update", None),
    h(54, "bpf_xdp_adjust_meta", p(&[Ctx, Anything], Ret::Integer, X, false, true)),
    h(55, "bpf_perf_event_read_value", p(&[MapPtr, Anything, MemWrite, Size], Ret::Integer, A, true, false)),
    h(56, "bpf_perf_prog_read_value", None),
    h(57, "bpf_getsockopt", None),
    h(58, "bpf_override_return", None),
    h(59, "bpf_sock_ops_cb_flags_set", None),
    h(60, "bpf_msg_redirect_map", None),
    h(61, "bpf_msg_apply_bytes", None),
    h(62, "bpf_msg_cork_bytes", None),
    h(63, "bpf_msg_pull_data", None),
    h(64, "bpf_bind", None),
    h(65, "bpf_xdp_adjust_tail", p(&[Ctx, Anything], Ret::Integer, X, false, true)),
    h(66, "bpf_skb_get_xfrm_state", p(&[Ctx, Anything, MemWrite, Size, Anything], Ret::Integer, T, false, false)),
    h(67, "bpf_get_stack", None),
    h(68, "bpf_skb_load_bytes_relative", p(&[Ctx, Anything, MemWrite, Size, Anything], Ret::Integer, S | T, false, false)),
    // GPL-only: `bpf_xdp_fib_lookup_proto` and `bpf_skb_fib_lookup_proto` say so (6.12, 6.18, 7.2).
    h(69, "bpf_fib_lookup", p(&[Ctx, MemWrite, Size, Anything], Ret::Integer, X | T, true, false)),
    h(70, "bpf_sock_hash_update", None),
    h(71, "bpf_msg_redirect_hash", None),
    h(72, "bpf_sk_redirect_hash", None),
    h(73, "bpf_lwt_push_encap", None),
    h(74, "bpf_lwt_seg6_store_bytes", None),
    h(75, "bpf_lwt_seg6_adjust_srh", None),
    h(76, "bpf_lwt_seg6_action", None),
    h(77, "bpf_rc_repeat", None),
    h(78, "bpf_rc_keydown", None),
    h(79, "bpf_skb_cgroup_id", p(&[Ctx], Ret::Integer, T, false, false)),
    h(80, "bpf_get_current_cgroup_id", p(&[], Ret::Integer, A, false, false)),
    h(81, "bpf_get_local_storage", None),
    h(82, "bpf_sk_select_reuseport", None),
    h(83, "bpf_skb_ancestor_cgroup_id", p(&[Ctx, Anything], Ret::Integer, T, false, false)),
    h(84, "bpf_sk_lookup_tcp", p(&[Ctx, MemRead, SizeOrZero, Anything, Anything], Ret::SocketOrNull, X | T, false, false)),
    h(85, "bpf_sk_lookup_udp", p(&[Ctx, MemRead, SizeOrZero, Anything, Anything], Ret::SocketOrNull, X | T, false, false)),
    h(86, "bpf_sk_release", p(&[SockRelease], Ret::Integer, X | T, false, false)),
    h(87, "bpf_map_push_elem", p(&[MapPtr, MapValue, Anything], Ret::Integer, A, false, false)),
    h(88, "bpf_map_pop_elem", p(&[MapPtr, MapValueOut], Ret::Integer, A, false, false)),
    h(89, "bpf_map_peek_elem", p(&[MapPtr, MapValueOut], Ret::Integer, A, false, false)),
    h(90, "bpf_msg_push_data", None),
    h(91, "bpf_msg_pop_data", None),
    h(92, "bpf_rc_pointer_rel", None),
    h(93, "bpf_spin_lock", p(&[SpinLock], Ret::Void, A, false, false)),
    h(94, "bpf_spin_unlock", p(&[SpinLock], Ret::Void, A, false, false)),
    h(95, "bpf_sk_fullsock", p(&[SockCommon], Ret::SocketCastOrNull, T, false, false)),
    h(96, "bpf_tcp_sock", p(&[SockCommon], Ret::TcpSockOrNull, T, false, false)),
    h(97, "bpf_skb_ecn_set_ce", p(&[Ctx], Ret::Integer, T, false, false)),
    h(98, "bpf_get_listener_sock", p(&[SockCommon], Ret::SocketUnrefOrNull, T, false, false)),
    h(99, "bpf_skc_lookup_tcp", p(&[Ctx, MemRead, SizeOrZero, Anything, Anything], Ret::SockCommonOrNull, X | T, false, false)),
    h(100, "bpf_tcp_check_syncookie", p(&[BtfSockCommon, MemRead, Size, MemRead, Size], Ret::Integer, X | T, true, false)),
    h(101, "bpf_sysctl_get_name", None),
    h(102, "bpf_sysctl_get_current_value", None),
    h(103, "bpf_sysctl_get_new_value", None),
    h(104, "bpf_sysctl_set_new_value", None),
    h(105, "bpf_strtol", p(&[MemRead, Size, Anything, FixedOut(8)], Ret::Integer, A, false, false)),
    h(106, "bpf_strtoul", p(&[MemRead, Size, Anything, FixedOut(8)], Ret::Integer, A, false, false)),
    h(107, "bpf_sk_storage_get", p(&[MapPtr, BtfSockCommon, MapValueOrNull, Anything], Ret::MapValueOrNull, T, false, false)),
    h(108, "bpf_sk_storage_delete", p(&[MapPtr, BtfSockCommon], Ret::Integer, T, false, false)),
    h(109, "bpf_send_signal", p(&[Anything], Ret::Integer, A, false, false)),
    h(110, "bpf_tcp_gen_syncookie", p(&[BtfSockCommon, MemRead, Size, MemRead, Size], Ret::Integer, X | T, true, false)),
    h(111, "bpf_skb_output", None),
    h(112, "bpf_probe_read_user", p(&[MemWrite, SizeOrZero, Anything], Ret::Integer, A, true, false)),
    h(113, "bpf_probe_read_kernel", p(&[MemWrite, SizeOrZero, Anything], Ret::Integer, A, true, false)),
    h(114, "bpf_probe_read_user_str", p(&[MemWrite, SizeOrZero, Anything], Ret::Integer, A, true, false)),
    h(115, "bpf_probe_read_kernel_str", p(&[MemWrite, SizeOrZero, Anything], Ret::Integer, A, true, false)),
    h(116, "bpf_tcp_send_ack", None),
    h(117, "bpf_send_signal_thread", p(&[Anything], Ret::Integer, A, false, false)),
    h(118, "bpf_jiffies64", p(&[], Ret::Integer, A, false, false)),
    h(119, "bpf_read_branch_records", None),
    h(120, "bpf_get_ns_current_pid_tgid", p(&[Anything, Anything, MemWrite, Size], Ret::Integer, A, false, false)),
    h(121, "bpf_xdp_output", None),
    h(122, "bpf_get_netns_cookie", p(&[CtxOrNull], Ret::Integer, S | T, false, false)),
    h(123, "bpf_get_current_ancestor_cgroup_id", p(&[Anything], Ret::Integer, A, false, false)),
    h(124, "bpf_sk_assign", p(&[Ctx, BtfSockCommon, Anything], Ret::Integer, T, false, false)),
    h(125, "bpf_ktime_get_boot_ns", p(&[], Ret::Integer, A, false, false)),
    h(126, "bpf_seq_printf", None),
    h(127, "bpf_seq_write", None),
    h(128, "bpf_sk_cgroup_id", None),
    h(129, "bpf_sk_ancestor_cgroup_id", None),
    h(130, "bpf_ringbuf_output", p(&[MapPtr, MemRead, SizeOrZero, Anything], Ret::Integer, A, false, false)),
    h(131, "bpf_ringbuf_reserve", p(&[MapPtr, AllocSize, Anything], Ret::RingbufMemOrNull, A, false, false)),
    h(132, "bpf_ringbuf_submit", p(&[RingbufMem, Anything], Ret::Void, A, false, false)),
    h(133, "bpf_ringbuf_discard", p(&[RingbufMem, Anything], Ret::Void, A, false, false)),
    h(134, "bpf_ringbuf_query", p(&[MapPtr, Anything], Ret::Integer, A, false, false)),
    h(135, "bpf_csum_level", p(&[Ctx, Anything], Ret::Integer, T, false, false)),
    h(136, "bpf_skc_to_tcp6_sock", p(&[BtfSockCommon], Ret::BtfSockCastOrNull("tcp6_sock"), A, false, false)),
    h(137, "bpf_skc_to_tcp_sock", p(&[BtfSockCommon], Ret::BtfSockCastOrNull("tcp_sock"), A, false, false)),
    h(138, "bpf_skc_to_tcp_timewait_sock", p(&[BtfSockCommon], Ret::BtfSockCastOrNull("tcp_timewait_sock"), A, false, false)),
    h(139, "bpf_skc_to_tcp_request_sock", p(&[BtfSockCommon], Ret::BtfSockCastOrNull("tcp_request_sock"), A, false, false)),
    h(140, "bpf_skc_to_udp6_sock", p(&[BtfSockCommon], Ret::BtfSockCastOrNull("udp6_sock"), A, false, false)),
    h(141, "bpf_get_task_stack", None),
    h(142, "bpf_load_hdr_opt", None),
    h(143, "bpf_store_hdr_opt", None),
    h(144, "bpf_reserve_hdr_opt", None),
    h(145, "bpf_inode_storage_get", None),
    h(146, "bpf_inode_storage_delete", None),
    h(147, "bpf_d_path", None),
    h(148, "bpf_copy_from_user", None),
    h(149, "bpf_snprintf_btf", None),
    h(150, "bpf_seq_printf_btf", None),
    h(151, "bpf_skb_cgroup_classid", p(&[Ctx], Ret::Integer, T, false, false)),
    h(152, "bpf_redirect_neigh", p(&[Anything, MemReadOrNull, SizeOrZero, Anything], Ret::Integer, T, false, false)),
    h(153, "bpf_per_cpu_ptr", None),
    h(154, "bpf_this_cpu_ptr", None),
    h(155, "bpf_redirect_peer", p(&[Anything, Anything], Ret::Integer, T, false, false)),
    h(156, "bpf_task_storage_get", None),
    h(157, "bpf_task_storage_delete", None),
    h(158, "bpf_get_current_task_btf", None),
    h(159, "bpf_bprm_opts_set", None),
    h(160, "bpf_ktime_get_coarse_ns", p(&[], Ret::Integer, A, false, false)),
    h(161, "bpf_ima_inode_hash", None),
    h(162, "bpf_sock_from_file", None),
    h(163, "bpf_check_mtu", p(&[Ctx, Anything, FixedOut(4), Anything, Anything], Ret::Integer, X | T, true, false)),
    h(164, "bpf_for_each_map_elem", p(&[MapPtr, Callback, StackOrNull, Anything], Ret::Integer, A, false, false)),
    // The format is checked as the kernel's `bpf_bprintf_prepare` does, with r5 / 8 arguments.
    h(165, "bpf_snprintf", p(&[MemWriteOrNull, SizeOrZero, ConstStr, MemReadOrNull, SizeOrZero], Ret::Integer, A, true, false)),
    h(166, "bpf_sys_bpf", None),
    h(167, "bpf_btf_find_by_name_kind", None),
    h(168, "bpf_sys_close", None),
    // The map of `bpf_timer_init` must be the one the timer's value came from; the callback of
    // `bpf_timer_set_callback` is verified on its own path (`transfer/call/timer.rs`).
    h(169, "bpf_timer_init", p(&[Timer, MapPtr, Anything], Ret::Integer, A, true, false)),
    h(170, "bpf_timer_set_callback", p(&[Timer, Callback], Ret::Integer, A, true, false)),
    h(171, "bpf_timer_start", p(&[Timer, Anything, Anything], Ret::Integer, A, true, false)),
    h(172, "bpf_timer_cancel", p(&[Timer], Ret::Integer, A, true, false)),
    h(173, "bpf_get_func_ip", None),
    h(174, "bpf_get_attach_cookie", None),
    h(175, "bpf_task_pt_regs", None),
    h(176, "bpf_get_branch_snapshot", None),
    // The data's length (a multiple of 8, at most 12 values) is checked at run time, not by
    // the verifier.
    h(177, "bpf_trace_vprintk", p(&[MemRead, Size, MemReadOrNull, SizeOrZero], Ret::Integer, A, true, false)),
    h(178, "bpf_skc_to_unix_sock", p(&[BtfSockCommon], Ret::BtfSockOrNull("unix_sock"), A, false, false)),
    h(179, "bpf_kallsyms_lookup_name", None),
    h(180, "bpf_find_vma", None),
    h(181, "bpf_loop", p(&[Scalar, Callback, StackOrNull, Anything], Ret::Integer, A, false, false)),
    h(182, "bpf_strncmp", p(&[MemRead, Size, ConstStr], Ret::Integer, A, false, false)),
    h(183, "bpf_get_func_arg", None),
    h(184, "bpf_get_func_ret", None),
    h(185, "bpf_get_func_arg_cnt", None),
    h(186, "bpf_get_retval", None),
    h(187, "bpf_set_retval", None),
    h(188, "bpf_xdp_get_buff_len", p(&[Ctx], Ret::Integer, X, false, false)),
    h(189, "bpf_xdp_load_bytes", p(&[Ctx, Anything, MemWrite, Size], Ret::Integer, X, false, false)),
    // Writes into the packet without moving it: not in the kernel's `bpf_helper_changes_pkt_data`,
    // so packet pointers stay valid across it.
    h(190, "bpf_xdp_store_bytes", p(&[Ctx, Anything, MemRead, Size], Ret::Integer, X, false, false)),
    h(191, "bpf_copy_from_user_task", None),
    h(192, "bpf_skb_set_tstamp", p(&[Ctx, Anything, Anything], Ret::Integer, T, false, false)),
    h(193, "bpf_ima_file_hash", None),
    h(194, "bpf_kptr_xchg", None),
    h(195, "bpf_map_lookup_percpu_elem", p(&[MapPtr, MapKey, Anything], Ret::MapValueOrNull, A, false, false)),
    h(196, "bpf_skc_to_mptcp_sock", p(&[SockCommon], Ret::BtfSockCastOrNull("mptcp_sock"), A, false, false)),
    h(197, "bpf_dynptr_from_mem", None),
    h(198, "bpf_ringbuf_reserve_dynptr", None),
    h(199, "bpf_ringbuf_submit_dynptr", None),
    h(200, "bpf_ringbuf_discard_dynptr", None),
    h(201, "bpf_dynptr_read", None),
    h(202, "bpf_dynptr_write", None),
    h(203, "bpf_dynptr_data", None),
    h(204, "bpf_tcp_raw_gen_syncookie_ipv4", p(&[FixedMem(20), MemRead, SizeOrZero], Ret::Integer, X | T, true, false)),
    h(205, "bpf_tcp_raw_gen_syncookie_ipv6", p(&[FixedMem(40), MemRead, SizeOrZero], Ret::Integer, X | T, true, false)),
    h(206, "bpf_tcp_raw_check_syncookie_ipv4", p(&[FixedMem(20), FixedMem(20)], Ret::Integer, X | T, true, false)),
    h(207, "bpf_tcp_raw_check_syncookie_ipv6", p(&[FixedMem(40), FixedMem(20)], Ret::Integer, X | T, true, false)),
    h(208, "bpf_ktime_get_tai_ns", p(&[], Ret::Integer, A, false, false)),
    h(209, "bpf_user_ringbuf_drain", None),
    h(210, "bpf_cgrp_storage_get", None),
    h(211, "bpf_cgrp_storage_delete", None),
];

/// The helper numbered `id`, or `None` for 0 and numbers beyond [`MAX_HELPER_ID`].
pub fn helper_by_id(id: u32) -> Option<&'static Helper> {
    let index = usize::try_from(id.checked_sub(1)?).ok()?;
    HELPERS.get(index)
}

/// The helper called `name`. Both the C name (`bpf_redirect_map`) and the name without its
/// `bpf_` prefix (`redirect_map`, as in `BPF_FUNC_redirect_map`) are accepted.
pub fn helper_by_name(name: &str) -> Option<&'static Helper> {
    let full = HELPERS.iter().find(|h| h.name == name);
    full.or_else(|| {
        HELPERS
            .iter()
            .find(|h| h.name.strip_prefix("bpf_") == Some(name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_in_order() {
        for (i, h) in HELPERS.iter().enumerate() {
            assert_eq!(h.id as usize, i + 1, "{}", h.name);
            assert_eq!(helper_by_id(h.id), Some(h));
            assert_eq!(helper_by_name(h.name), Some(h));
            assert!(h.name.starts_with("bpf_"), "{}", h.name);
            if let Some(p) = h.proto {
                assert!(p.avail != 0 && p.avail & !avail::ALL == 0, "{}", h.name);
            }
        }
    }

    #[test]
    fn well_known_ids() {
        // Numbers from include/uapi/linux/bpf.h (Linux 6.x).
        let known = [
            ("bpf_map_lookup_elem", 1),
            ("bpf_map_update_elem", 2),
            ("bpf_map_delete_elem", 3),
            ("bpf_trace_printk", 6),
            ("bpf_get_prandom_u32", 7),
            ("bpf_tail_call", 12),
            ("bpf_redirect", 23),
            ("bpf_perf_event_output", 25),
            ("bpf_xdp_adjust_head", 44),
            ("bpf_redirect_map", 51),
            ("bpf_xdp_adjust_meta", 54),
            ("bpf_xdp_adjust_tail", 65),
            ("bpf_fib_lookup", 69),
            ("bpf_ktime_get_boot_ns", 125),
            ("bpf_ringbuf_output", 130),
            ("bpf_ringbuf_reserve", 131),
            ("bpf_ringbuf_submit", 132),
            ("bpf_loop", 181),
            ("bpf_xdp_get_buff_len", 188),
            ("bpf_xdp_load_bytes", 189),
            ("bpf_xdp_store_bytes", 190),
            ("bpf_user_ringbuf_drain", 209),
            ("bpf_cgrp_storage_get", 210),
            ("bpf_cgrp_storage_delete", 211),
        ];
        for (name, id) in known {
            assert_eq!(helper_by_name(name).map(|h| h.id), Some(id), "{name}");
            assert_eq!(helper_by_id(id).map(|h| h.name), Some(name));
        }
    }

    #[test]
    fn short_names_and_misses() {
        assert_eq!(helper_by_name("redirect_map").map(|h| h.id), Some(51));
        assert_eq!(helper_by_name("bpf_unspec"), None);
        assert_eq!(helper_by_name("unspec"), None);
        assert_eq!(helper_by_name("bpf_no_such_helper"), None);
        assert_eq!(helper_by_name(""), None);
        assert_eq!(helper_by_id(0), None);
        assert_eq!(helper_by_id(212), None);
        assert_eq!(helper_by_id(u32::MAX), None);
    }
}
