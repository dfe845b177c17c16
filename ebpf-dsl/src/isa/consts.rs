//! Named constants usable wherever the assembler takes an immediate (`r0 = XDP_PASS`,
//! `r4 = BPF_ANY`, `if r2 != ETH_P_IP_BE goto pass`), with the values of the kernel's UAPI
//! headers (`linux/bpf.h`, `linux/if_ether.h`, `linux/in.h`, `linux/pkt_cls.h`).
//!
//! # Byte order
//!
//! Protocol numbers such as [`ETH_P_IP`] are given in host order, as in the C headers
//! (`ETH_P_IP == 0x0800`). A packet carries them in network (big-endian) order, so the 16-bit
//! value a little-endian machine loads from `eth->h_proto` is `0x0008` for IPv4. Either convert
//! the loaded value (`r2 = be16 r2`) and compare with `ETH_P_IP`, or compare the raw load with
//! the `_BE` variants ([`ETH_P_IP_BE`] = `0x0008`), which are what `bpf_htons(ETH_P_IP)` gives
//! on a little-endian host (x86-64, arm64: every host this crate targets for XDP).
//! Single-byte fields (`iph->protocol`, so [`IPPROTO_UDP`] and friends) have no byte order.

/// One named constant: its name as written in assembly, its value, and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedConst {
    /// The name, exactly as in the C headers (`XDP_PASS`).
    pub name: &'static str,
    /// The value (as the C expression evaluates, sign-extended to 64 bits).
    pub value: i64,
    /// One line on what it means and where the kernel uses it.
    pub doc: &'static str,
}

macro_rules! consts {
    ($( $(#[doc = $doc:literal])+ $name:ident = $value:expr; )*) => {
        $(
            $(#[doc = $doc])+
            pub const $name: i64 = $value;
        )*

        /// Every named constant, in the order of this module's documentation.
        pub static CONSTS: &[NamedConst] = &[
            $( NamedConst { name: stringify!($name), value: $value, doc: concat!($($doc),+) }, )*
        ];
    };
}

consts! {
    // --- XDP program return codes (enum xdp_action, linux/bpf.h) ---
    /// `XDP_ABORTED` (0): drop the packet and raise the `xdp_exception` tracepoint; for errors.
    XDP_ABORTED = 0;
    /// `XDP_DROP` (1): drop the packet silently.
    XDP_DROP = 1;
    /// `XDP_PASS` (2): hand the packet to the kernel's network stack.
    XDP_PASS = 2;
    /// `XDP_TX` (3): send the packet back out of the interface it arrived on.
    XDP_TX = 3;
    /// `XDP_REDIRECT` (4): the action `bpf_redirect` / `bpf_redirect_map` return on success:
    /// redirect to another interface, CPU or AF_XDP socket.
    XDP_REDIRECT = 4;

    // --- bpf_map_update_elem flags (linux/bpf.h) ---
    /// `BPF_ANY` (0): `bpf_map_update_elem` creates a new element or updates an existing one.
    BPF_ANY = 0;
    /// `BPF_NOEXIST` (1): `bpf_map_update_elem` only creates; fails with `-EEXIST` if present.
    BPF_NOEXIST = 1;
    /// `BPF_EXIST` (2): `bpf_map_update_elem` only updates; fails with `-ENOENT` if absent.
    BPF_EXIST = 2;
    /// `BPF_F_LOCK` (4): update/lookup under the value's `bpf_spin_lock` (Linux 5.1).
    BPF_F_LOCK = 4;

    // --- redirect flags (linux/bpf.h) ---
    /// `BPF_F_INGRESS` (1): `bpf_redirect` to the target's ingress instead of egress (tc only).
    BPF_F_INGRESS = 1;
    /// `BPF_F_BROADCAST` (8): `bpf_redirect_map` on a DEVMAP sends to every interface in the
    /// map (XDP, Linux 5.15).
    BPF_F_BROADCAST = 1 << 3;
    /// `BPF_F_EXCLUDE_INGRESS` (16): with `BPF_F_BROADCAST`, skip the ingress interface
    /// (XDP, Linux 5.15).
    BPF_F_EXCLUDE_INGRESS = 1 << 4;
    /// `BPF_F_INDEX_MASK` (0xffffffff): the low 32 bits of `bpf_perf_event_output`'s flags, the
    /// CPU index.
    BPF_F_INDEX_MASK = 0xffff_ffff;
    /// `BPF_F_CURRENT_CPU` (0xffffffff): `bpf_perf_event_output` to the current CPU's buffer.
    /// Note: as a 32-bit immediate of a 64-bit operation it sign-extends to -1; load it with
    /// `r4 = 0xffffffff ll` when the full 64-bit value matters (it does not for this helper,
    /// which masks with `BPF_F_INDEX_MASK`).
    BPF_F_CURRENT_CPU = 0xffff_ffff;

    // --- checksum helper flags (linux/bpf.h) ---
    /// `BPF_F_RECOMPUTE_CSUM` (1): `bpf_skb_store_bytes` updates `skb->csum`.
    BPF_F_RECOMPUTE_CSUM = 1;
    /// `BPF_F_INVALIDATE_HASH` (2): `bpf_skb_store_bytes` clears `skb->hash`.
    BPF_F_INVALIDATE_HASH = 1 << 1;
    /// `BPF_F_HDR_FIELD_MASK` (0xf): the size of the field in `bpf_l3/l4_csum_replace` flags.
    BPF_F_HDR_FIELD_MASK = 0xf;
    /// `BPF_F_PSEUDO_HDR` (16): `bpf_l4_csum_replace` also updates the pseudo-header sum.
    BPF_F_PSEUDO_HDR = 1 << 4;
    /// `BPF_F_MARK_MANGLED_0` (32): `bpf_l4_csum_replace` maps a zero result to `CSUM_MANGLED_0`.
    BPF_F_MARK_MANGLED_0 = 1 << 5;
    /// `BPF_F_MARK_ENFORCE` (64): `bpf_l4_csum_replace` updates even a zero checksum.
    BPF_F_MARK_ENFORCE = 1 << 6;

    // --- ring buffer flags (linux/bpf.h, Linux 5.8) ---
    /// `BPF_RB_NO_WAKEUP` (1): `bpf_ringbuf_submit`/`output` without waking the consumer.
    BPF_RB_NO_WAKEUP = 1;
    /// `BPF_RB_FORCE_WAKEUP` (2): `bpf_ringbuf_submit`/`output` always wakes the consumer.
    BPF_RB_FORCE_WAKEUP = 1 << 1;

    // --- bpf_fib_lookup flags (linux/bpf.h) ---
    /// `BPF_FIB_LOOKUP_DIRECT` (1): look up the table of the input device directly, skipping
    /// FIB rules.
    BPF_FIB_LOOKUP_DIRECT = 1;
    /// `BPF_FIB_LOOKUP_OUTPUT` (2): do an output lookup (as for locally generated packets).
    BPF_FIB_LOOKUP_OUTPUT = 1 << 1;

    // --- Ethernet protocol ids, host order (linux/if_ether.h) ---
    /// `ETH_P_IP` (0x0800): IPv4 in `h_proto`, host order (see the module docs on byte order).
    ETH_P_IP = 0x0800;
    /// `ETH_P_ARP` (0x0806): ARP in `h_proto`, host order.
    ETH_P_ARP = 0x0806;
    /// `ETH_P_IPV6` (0x86dd): IPv6 in `h_proto`, host order.
    ETH_P_IPV6 = 0x86dd;
    /// `ETH_P_8021Q` (0x8100): an 802.1Q VLAN tag in `h_proto`, host order.
    ETH_P_8021Q = 0x8100;
    /// `ETH_P_8021AD` (0x88a8): an 802.1ad (QinQ) service VLAN tag in `h_proto`, host order.
    ETH_P_8021AD = 0x88a8;

    // --- the same, as a little-endian 16-bit load from the packet reads them ---
    /// `bpf_htons(ETH_P_IP)` on a little-endian host (0x0008): compare a raw `*(u16 *)` load
    /// of `h_proto` with this.
    ETH_P_IP_BE = 0x0008;
    /// `bpf_htons(ETH_P_ARP)` on a little-endian host (0x0608).
    ETH_P_ARP_BE = 0x0608;
    /// `bpf_htons(ETH_P_IPV6)` on a little-endian host (0xdd86).
    ETH_P_IPV6_BE = 0xdd86;
    /// `bpf_htons(ETH_P_8021Q)` on a little-endian host (0x0081).
    ETH_P_8021Q_BE = 0x0081;
    /// `bpf_htons(ETH_P_8021AD)` on a little-endian host (0xa888).
    ETH_P_8021AD_BE = 0xa888;

    // --- IP protocol numbers (linux/in.h, linux/in6.h): one byte, no byte order ---
    /// `IPPROTO_ICMP` (1): ICMP in `iph->protocol`.
    IPPROTO_ICMP = 1;
    /// `IPPROTO_TCP` (6): TCP in `iph->protocol` / `ip6h->nexthdr`.
    IPPROTO_TCP = 6;
    /// `IPPROTO_UDP` (17): UDP in `iph->protocol` / `ip6h->nexthdr`.
    IPPROTO_UDP = 17;
    /// `IPPROTO_GRE` (47): GRE.
    IPPROTO_GRE = 47;
    /// `IPPROTO_ICMPV6` (58): ICMPv6 in `ip6h->nexthdr`.
    IPPROTO_ICMPV6 = 58;
    /// `IPPROTO_SCTP` (132): SCTP.
    IPPROTO_SCTP = 132;

    // --- tc classifier return codes (linux/pkt_cls.h) ---
    /// `TC_ACT_UNSPEC` (-1): use the default action configured for the qdisc.
    TC_ACT_UNSPEC = -1;
    /// `TC_ACT_OK` (0): let the packet continue.
    TC_ACT_OK = 0;
    /// `TC_ACT_RECLASSIFY` (1): restart classification.
    TC_ACT_RECLASSIFY = 1;
    /// `TC_ACT_SHOT` (2): drop the packet.
    TC_ACT_SHOT = 2;
    /// `TC_ACT_PIPE` (3): continue with the next action.
    TC_ACT_PIPE = 3;
    /// `TC_ACT_STOLEN` (4): the packet was consumed.
    TC_ACT_STOLEN = 4;
    /// `TC_ACT_QUEUED` (5): the packet was queued.
    TC_ACT_QUEUED = 5;
    /// `TC_ACT_REPEAT` (6): run the action again.
    TC_ACT_REPEAT = 6;
    /// `TC_ACT_REDIRECT` (7): the action `bpf_redirect` returns in tc.
    TC_ACT_REDIRECT = 7;
    /// `TC_ACT_TRAP` (8): for offloaded programs, hand the packet to the CPU.
    TC_ACT_TRAP = 8;

    // --- sk_skb / sk_msg / sk_lookup verdicts (enum sk_action, linux/bpf.h) ---
    /// `SK_DROP` (0): drop (socket programs' verdict).
    SK_DROP = 0;
    /// `SK_PASS` (1): pass (socket programs' verdict).
    SK_PASS = 1;
}

/// The value of the constant called `name` (case-sensitive, as in C), or `None`.
///
/// ```
/// assert_eq!(ebpf_dsl::consts::const_by_name("XDP_PASS"), Some(2));
/// assert_eq!(ebpf_dsl::consts::const_by_name("xdp_pass"), None);
/// ```
pub fn const_by_name(name: &str) -> Option<i64> {
    CONSTS.iter().find(|c| c.name == name).map(|c| c.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(const_by_name("XDP_ABORTED"), Some(0));
        assert_eq!(const_by_name("XDP_DROP"), Some(1));
        assert_eq!(const_by_name("XDP_PASS"), Some(2));
        assert_eq!(const_by_name("XDP_TX"), Some(3));
        assert_eq!(const_by_name("XDP_REDIRECT"), Some(4));
        assert_eq!(const_by_name("BPF_NOEXIST"), Some(1));
        assert_eq!(const_by_name("ETH_P_IPV6"), Some(0x86dd));
        assert_eq!(const_by_name("IPPROTO_UDP"), Some(17));
        assert_eq!(const_by_name("TC_ACT_UNSPEC"), Some(-1));
        assert_eq!(const_by_name("SK_PASS"), Some(1));
        assert_eq!(const_by_name("NOPE"), None);
    }

    #[test]
    fn big_endian_variants_are_swapped() {
        for c in CONSTS {
            if let Some(host) = c.name.strip_suffix("_BE") {
                let h = const_by_name(host).expect(host);
                assert_eq!(c.value, i64::from((h as u16).swap_bytes()), "{}", c.name);
            }
        }
    }

    #[test]
    fn names_unique() {
        for (i, a) in CONSTS.iter().enumerate() {
            assert!(
                CONSTS[i + 1..].iter().all(|b| b.name != a.name),
                "{}",
                a.name
            );
            assert!(!a.doc.is_empty());
        }
    }
}
