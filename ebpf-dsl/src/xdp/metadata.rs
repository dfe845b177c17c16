//! XDP RX metadata: the kernel's metadata kfuncs (`bpf_xdp_metadata_rx_timestamp`,
//! `bpf_xdp_metadata_rx_hash`, `bpf_xdp_metadata_rx_vlan_tag`, Linux 6.3 / 6.8) and a snippet
//! that hands their results to AF_XDP user space in the metadata area in front of the packet.
//!
//! # Calling a kfunc by name
//!
//! A kfunc is called by BTF id (`call kfunc ID`), and the id belongs to the running kernel's
//! BTF, so it is not known when a program is assembled. A call by *name* (`call
//! bpf_xdp_metadata_rx_hash` in the assembler and `defprogram!`, [`call_xdp_kfunc`] in the
//! builder) is therefore emitted as a kfunc call whose `imm` is a negative *placeholder*
//! ([`XdpKfunc::placeholder`]: -1, -2, -3; real BTF ids are positive). The runtime's loader
//! replaces every placeholder with the id it finds in `/sys/kernel/btf/vmlinux`
//! (`xsk_runtime::bpf::kfunc`), and fails with a clear error where the kernel lacks the kfunc.
//!
//! # Device-bound programs
//!
//! The kernel accepts these kfuncs only in a *device-bound* XDP program: loaded with
//! `BPF_F_XDP_DEV_BOUND_ONLY` and `prog_ifindex` = the interface it will be attached to
//! (Linux 6.3); the call is then rewritten to the driver's implementation (veth, mlx5, ice,
//! ...). A program calling them without that flag is rejected at load time ("metadata kfuncs
//! require device-bound program"), and a device-bound program only attaches to its device.
//! The static verifier assumes a device-bound load unless told otherwise
//! (`VerifyInput::xdp_dev_bound`: `with_prog_flags` without `BPF_F_XDP_DEV_BOUND_ONLY`,
//! `ebpf-dsl check` without `--device-bound`), and then refuses such a program as the kernel
//! does, whether a path reaches the call or not.
//!
//! # Return codes
//!
//! Each kfunc returns 0 with the output written, or a negative errno: `-EOPNOTSUPP` where the
//! driver does not implement it, `-ENODATA` where this packet has no such value (veth: no
//! timestamp for a frame without an skb, and the skb's hardware timestamp, often 0,
//! otherwise; no VLAN tag on an untagged packet).
//!
//! # The metadata layout written by [`write_rx_metadata`]
//!
//! [`RX_META_LEN`] = 24 bytes directly in front of the packet data, little-endian (host order):
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0  | 8 | RX timestamp in ns (`bpf_xdp_metadata_rx_timestamp`), 0 when unavailable |
//! | 8  | 4 | RX hash (`bpf_xdp_metadata_rx_hash`), 0 when unavailable |
//! | 12 | 4 | hash type (`enum xdp_rss_hash_type`) |
//! | 16 | 4 | the timestamp kfunc's return code (0 or -errno) |
//! | 20 | 4 | the hash kfunc's return code (0 or -errno) |

use crate::ir::build::{
    add, call, jmp_imm, jmp_reg, label, ldxdw, ldxw, mov, mov_reg, st, stxdw, stxw,
};
use crate::ir::Item;
use crate::isa::insn::{Insn, JmpOp, Reg, Size, BPF_PSEUDO_KFUNC_CALL};

/// The XDP metadata kfuncs this crate knows by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XdpKfunc {
    /// `int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx, u64 *timestamp)`.
    RxTimestamp,
    /// `int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, u32 *hash,
    /// enum xdp_rss_hash_type *rss_type)`.
    RxHash,
    /// `int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *vlan_proto,
    /// u16 *vlan_tci)` (Linux 6.8).
    RxVlanTag,
}

impl XdpKfunc {
    /// Every kfunc, in placeholder order.
    pub const ALL: [XdpKfunc; 3] = [XdpKfunc::RxTimestamp, XdpKfunc::RxHash, XdpKfunc::RxVlanTag];

    /// The kernel's name of the function.
    pub const fn name(self) -> &'static str {
        match self {
            XdpKfunc::RxTimestamp => "bpf_xdp_metadata_rx_timestamp",
            XdpKfunc::RxHash => "bpf_xdp_metadata_rx_hash",
            XdpKfunc::RxVlanTag => "bpf_xdp_metadata_rx_vlan_tag",
        }
    }

    /// The kfunc called `name`, if it is one of these.
    pub fn from_name(name: &str) -> Option<XdpKfunc> {
        XdpKfunc::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The `imm` a call by name carries until the loader resolves it: -1, -2, -3.
    pub const fn placeholder(self) -> i32 {
        match self {
            XdpKfunc::RxTimestamp => -1,
            XdpKfunc::RxHash => -2,
            XdpKfunc::RxVlanTag => -3,
        }
    }

    /// The kfunc whose placeholder is `imm`.
    pub fn from_placeholder(imm: i32) -> Option<XdpKfunc> {
        XdpKfunc::ALL.into_iter().find(|k| k.placeholder() == imm)
    }

    /// Sizes in bytes of the memory the pointer arguments after `ctx` (r2, r3) point to; the
    /// kfunc writes them.
    pub const fn out_args(self) -> &'static [i32] {
        match self {
            XdpKfunc::RxTimestamp => &[8],
            XdpKfunc::RxHash => &[4, 4],
            XdpKfunc::RxVlanTag => &[2, 2],
        }
    }

    /// The kfunc an instruction calls by name (a kfunc call with a placeholder `imm`).
    pub fn of_insn(insn: &Insn) -> Option<XdpKfunc> {
        if insn.code == 0x85 && insn.src() == BPF_PSEUDO_KFUNC_CALL {
            XdpKfunc::from_placeholder(insn.imm)
        } else {
            None
        }
    }
}

/// A call of `kfunc` by name: `call kfunc` with the placeholder the loader resolves.
pub const fn call_xdp_kfunc(kfunc: XdpKfunc) -> Insn {
    Insn::new(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, kfunc.placeholder())
}

/// Bytes of metadata [`write_rx_metadata`] puts in front of the packet.
pub const RX_META_LEN: u32 = 24;

/// `bpf_xdp_adjust_meta` helper id.
const BPF_FUNC_XDP_ADJUST_META: i32 = 54;

/// The metadata [`write_rx_metadata`] wrote, decoded (what AF_XDP user space reads in front of
/// each packet).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct XdpRxMeta {
    /// RX timestamp in nanoseconds (0 when `timestamp_err` is not 0).
    pub timestamp: u64,
    /// RX hash (0 when `hash_err` is not 0).
    pub hash: u32,
    /// `enum xdp_rss_hash_type` of the hash (L3/L4 bits).
    pub hash_type: u32,
    /// The timestamp kfunc's result: 0, or a negative errno (-61 `ENODATA`, -95 `EOPNOTSUPP`).
    pub timestamp_err: i32,
    /// The hash kfunc's result: 0, or a negative errno.
    pub hash_err: i32,
}

impl XdpRxMeta {
    /// Decodes the [`RX_META_LEN`] bytes in front of a packet; `None` if `bytes` is shorter.
    pub fn parse(bytes: &[u8]) -> Option<XdpRxMeta> {
        let b = bytes.get(..RX_META_LEN as usize)?;
        let u32_at = |o: usize| u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]);
        let mut ts = [0u8; 8];
        ts.copy_from_slice(&b[..8]);
        Some(XdpRxMeta {
            timestamp: u64::from_le_bytes(ts),
            hash: u32_at(8),
            hash_type: u32_at(12),
            timestamp_err: u32_at(16) as i32,
            hash_err: u32_at(20) as i32,
        })
    }

    /// The timestamp, if the kernel gave one.
    pub fn rx_timestamp(&self) -> Option<u64> {
        (self.timestamp_err == 0).then_some(self.timestamp)
    }

    /// The hash and its type, if the kernel gave one.
    pub fn rx_hash(&self) -> Option<(u32, u32)> {
        (self.hash_err == 0).then_some((self.hash, self.hash_type))
    }
}

/// Reads the RX timestamp and hash with the metadata kfuncs and writes them (layout in the
/// module docs) into [`RX_META_LEN`] bytes of metadata in front of the packet
/// (`bpf_xdp_adjust_meta`), for AF_XDP user space.
///
/// Expects the context in r1; on exit r6 holds the context (use it for what follows, e.g. the
/// queue index of a redirect). Clobbers r0-r5, r7-r9 and the stack slots `r10-16 .. r10-1`.
/// Where the driver cannot make room for metadata (the helper fails) the packet goes on without
/// it. Label names start with `done_label` (unique per use in one program). The program must be
/// loaded device-bound (see the module docs). A kernel built or patched to withhold
/// `bpf_xdp_adjust_meta` from XDP programs refuses the program outright ("program of this type
/// cannot use helper"); the static verifier does too when told which helpers the target
/// withholds (`VerifyInput::with_unavailable_helpers`), and
/// `xsk_runtime::xsk::metadata::check_rx_metadata_support` asks the running kernel.
pub fn write_rx_metadata(done_label: &str) -> Vec<Item> {
    let done = done_label.to_string();
    vec![
        mov_reg(Reg::R6, Reg::R1).into(),
        // Outputs on the stack, zeroed (the kfuncs may leave them untouched on error).
        st(Size::DW, Reg::R10, -8, 0).into(),
        st(Size::DW, Reg::R10, -16, 0).into(),
        // r7 = bpf_xdp_metadata_rx_timestamp(ctx, &ts)
        mov_reg(Reg::R2, Reg::R10).into(),
        add(Reg::R2, -8).into(),
        call_xdp_kfunc(XdpKfunc::RxTimestamp).into(),
        mov_reg(Reg::R7, Reg::R0).into(),
        // r8 = bpf_xdp_metadata_rx_hash(ctx, &hash, &type)
        mov_reg(Reg::R1, Reg::R6).into(),
        mov_reg(Reg::R2, Reg::R10).into(),
        add(Reg::R2, -16).into(),
        mov_reg(Reg::R3, Reg::R10).into(),
        add(Reg::R3, -12).into(),
        call_xdp_kfunc(XdpKfunc::RxHash).into(),
        mov_reg(Reg::R8, Reg::R0).into(),
        // if (bpf_xdp_adjust_meta(ctx, -24)) goto done
        mov_reg(Reg::R1, Reg::R6).into(),
        mov(Reg::R2, -(RX_META_LEN as i32)).into(),
        call(BPF_FUNC_XDP_ADJUST_META).into(),
        jmp_imm(JmpOp::Jne, Reg::R0, 0, done.clone()),
        // r2 = data_meta, r3 = data; if (r2 + 24 > r3) goto done
        ldxw(Reg::R2, Reg::R6, 8).into(),
        ldxw(Reg::R3, Reg::R6, 0).into(),
        mov_reg(Reg::R4, Reg::R2).into(),
        add(Reg::R4, RX_META_LEN as i32).into(),
        jmp_reg(JmpOp::Jgt, Reg::R4, Reg::R3, done.clone()),
        ldxdw(Reg::R9, Reg::R10, -8).into(),
        stxdw(Reg::R2, Reg::R9, 0).into(),
        ldxw(Reg::R9, Reg::R10, -16).into(),
        stxw(Reg::R2, Reg::R9, 8).into(),
        ldxw(Reg::R9, Reg::R10, -12).into(),
        stxw(Reg::R2, Reg::R9, 12).into(),
        stxw(Reg::R2, Reg::R7, 16).into(),
        stxw(Reg::R2, Reg::R8, 20).into(),
        label(done),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_placeholders_round_trip() {
        for k in XdpKfunc::ALL {
            assert_eq!(XdpKfunc::from_name(k.name()), Some(k));
            assert_eq!(XdpKfunc::from_placeholder(k.placeholder()), Some(k));
            assert_eq!(XdpKfunc::of_insn(&call_xdp_kfunc(k)), Some(k));
        }
        assert_eq!(XdpKfunc::from_name("bpf_xdp_metadata_rx_nothing"), None);
        assert_eq!(XdpKfunc::from_placeholder(5), None);
    }

    #[test]
    fn metadata_parses_little_endian_fields() {
        let mut b = [0u8; 24];
        b[..8].copy_from_slice(&123_456_789u64.to_le_bytes());
        b[8..12].copy_from_slice(&0xdead_beefu32.to_le_bytes());
        b[12..16].copy_from_slice(&6u32.to_le_bytes());
        b[16..20].copy_from_slice(&(-61i32).to_le_bytes());
        let m = XdpRxMeta::parse(&b).unwrap();
        assert_eq!(m.rx_timestamp(), None);
        assert_eq!(m.rx_hash(), Some((0xdead_beef, 6)));
        assert_eq!(m.timestamp, 123_456_789);
        assert_eq!(XdpRxMeta::parse(&b[..23]), None);
    }
}
