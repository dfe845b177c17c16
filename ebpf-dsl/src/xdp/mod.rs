//! XDP building blocks, mirroring clj-ebpf's `dsl.xdp`: the `struct xdp_md` context fields, the
//! actions, redirects to AF_XDP sockets through an XSKMAP, bounds checks and bounds-checked
//! header parsing. Every function returns [`Item`]s (data, not text); the same functions back
//! the assembler's and `defprogram!`'s snippets (see [`crate::snippet`]).
//!
//! # Register contract of the parsers
//!
//! The packet parsers work on *header pointers*: a register holding a packet pointer
//! (`PTR_TO_PACKET` to the verifier) to the start of a header, plus the register holding
//! `data_end` (`PTR_TO_PACKET_END`). Each parser
//!
//! * first emits the bounds check the verifier needs (`if hdr + LEN > data_end goto fail`),
//!   using an *output* register as the scratch register, so no extra register is needed; where
//!   the parser returns the next header's pointer (`out_l3` of [`parse_eth_vlan`], `out_l4` of
//!   [`parse_ipv6`]), the checked end pointer *is* that output, as clang's code reuses it;
//! * then loads the field it reports into the output register, converted to host byte order
//!   for multi-byte fields (compare with `ETH_P_IP` = `0x0800`, not the `_BE` constants);
//!   the `_be` variants ([`parse_eth_be`], [`parse_eth_vlan_be`], [`parse_udp_be`],
//!   [`parse_tcp_be`]) leave the field in network byte order, as loaded, one slot shorter:
//!   compare with the `ETH_P_*_BE` constants of [`crate::isa::consts`] or [`htons`]`(port)`, the
//!   way clang compiles `eth->h_proto == bpf_htons(ETH_P_IP)`;
//! * leaves every other register untouched (no helper calls, so r1-r5 survive);
//! * jumps to the caller's `fail` label when the packet is too short (or, for IPv4, when the
//!   header length field is below 20); on that path the output registers hold garbage.
//!
//! The output registers must differ from each other, from the header pointer and from
//! `data_end` (the snippet layer rejects such calls; the builder functions document it).
//!
//! A typical chain (no VLAN): `r2 = data`, `r3 = data_end`; [`parse_eth`]`(r2, r3, r4, fail)`
//! gives the EtherType in r4 and the IPv4 header at `r2 + 14`; after `r5 = r2; r5 += 14`,
//! [`parse_ipv4`]`(r5, r3, r4, fail, Some(r6))` gives the protocol in r4 and the L4 header
//! pointer in r6; [`parse_udp`]`(r6, r3, r4, fail)` gives the UDP destination port in r4.
//! With VLAN tags, [`parse_eth_vlan`] skips up to two 802.1Q / 802.1ad tags and returns the L3
//! header pointer as well.
//!
//! For the tightest code (what `clang -O2` emits for the same C), use the `_be` parsers, let
//! [`parse_eth_vlan_be`] hand over the L3 pointer, and share one exit: set `r0 = XDP_PASS`
//! before parsing and put the `fail` label on the `exit` after [`redirect_map`]
//! (`bench-progs`' `parse_udp` program does this: 45 slots against clang's 51).

use std::borrow::Cow;

use crate::ir::build::{
    add, add_reg, and_op, be16, call, exit, jmp_imm, jmp_reg, label, ld_map_fd, ldxb, ldxh, ldxw,
    lsh, mov, mov_reg, return_imm, stxw,
};
use crate::ir::Item;
use crate::isa::consts;
pub use crate::isa::ctx::XdpMdField;
use crate::isa::insn::{Insn, JmpOp, Reg};

pub mod arena;
pub mod btf_kfunc;
pub mod crypto;
pub mod dynptr;
pub mod exception;
pub mod graph;
pub mod iter;
pub mod metadata;
pub mod netfilter;
pub mod rcu;
pub mod seeds;

// ---------------------------------------------------------------------------------------------
// struct xdp_md
// ---------------------------------------------------------------------------------------------

/// The byte offset of the `xdp_md` field called `name` (see [`XdpMdField::from_name`]).
pub fn xdp_md_offset(name: &str) -> Option<i16> {
    XdpMdField::from_name(name).map(XdpMdField::offset)
}

/// Load a context field: `dst = *(u32 *)(ctx + 16)` for `rx_queue_index`. C: `dst =
/// ctx->rx_queue_index`.
pub const fn load_ctx_field(dst: Reg, ctx: Reg, field: XdpMdField) -> Insn {
    ldxw(dst, ctx, field.offset())
}

/// Load the packet pointers: `data = *(u32 *)(ctx + 0); data_end = *(u32 *)(ctx + 4)`. C:
/// `void *data = (void *)(long)ctx->data; void *data_end = (void *)(long)ctx->data_end;`.
pub fn load_data_pointers(ctx: Reg, data: Reg, data_end: Reg) -> Vec<Item> {
    vec![
        load_ctx_field(data, ctx, XdpMdField::Data).into(),
        load_ctx_field(data_end, ctx, XdpMdField::DataEnd).into(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/// The return codes of an XDP program (`enum xdp_action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(i32)]
pub enum XdpAction {
    /// `XDP_ABORTED` (0): drop, and fire the `xdp_exception` tracepoint.
    Aborted = 0,
    /// `XDP_DROP` (1): drop silently.
    Drop = 1,
    /// `XDP_PASS` (2): continue into the kernel's network stack.
    Pass = 2,
    /// `XDP_TX` (3): send back out of the receiving interface.
    Tx = 3,
    /// `XDP_REDIRECT` (4): to the target chosen by `bpf_redirect` / `bpf_redirect_map`.
    Redirect = 4,
}

impl XdpAction {
    /// Every action, in value order.
    pub const ALL: [XdpAction; 5] = [
        XdpAction::Aborted,
        XdpAction::Drop,
        XdpAction::Pass,
        XdpAction::Tx,
        XdpAction::Redirect,
    ];

    /// The numeric value.
    pub const fn value(self) -> i32 {
        self as i32
    }

    /// The C name (`XDP_PASS`).
    pub const fn name(self) -> &'static str {
        match self {
            XdpAction::Aborted => "XDP_ABORTED",
            XdpAction::Drop => "XDP_DROP",
            XdpAction::Pass => "XDP_PASS",
            XdpAction::Tx => "XDP_TX",
            XdpAction::Redirect => "XDP_REDIRECT",
        }
    }

    /// The action for a value 0-4.
    pub const fn from_value(v: i64) -> Option<XdpAction> {
        match v {
            0 => Some(XdpAction::Aborted),
            1 => Some(XdpAction::Drop),
            2 => Some(XdpAction::Pass),
            3 => Some(XdpAction::Tx),
            4 => Some(XdpAction::Redirect),
            _ => None,
        }
    }

    /// The action called `name`: `XDP_PASS`, or clj-ebpf's `pass` / `:pass` (any case).
    pub fn from_name(name: &str) -> Option<XdpAction> {
        let upper = name.strip_prefix(':').unwrap_or(name).to_ascii_uppercase();
        let short = upper.strip_prefix("XDP_").unwrap_or(&upper);
        XdpAction::ALL
            .into_iter()
            .find(|a| a.name().strip_prefix("XDP_") == Some(short))
    }
}

impl std::fmt::Display for XdpAction {
    /// The C name (`XDP_PASS`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// `r0 = action; exit`. C: `return XDP_PASS;`.
pub fn return_action(action: XdpAction) -> Vec<Item> {
    return_imm(action.value())
}

// ---------------------------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------------------------

/// `BPF_FUNC_map_lookup_elem`: `void *bpf_map_lookup_elem(map, const void *key)`.
pub const BPF_FUNC_MAP_LOOKUP_ELEM: i32 = 1;
/// `BPF_FUNC_redirect_map` (kernel 4.14): `long bpf_redirect_map(map, u64 key, u64 flags)`.
pub const BPF_FUNC_REDIRECT_MAP: i32 = 51;

/// The mask of `bpf_redirect_map`'s flags that holds the fallback action
/// (`BPF_F_ACTION_MASK`: `XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX`). Since kernel 5.6 the
/// helper returns these two low bits of `flags` when the map has no entry at `key`; any other
/// flag bit except `BPF_F_BROADCAST` / `BPF_F_EXCLUDE_INGRESS` (devmaps only) makes it return
/// `XDP_ABORTED`.
pub const REDIRECT_ACTION_MASK: i32 = 3;

/// The default `flags` of the XSK redirects: fall back to `XDP_PASS` when no socket is bound
/// at the key, so traffic the user space does not take still reaches the kernel stack.
pub const DEFAULT_XSK_FLAGS: i32 = XdpAction::Pass as i32;

/// A map key given as an immediate or as a register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// A constant key (`r2 = 0`).
    Imm(i32),
    /// A key held in a register (`r2 = r4`).
    Reg(Reg),
}

impl From<i32> for Key {
    fn from(v: i32) -> Key {
        Key::Imm(v)
    }
}

impl From<Reg> for Key {
    fn from(r: Reg) -> Key {
        Key::Reg(r)
    }
}

/// Call `bpf_redirect_map(map, key, flags)`, leaving the result in r0 (no `exit`):
///
/// ```text
/// r2 = key            ; omitted when the key already is in r2
/// r1 = MAP ll
/// r3 = flags
/// call bpf_redirect_map
/// ```
///
/// C: `r0 = bpf_redirect_map(&MAP, key, flags);`. The key is moved first, so it may live in
/// r1 or r3. For an XSKMAP, DEVMAP or CPUMAP, `flags & 3` is the action returned when `key` has
/// no entry (kernel 5.6; before, `XDP_ABORTED`). Clobbers r1-r5.
pub fn redirect_map(
    map: impl Into<Cow<'static, str>>,
    key: impl Into<Key>,
    flags: i32,
) -> Vec<Item> {
    let mut v = Vec::with_capacity(5);
    match key.into() {
        Key::Imm(k) => v.push(mov(Reg::R2, k).into()),
        Key::Reg(r) if r == Reg::R2 => {}
        Key::Reg(r) => v.push(mov_reg(Reg::R2, r).into()),
    }
    v.push(ld_map_fd(Reg::R1, map));
    v.push(mov(Reg::R3, flags).into());
    v.push(call(BPF_FUNC_REDIRECT_MAP).into());
    v
}

/// Redirect to the AF_XDP socket at `key` of an XSKMAP and return the helper's result:
/// [`redirect_map`] followed by `exit`. C: `return bpf_redirect_map(&MAP, key, flags);`.
/// With `flags` = [`DEFAULT_XSK_FLAGS`] (`XDP_PASS`), packets for queues without a socket go to
/// the kernel stack.
pub fn redirect_to_xsk(
    map: impl Into<Cow<'static, str>>,
    key: impl Into<Key>,
    flags: i32,
) -> Vec<Item> {
    let mut v = redirect_map(map, key, flags);
    v.push(exit().into());
    v
}

/// The AF_XDP program in one step: redirect to the socket bound to the receive queue.
///
/// ```text
/// tmp = *(u32 *)(ctx + 16)     ; ctx->rx_queue_index
/// r2 = tmp                     ; omitted when tmp is r2
/// r1 = MAP ll
/// r3 = flags                   ; fallback action in the low two bits (XDP_PASS = 2)
/// call bpf_redirect_map
/// exit
/// ```
///
/// C: `return bpf_redirect_map(&MAP, ctx->rx_queue_index, XDP_PASS);`. With `ctx = r1`, `tmp =
/// r2` and `flags = XDP_PASS` this is exactly [`crate::xdp::seeds::redirect_all`].
pub fn redirect_to_xsk_by_queue(
    ctx: Reg,
    map: impl Into<Cow<'static, str>>,
    tmp: Reg,
    flags: i32,
) -> Vec<Item> {
    let mut v = vec![load_ctx_field(tmp, ctx, XdpMdField::RxQueueIndex).into()];
    v.extend(redirect_to_xsk(map, tmp, flags));
    v
}

/// `BPF_FUNC_redirect` (kernel 4.8): `long bpf_redirect(u32 ifindex, u64 flags)`.
pub const BPF_FUNC_REDIRECT: i32 = 23;
/// `BPF_FUNC_xdp_adjust_head` (kernel 4.10).
pub const BPF_FUNC_XDP_ADJUST_HEAD: i32 = 44;
/// `BPF_FUNC_xdp_adjust_meta` (kernel 4.15).
pub const BPF_FUNC_XDP_ADJUST_META: i32 = 54;
/// `BPF_FUNC_xdp_adjust_tail` (kernel 4.18).
pub const BPF_FUNC_XDP_ADJUST_TAIL: i32 = 65;

/// Redirect to an interface by index, then return the helper's result (`XDP_REDIRECT`, or
/// `XDP_ABORTED` for non-zero flags):
///
/// ```text
/// r1 = ifindex          ; an immediate, or a register (omitted when it is r1)
/// r2 = flags
/// call bpf_redirect     ; call 23
/// exit
/// ```
///
/// C: `return bpf_redirect(ifindex, 0);`. clj-ebpf: `xdp-redirect` (without the exit).
pub fn redirect(ifindex: impl Into<Key>, flags: i32) -> Vec<Item> {
    let mut v = Vec::with_capacity(4);
    match ifindex.into() {
        Key::Imm(k) => v.push(mov(Reg::R1, k).into()),
        Key::Reg(r) if r == Reg::R1 => {}
        Key::Reg(r) => v.push(mov_reg(Reg::R1, r).into()),
    }
    v.push(mov(Reg::R2, flags).into());
    v.push(call(BPF_FUNC_REDIRECT).into());
    v.push(exit().into());
    v
}

fn adjust(ctx: Reg, delta: i32, helper: i32) -> Vec<Item> {
    let mut v = Vec::with_capacity(3);
    if ctx != Reg::R1 {
        v.push(mov_reg(Reg::R1, ctx).into());
    }
    v.push(mov(Reg::R2, delta).into());
    v.push(call(helper).into());
    v
}

/// Move the packet start by `delta` bytes (negative: grow headroom for a new header):
/// `r1 = ctx` (omitted when ctx is r1), `r2 = delta`, `call bpf_xdp_adjust_head`. C: `r0 =
/// bpf_xdp_adjust_head(ctx, delta);` (0 on success). Every packet pointer is invalid
/// afterwards: reload `data` / `data_end` and bounds-check again. Clobbers r1-r5.
pub fn adjust_head(ctx: Reg, delta: i32) -> Vec<Item> {
    adjust(ctx, delta, BPF_FUNC_XDP_ADJUST_HEAD)
}

/// Move the packet end by `delta` bytes: `call bpf_xdp_adjust_tail` (kernel 4.18; growing
/// needs 5.8). Same register use as [`adjust_head`].
pub fn adjust_tail(ctx: Reg, delta: i32) -> Vec<Item> {
    adjust(ctx, delta, BPF_FUNC_XDP_ADJUST_TAIL)
}

/// Move the metadata start by `delta` bytes: `call bpf_xdp_adjust_meta` (kernel 4.15). Same
/// register use as [`adjust_head`]. A kernel may be built or patched to withhold this helper
/// from XDP programs, refusing any program that calls it (see [`metadata::write_rx_metadata`]).
pub fn adjust_meta(ctx: Reg, delta: i32) -> Vec<Item> {
    adjust(ctx, delta, BPF_FUNC_XDP_ADJUST_META)
}

/// The kernel documentation's form (Documentation/networking/af_xdp.rst): look the queue up in
/// the XSKMAP first and redirect only if a socket is there, else `XDP_PASS`.
///
/// ```text
/// r2 = *(u32 *)(ctx + 16)      ; index = ctx->rx_queue_index
/// *(u32 *)(r10 - 4) = r2       ; the key lives on the stack at fp-4
/// r2 = r10
/// r2 += -4
/// r1 = MAP ll
/// call bpf_map_lookup_elem
/// if r0 == 0 goto L_pass
/// r2 = *(u32 *)(r10 - 4)
/// r1 = MAP ll
/// r3 = flags
/// call bpf_redirect_map
/// exit
/// L_pass:
/// r0 = 2                       ; XDP_PASS
/// exit
/// ```
///
/// C: `int index = ctx->rx_queue_index; if (bpf_map_lookup_elem(&MAP, &index)) return
/// bpf_redirect_map(&MAP, index, flags); return XDP_PASS;`. Looking up an XSKMAP from a
/// program needs kernel 5.3. `L_pass` is `__xsk_lookup_{unique}_pass`. Uses 4 bytes of stack
/// (fp-4) and clobbers r1-r5.
pub fn redirect_to_xsk_lookup_first(
    ctx: Reg,
    map: impl Into<Cow<'static, str>>,
    flags: i32,
    unique: usize,
) -> Vec<Item> {
    let map: Cow<'static, str> = map.into();
    let pass = format!("__xsk_lookup_{unique}_pass");
    let mut v: Vec<Item> = vec![
        load_ctx_field(Reg::R2, ctx, XdpMdField::RxQueueIndex).into(),
        stxw(Reg::R10, Reg::R2, -4).into(),
        mov_reg(Reg::R2, Reg::R10).into(),
        add(Reg::R2, -4).into(),
        ld_map_fd(Reg::R1, map.clone()),
        call(BPF_FUNC_MAP_LOOKUP_ELEM).into(),
        jmp_imm(JmpOp::Jeq, Reg::R0, 0, pass.clone()),
        ldxw(Reg::R2, Reg::R10, -4).into(),
        ld_map_fd(Reg::R1, map),
        mov(Reg::R3, flags).into(),
        call(BPF_FUNC_REDIRECT_MAP).into(),
        exit().into(),
        label(pass),
    ];
    v.extend(return_action(XdpAction::Pass));
    v
}

// ---------------------------------------------------------------------------------------------
// Bounds checks and header parsing
// ---------------------------------------------------------------------------------------------

/// Length of an Ethernet header without VLAN tags (`ETH_HLEN`).
pub const ETH_HLEN: i32 = 14;
/// Length of one 802.1Q / 802.1ad tag (`VLAN_HLEN`).
pub const VLAN_HLEN: i32 = 4;
/// Length of an IPv4 header without options.
pub const IPV4_MIN_HLEN: i32 = 20;
/// Length of the fixed IPv6 header.
pub const IPV6_HLEN: i32 = 40;
/// Length of a UDP header.
pub const UDP_HLEN: i32 = 8;
/// Length of a TCP header without options.
pub const TCP_MIN_HLEN: i32 = 20;

/// The verifier's packet bounds check: jump to `fail` unless `len` bytes from `ptr` are inside
/// the packet.
///
/// ```text
/// tmp = ptr
/// tmp += len
/// if tmp > data_end goto fail
/// ```
///
/// C: `if (ptr + len > data_end) goto fail;`. After it, the verifier allows loads from `ptr`
/// up to `ptr + len`. `tmp` must differ from `ptr` and `data_end` (if `tmp == ptr`, `ptr` is
/// advanced by `len`).
pub fn bounds_check(
    ptr: Reg,
    data_end: Reg,
    len: i32,
    fail: impl Into<Cow<'static, str>>,
    tmp: Reg,
) -> Vec<Item> {
    vec![
        mov_reg(tmp, ptr).into(),
        add(tmp, len).into(),
        jmp_reg(JmpOp::Jgt, tmp, data_end, fail.into()),
    ]
}

/// [`bounds_check`] with a length held in a register: `tmp = ptr; tmp += len; if tmp >
/// data_end goto fail`. The verifier needs `len` to have a known upper bound.
pub fn bounds_check_reg(
    ptr: Reg,
    data_end: Reg,
    len: Reg,
    fail: impl Into<Cow<'static, str>>,
    tmp: Reg,
) -> Vec<Item> {
    vec![
        mov_reg(tmp, ptr).into(),
        add_reg(tmp, len).into(),
        jmp_reg(JmpOp::Jgt, tmp, data_end, fail.into()),
    ]
}

/// `bpf_htons(v)` on a little-endian host: the value a `*(u16 *)` load of the network-order
/// field `v` gives (`htons(ETH_P_IP)` = `0x0008`, `htons(4791)` = `0xb712`). Compare the
/// outputs of the `_be` parsers ([`parse_eth_be`], [`parse_eth_vlan_be`], [`parse_udp_be`],
/// [`parse_tcp_be`]) with it, or with the `ETH_P_*_BE` constants of [`crate::isa::consts`].
pub const fn htons(v: u16) -> i32 {
    v.swap_bytes() as i32
}

fn eth(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    fail: Cow<'static, str>,
    host_order: bool,
) -> Vec<Item> {
    let mut v = bounds_check(data, data_end, ETH_HLEN, fail, out_proto);
    v.push(ldxh(out_proto, data, 12).into());
    if host_order {
        v.push(be16(out_proto).into());
    }
    v
}

/// Parse the Ethernet header at `data`: bounds-check 14 bytes, then load the EtherType in host
/// byte order into `out_proto`.
///
/// ```text
/// out_proto = data
/// out_proto += 14
/// if out_proto > data_end goto fail
/// out_proto = *(u16 *)(data + 12)
/// out_proto = be16 out_proto
/// ```
///
/// C: `struct ethhdr *eth = data; if (eth + 1 > data_end) goto fail; proto =
/// bpf_ntohs(eth->h_proto);`. The L3 header starts at `data + 14`. VLAN tags are not skipped
/// (see [`parse_eth_vlan`]). [`parse_eth_be`] leaves the EtherType in network order, one slot
/// shorter.
pub fn parse_eth(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    eth(data, data_end, out_proto, fail.into(), true)
}

/// [`parse_eth`] leaving the EtherType in network byte order, as loaded (no `be16`): compare
/// `out_proto` with the `_BE` constants ([`consts::ETH_P_IP_BE`] = `0x0008`) or [`htons`],
/// as clang's code for `eth->h_proto == bpf_htons(ETH_P_IP)` does.
///
/// ```text
/// out_proto = data
/// out_proto += 14
/// if out_proto > data_end goto fail
/// out_proto = *(u16 *)(data + 12)
/// ```
pub fn parse_eth_be(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    eth(data, data_end, out_proto, fail.into(), false)
}

fn eth_vlan(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    out_l3: Reg,
    fail: Cow<'static, str>,
    unique: usize,
    host_order: bool,
) -> Vec<Item> {
    let tag = format!("__eth_vlan_{unique}_tag");
    let done = format!("__eth_vlan_{unique}_done");
    // The bounds check's end pointer is the L3 pointer: no second `data + 14`.
    let mut v = bounds_check(data, data_end, ETH_HLEN, fail.clone(), out_l3);
    v.push(ldxh(out_proto, data, 12).into());
    // Compared as loaded (network order) with swapped constants; swapped once at the end.
    v.push(jmp_imm(
        JmpOp::Jeq,
        out_proto,
        consts::ETH_P_8021Q_BE as i32,
        tag.clone(),
    ));
    v.push(jmp_imm(
        JmpOp::Jne,
        out_proto,
        consts::ETH_P_8021AD_BE as i32,
        done.clone(),
    ));
    v.push(label(tag));
    let skip_tag = |v: &mut Vec<Item>| {
        // Advance first, check the advanced pointer, read the tag's EtherType behind it.
        v.push(add(out_l3, VLAN_HLEN).into());
        v.push(jmp_reg(JmpOp::Jgt, out_l3, data_end, fail.clone()));
        v.push(ldxh(out_proto, out_l3, -2).into());
    };
    skip_tag(&mut v);
    v.push(jmp_imm(
        JmpOp::Jne,
        out_proto,
        consts::ETH_P_8021Q_BE as i32,
        done.clone(),
    ));
    skip_tag(&mut v);
    v.push(label(done));
    if host_order {
        v.push(be16(out_proto).into());
    }
    v
}

/// Parse the Ethernet header at `data` and skip up to two VLAN tags (802.1Q `0x8100` or 802.1ad
/// `0x88a8` outer, `0x8100` inner), leaving the inner EtherType (host order) in `out_proto`
/// and a pointer to the L3 header in `out_l3`.
///
/// ```text
/// out_l3 = data
/// out_l3 += 14
/// if out_l3 > data_end goto fail
/// out_proto = *(u16 *)(data + 12)
/// if out_proto == 0x81 goto L_tag          ; htons(0x8100): compared in network order
/// if out_proto != 0xa888 goto L_done       ; htons(0x88a8)
/// L_tag:
/// out_l3 += 4
/// if out_l3 > data_end goto fail
/// out_proto = *(u16 *)(out_l3 - 2)
/// if out_proto != 0x81 goto L_done
/// out_l3 += 4
/// if out_l3 > data_end goto fail
/// out_proto = *(u16 *)(out_l3 - 2)
/// L_done:
/// out_proto = be16 out_proto               ; not in parse_eth_vlan_be
/// ```
///
/// The bounds-checked end of each header is the next header's pointer, and the tag
/// EtherTypes are compared as loaded, so the sequence is 14 slots (13 for
/// [`parse_eth_vlan_be`], which leaves `out_proto` in network order). Labels are
/// `__eth_vlan_{unique}_tag` and `__eth_vlan_{unique}_done`. `out_proto` and `out_l3` must be
/// distinct and differ from `data` and `data_end`; on `fail` both hold garbage.
pub fn parse_eth_vlan(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    out_l3: Reg,
    fail: impl Into<Cow<'static, str>>,
    unique: usize,
) -> Vec<Item> {
    eth_vlan(data, data_end, out_proto, out_l3, fail.into(), unique, true)
}

/// [`parse_eth_vlan`] leaving the inner EtherType in network byte order (no final `be16`):
/// compare it with the `_BE` constants ([`consts::ETH_P_IP_BE`], [`consts::ETH_P_IPV6_BE`]) or
/// [`htons`], as clang does for `proto == bpf_htons(ETH_P_IP)`.
pub fn parse_eth_vlan_be(
    data: Reg,
    data_end: Reg,
    out_proto: Reg,
    out_l3: Reg,
    fail: impl Into<Cow<'static, str>>,
    unique: usize,
) -> Vec<Item> {
    eth_vlan(
        data,
        data_end,
        out_proto,
        out_l3,
        fail.into(),
        unique,
        false,
    )
}

/// Parse the IPv4 header at `l3`: bounds-check 20 bytes and load the protocol byte into
/// `out_proto`. With `out_l4`, also check the header length field (`ihl >= 5`, else `fail`)
/// and set `out_l4` to the L4 header (`l3 + ihl * 4`, options skipped).
///
/// ```text
/// out_proto = l3
/// out_proto += 20
/// if out_proto > data_end goto fail
/// ; only with out_l4:
/// out_l4 = *(u8 *)(l3 + 0)
/// out_l4 &= 15
/// out_l4 <<= 2
/// if out_l4 < 20 goto fail
/// out_l4 += l3                  ; scalar += packet pointer: a packet pointer
/// ; always:
/// out_proto = *(u8 *)(l3 + 9)
/// ```
///
/// C: `struct iphdr *ip = l3; if (ip + 1 > data_end) goto fail; proto = ip->protocol;
/// l4 = (void *)ip + ip->ihl * 4;`. The L4 pointer has a variable offset: parse the L4 header
/// with its own bounds check ([`parse_udp`], [`parse_tcp`]). `out_l4` must differ from `l3`,
/// `data_end` and `out_proto`.
pub fn parse_ipv4(
    l3: Reg,
    data_end: Reg,
    out_proto: Reg,
    fail: impl Into<Cow<'static, str>>,
    out_l4: Option<Reg>,
) -> Vec<Item> {
    let fail: Cow<'static, str> = fail.into();
    let mut v = bounds_check(l3, data_end, IPV4_MIN_HLEN, fail.clone(), out_proto);
    if let Some(l4) = out_l4 {
        // The header length is computed in `out_l4` itself, then the pointer added to it.
        v.push(ldxb(l4, l3, 0).into());
        v.push(and_op(l4, 0x0f).into());
        v.push(lsh(l4, 2).into());
        v.push(jmp_imm(JmpOp::Jlt, l4, IPV4_MIN_HLEN, fail));
        v.push(add_reg(l4, l3).into());
    }
    v.push(ldxb(out_proto, l3, 9).into());
    v
}

/// Parse the IPv6 header at `l3`: bounds-check 40 bytes and load the next-header byte into
/// `out_next`; with `out_l4`, set it to `l3 + 40` (extension headers are not walked).
///
/// ```text
/// ; with out_l4: the bounds-checked end is the L4 pointer
/// out_l4 = l3
/// out_l4 += 40
/// if out_l4 > data_end goto fail
/// out_next = *(u8 *)(l3 + 6)
/// ; without out_l4: the same with out_next as the scratch register
/// out_next = l3
/// out_next += 40
/// if out_next > data_end goto fail
/// out_next = *(u8 *)(l3 + 6)
/// ```
///
/// C: `struct ipv6hdr *ip6 = l3; if (ip6 + 1 > data_end) goto fail; next = ip6->nexthdr;`.
/// `out_l4` must differ from `l3`, `data_end` and `out_next`.
pub fn parse_ipv6(
    l3: Reg,
    data_end: Reg,
    out_next: Reg,
    fail: impl Into<Cow<'static, str>>,
    out_l4: Option<Reg>,
) -> Vec<Item> {
    let mut v = bounds_check(l3, data_end, IPV6_HLEN, fail, out_l4.unwrap_or(out_next));
    v.push(ldxb(out_next, l3, 6).into());
    v
}

fn parse_l4_port(
    l4: Reg,
    data_end: Reg,
    out_port: Reg,
    fail: Cow<'static, str>,
    len: i32,
    host_order: bool,
) -> Vec<Item> {
    let mut v = bounds_check(l4, data_end, len, fail, out_port);
    v.push(ldxh(out_port, l4, 2).into());
    if host_order {
        v.push(be16(out_port).into());
    }
    v
}

/// Parse the UDP header at `l4`: bounds-check 8 bytes and load the destination port in host
/// byte order into `out_dst_port`.
///
/// ```text
/// out_dst_port = l4
/// out_dst_port += 8
/// if out_dst_port > data_end goto fail
/// out_dst_port = *(u16 *)(l4 + 2)
/// out_dst_port = be16 out_dst_port
/// ```
///
/// C: `struct udphdr *udp = l4; if (udp + 1 > data_end) goto fail; port =
/// bpf_ntohs(udp->dest);`. The payload starts at `l4 + 8`. [`parse_udp_be`] leaves the port
/// in network order, one slot shorter.
pub fn parse_udp(
    l4: Reg,
    data_end: Reg,
    out_dst_port: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    parse_l4_port(l4, data_end, out_dst_port, fail.into(), UDP_HLEN, true)
}

/// [`parse_udp`] leaving the destination port in network byte order, as loaded (no `be16`):
/// compare it with [`htons`]`(port)` (`htons(4791)` = `0xb712`), as clang does for
/// `udp->dest == bpf_htons(4791)`.
pub fn parse_udp_be(
    l4: Reg,
    data_end: Reg,
    out_dst_port: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    parse_l4_port(l4, data_end, out_dst_port, fail.into(), UDP_HLEN, false)
}

/// Parse the TCP header at `l4`: bounds-check 20 bytes and load the destination port in host
/// byte order into `out_dst_port` (same sequence as [`parse_udp`] with 20 for 8).
///
/// C: `struct tcphdr *tcp = l4; if (tcp + 1 > data_end) goto fail; port =
/// bpf_ntohs(tcp->dest);`.
pub fn parse_tcp(
    l4: Reg,
    data_end: Reg,
    out_dst_port: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    parse_l4_port(l4, data_end, out_dst_port, fail.into(), TCP_MIN_HLEN, true)
}

/// [`parse_tcp`] leaving the destination port in network byte order (compare with
/// [`htons`]`(port)`).
pub fn parse_tcp_be(
    l4: Reg,
    data_end: Reg,
    out_dst_port: Reg,
    fail: impl Into<Cow<'static, str>>,
) -> Vec<Item> {
    parse_l4_port(l4, data_end, out_dst_port, fail.into(), TCP_MIN_HLEN, false)
}
