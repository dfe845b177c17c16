//! The three XDP programs of the AF_XDP guides, written with the builder API.
//!
//! Each seed exists twice: as a builder function (taking the XSKMAP's name) and as assembler
//! text (a `&str` constant naming the map `xsks`); tests assert that both give identical
//! instructions, and the macros crate writes the same programs with `defprogram!` and compares
//! them with these. The instruction sequences below are part of the API: they stay stable.
//!
//! | seed | builder | text |
//! |---|---|---|
//! | redirect every packet to the XSK of its receive queue | [`redirect_all`] | [`SEED_REDIRECT_ALL_ASM`] |
//! | redirect only IPv4 UDP, pass the rest | [`redirect_udp`] | [`SEED_UDP_ONLY_ASM`] |
//! | the kernel documentation's lookup-first form | [`redirect_lookup_first`] | [`SEED_LOOKUP_FIRST_ASM`] |

use std::borrow::Cow;

use crate::ir::build::{add, exit, jmp_imm, jmp_reg, label, ldxb, mov, mov_reg};
use crate::ir::Item;
use crate::isa::insn::{JmpOp, Reg};
use crate::xdp::{
    load_ctx_field, load_data_pointers, redirect_to_xsk_by_queue, redirect_to_xsk_lookup_first,
    XdpAction, XdpMdField,
};

/// Seed 1: redirect every packet to the AF_XDP socket bound to its receive queue; packets of
/// queues without a socket go to the kernel stack (`XDP_PASS` in the flags' low bits).
///
/// ```text
/// r2 = *(u32 *)(r1 + 16)     ; ctx->rx_queue_index
/// r1 = MAP ll
/// r3 = 2                     ; XDP_PASS: the action if no socket is at the key
/// call bpf_redirect_map      ; call 51
/// exit
/// ```
///
/// C: `return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS);` (6 slots).
pub fn redirect_all(map: impl Into<Cow<'static, str>>) -> Vec<Item> {
    redirect_to_xsk_by_queue(Reg::R1, map, Reg::R2, XdpAction::Pass.value())
}

/// [`redirect_all`] as assembler text, with the map named `xsks`.
pub const SEED_REDIRECT_ALL_ASM: &str = "\
r2 = *(u32 *)(r1 + 16)
r1 = xsks ll
r3 = XDP_PASS
call bpf_redirect_map
exit
";

/// Seed 2: redirect only UDP (IPv4 protocol byte at packet offset 23 == 17, after a 34-byte
/// bounds check: Ethernet 14 + IPv4 20) to the socket of the receive queue; pass the rest.
/// Like the guides' program it does not look at the EtherType.
///
/// ```text
///   r2 = *(u32 *)(r1 + 0)    ; data
///   r3 = *(u32 *)(r1 + 4)    ; data_end
///   r4 = r2
///   r4 += 34
///   if r4 > r3 goto pass     ; data + 34 > data_end
///   r4 = *(u8 *)(r2 + 23)    ; iph->protocol
///   if r4 != 17 goto pass    ; IPPROTO_UDP
///   r2 = *(u32 *)(r1 + 16)   ; ctx->rx_queue_index
///   r1 = MAP ll
///   r3 = 2                   ; XDP_PASS fallback
///   call bpf_redirect_map
///   exit
/// pass:
///   r0 = 2                   ; XDP_PASS
///   exit
/// ```
///
/// 15 slots.
pub fn redirect_udp(map: impl Into<Cow<'static, str>>) -> Vec<Item> {
    let mut v = load_data_pointers(Reg::R1, Reg::R2, Reg::R3);
    v.extend([
        mov_reg(Reg::R4, Reg::R2).into(),
        add(Reg::R4, 34).into(),
        jmp_reg(JmpOp::Jgt, Reg::R4, Reg::R3, "pass"),
        ldxb(Reg::R4, Reg::R2, 23).into(),
        jmp_imm(JmpOp::Jne, Reg::R4, 17, "pass"),
    ]);
    v.push(load_ctx_field(Reg::R2, Reg::R1, XdpMdField::RxQueueIndex).into());
    v.extend(crate::xdp::redirect_to_xsk(
        map,
        Reg::R2,
        XdpAction::Pass.value(),
    ));
    v.push(label("pass"));
    v.push(mov(Reg::R0, XdpAction::Pass.value()).into());
    v.push(exit().into());
    v
}

/// [`redirect_udp`] as assembler text, with the map named `xsks`.
pub const SEED_UDP_ONLY_ASM: &str = "\
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 34
    if r4 > r3 goto pass
    r4 = *(u8 *)(r2 + 23)
    if r4 != IPPROTO_UDP goto pass
    r2 = *(u32 *)(r1 + 16)
    r1 = xsks ll
    r3 = XDP_PASS
    call bpf_redirect_map
    exit
pass:
    r0 = XDP_PASS
    exit
";

/// Seed 3: the kernel documentation's form (Documentation/networking/af_xdp.rst): look the
/// receive queue up in the XSKMAP, redirect if a socket is there (flags 0), else `XDP_PASS`.
///
/// ```text
///   r2 = *(u32 *)(r1 + 16)   ; index = ctx->rx_queue_index
///   *(u32 *)(r10 - 4) = r2   ; key on the stack
///   r2 = r10
///   r2 += -4
///   r1 = MAP ll
///   call bpf_map_lookup_elem ; call 1
///   if r0 == 0 goto pass
///   r2 = *(u32 *)(r10 - 4)
///   r1 = MAP ll
///   r3 = 0
///   call bpf_redirect_map    ; call 51
///   exit
/// pass:
///   r0 = 2                   ; XDP_PASS
///   exit
/// ```
///
/// C: `int index = ctx->rx_queue_index; if (bpf_map_lookup_elem(&xsks, &index)) return
/// bpf_redirect_map(&xsks, index, 0); return XDP_PASS;` (16 slots; kernel 5.3 for the lookup
/// of an XSKMAP). The builder names the label `__xsk_lookup_0_pass`.
pub fn redirect_lookup_first(map: impl Into<Cow<'static, str>>) -> Vec<Item> {
    redirect_to_xsk_lookup_first(Reg::R1, map, 0, 0)
}

/// [`redirect_lookup_first`] as assembler text, with the map named `xsks`.
pub const SEED_LOOKUP_FIRST_ASM: &str = "\
    r2 = *(u32 *)(r1 + 16)
    *(u32 *)(r10 - 4) = r2
    r2 = r10
    r2 += -4
    r1 = xsks ll
    call bpf_map_lookup_elem
    if r0 == 0 goto pass
    r2 = *(u32 *)(r10 - 4)
    r1 = xsks ll
    r3 = 0
    call bpf_redirect_map
    exit
pass:
    r0 = XDP_PASS
    exit
";

/// A seed's builder: takes the XSKMAP's name.
pub type SeedBuilder = fn(&'static str) -> Vec<Item>;

/// Every seed: `(name, builder, assembler text with the map named xsks)`, in the order of the
/// module documentation.
pub const SEEDS: [(&str, SeedBuilder, &str); 3] = [
    ("redirect_all", seed_redirect_all, SEED_REDIRECT_ALL_ASM),
    ("redirect_udp", seed_redirect_udp, SEED_UDP_ONLY_ASM),
    (
        "redirect_lookup_first",
        seed_lookup_first,
        SEED_LOOKUP_FIRST_ASM,
    ),
];

fn seed_redirect_all(map: &'static str) -> Vec<Item> {
    redirect_all(map)
}
fn seed_redirect_udp(map: &'static str) -> Vec<Item> {
    redirect_udp(map)
}
fn seed_lookup_first(map: &'static str) -> Vec<Item> {
    redirect_lookup_first(map)
}
