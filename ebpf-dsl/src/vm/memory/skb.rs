//! The socket-buffer side: `struct __sk_buff` as `BPF_PROG_TEST_RUN` fills it for tc
//! (`sched_cls`/`sched_act`) and socket-filter programs, legacy `ld_abs`/`ld_ind` packet
//! loads, and the skb helpers (`bpf_skb_load_bytes`, `bpf_skb_store_bytes`,
//! `bpf_l3_csum_replace`, `bpf_l4_csum_replace`).

use super::{Memory, Packet};

/// `NET_SKB_PAD + NET_IP_ALIGN` on x86-64: the headroom of a test run's socket buffer.
pub const SKB_HEADROOM: usize = 64;
const ETH_HLEN: usize = 14;
const EFAULT: i64 = 14;
const EINVAL: i64 = 22;
const SKF_NET_OFF: i64 = -0x10_0000;
const SKF_LL_OFF: i64 = -0x20_0000;

/// The input of a socket-buffer run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkbInput {
    /// The frame, from the Ethernet header.
    pub packet: Vec<u8>,
    /// `skb->mark` at entry.
    pub mark: u32,
    /// `skb->priority` at entry.
    pub priority: u32,
}

impl SkbInput {
    /// A frame with mark and priority 0.
    pub fn new(packet: impl Into<Vec<u8>>) -> SkbInput {
        SkbInput {
            packet: packet.into(),
            mark: 0,
            priority: 0,
        }
    }
}

/// What a socket-buffer run gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkbOutcome {
    /// The program's return value.
    pub r0: u64,
    /// The frame after the run, from the Ethernet header.
    pub packet: Vec<u8>,
    /// `skb->mark` after the run.
    pub mark: u32,
    /// `skb->priority` after the run.
    pub priority: u32,
    /// `skb->tc_index` after the run.
    pub tc_index: u32,
    /// `skb->tc_classid` after the run.
    pub tc_classid: u32,
    /// `skb->cb[0..5]` after the run.
    pub cb: [u32; 5],
}

/// The context fields that are plain values, as bytes at their `__sk_buff` offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SkbFields {
    pub tc: bool,
    pub bytes: [u8; 88],
    /// The buffer offset of the MAC header (for `SKF_LL_OFF`).
    pub mac: usize,
}

impl SkbFields {
    pub fn get(&self, off: usize) -> u32 {
        u32::from_le_bytes([
            self.bytes[off],
            self.bytes[off + 1],
            self.bytes[off + 2],
            self.bytes[off + 3],
        ])
    }
    fn set(&mut self, off: usize, v: u32) {
        self.bytes[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }
}

/// Builds the buffer and the fields `BPF_PROG_TEST_RUN` gives a tc (`tc`) or socket-filter
/// program: `len`, `protocol` and `pkt_type` from the Ethernet header (`eth_type_trans` on the
/// loopback device), `ifindex` 1; socket filters see the packet from the network header.
/// The buffer is built in `out`, reusing its allocation.
pub(crate) fn build(out: &mut Packet, input: &SkbInput, tc: bool) -> SkbFields {
    let p = &input.packet;
    let buf = &mut out.buf;
    buf.clear();
    buf.resize(SKB_HEADROOM, 0);
    buf.extend_from_slice(p);
    buf.resize(SKB_HEADROOM + p.len() + 320, 0);
    let data = SKB_HEADROOM + if tc { 0 } else { ETH_HLEN.min(p.len()) };
    let end = SKB_HEADROOM + p.len();
    let mut f = SkbFields {
        tc,
        bytes: [0; 88],
        mac: SKB_HEADROOM,
    };
    f.set(0, (end - data) as u32);
    let dst = p.get(..6).unwrap_or(&[]);
    let pkt_type = if dst.first().is_some_and(|b| b & 1 == 1) {
        if dst.iter().all(|&b| b == 0xff) {
            1 // PACKET_BROADCAST
        } else {
            2 // PACKET_MULTICAST
        }
    } else if dst.iter().any(|&b| b != 0) {
        3 // PACKET_OTHERHOST: the loopback device's address is all zero
    } else {
        0 // PACKET_HOST
    };
    f.set(4, pkt_type);
    f.set(8, input.mark);
    let proto = match p.get(12..14) {
        Some(&[a, b]) if u16::from_be_bytes([a, b]) >= 0x0600 => u16::from_le_bytes([a, b]),
        // Raw 802.3 (Novell's 0xffff "SAP"): htons(ETH_P_802_3); else htons(ETH_P_802_2).
        _ if p.get(14..16) == Some(&[0xff, 0xff]) => 0x0100,
        _ => 0x0400,
    };
    f.set(16, proto as u32);
    f.set(32, input.priority);
    f.set(40, 1);
    out.meta = data;
    out.data = data;
    out.end = end;
    out.hard_end = end;
    // Not an XDP buffer: the next XDP run zeroes the whole headroom.
    out.low = 0;
    f
}

/// [`build`] into a new buffer.
pub(crate) fn build_new(input: &SkbInput, tc: bool) -> (Packet, SkbFields) {
    let mut p = Packet::default();
    let f = build(&mut p, input, tc);
    (p, f)
}

/// The outcome of a run from the final state.
pub(crate) fn outcome(r0: u64, p: &Packet, f: &SkbFields) -> SkbOutcome {
    let mut cb = [0u32; 5];
    for (i, c) in cb.iter_mut().enumerate() {
        *c = f.get(48 + 4 * i);
    }
    SkbOutcome {
        r0,
        packet: p.buf[f.mac..p.end].to_vec(),
        mark: f.get(8),
        priority: f.get(32),
        tc_index: f.get(44),
        tc_classid: f.get(72),
        cb,
    }
}

/// A context load from `__sk_buff`: the verifier's access rules, pointers for `data` and
/// `data_end`.
pub(crate) fn ctx_load(f: &SkbFields, p: &Packet, off: usize, size: usize) -> Option<u64> {
    use crate::verifier::ctx::{access, CtxField};
    let pt = if f.tc {
        crate::ProgramType::SchedCls
    } else {
        crate::ProgramType::SocketFilter
    };
    match access(pt, off as i32, size as u32, false, false).ok()? {
        CtxField::PktData => Some(Memory::packet_addr(p.data)),
        CtxField::PktEnd => Some(Memory::packet_addr(p.end)),
        CtxField::PktMeta => Some(Memory::packet_addr(p.meta)),
        // A test run's skb has no socket: `sk` is NULL, as in BPF_PROG_TEST_RUN.
        CtxField::SockCommonOrNull => Some(0),
        CtxField::Scalar => {
            if off + size > f.bytes.len() {
                return Some(0);
            }
            let mut v = [0u8; 8];
            v[..size].copy_from_slice(&f.bytes[off..off + size]);
            Some(u64::from_le_bytes(v))
        }
    }
}

/// A context store into `__sk_buff` (`mark`, `priority`, `tc_index`, `cb[]`, `tc_classid`).
pub(crate) fn ctx_store(f: &mut SkbFields, off: usize, size: usize, val: u64) -> bool {
    let pt = if f.tc {
        crate::ProgramType::SchedCls
    } else {
        crate::ProgramType::SocketFilter
    };
    if crate::verifier::ctx::access(pt, off as i32, size as u32, true, false).is_err()
        || off + size > f.bytes.len()
    {
        return false;
    }
    // `tc_index` and `tc_classid` are 16-bit fields of the kernel's skb: the store keeps
    // the low half.
    let val = if matches!(off, 44 | 72) {
        val & 0xffff
    } else {
        val
    };
    f.bytes[off..off + size].copy_from_slice(&val.to_le_bytes()[..size]);
    true
}

/// `ld_abs`/`ld_ind`: the big-endian value at `off` (relative to `skb->data`, or to the
/// network / MAC header with the `SKF_NET_OFF` / `SKF_LL_OFF` bases), `None` when out of the
/// packet (the program then returns 0).
pub(crate) fn ld_abs(f: &SkbFields, p: &Packet, off: i64, size: usize) -> Option<u64> {
    let start = if off >= 0 {
        p.data as i64 + off
    } else if (SKF_NET_OFF..SKF_NET_OFF + 0x10_0000).contains(&off) {
        (f.mac + ETH_HLEN) as i64 + (off - SKF_NET_OFF)
    } else if (SKF_LL_OFF..SKF_NET_OFF).contains(&off) {
        f.mac as i64 + (off - SKF_LL_OFF)
    } else {
        return None;
    };
    if start < f.mac as i64 || start as usize + size > p.end {
        return None;
    }
    let b = &p.buf[start as usize..start as usize + size];
    Some(b.iter().fold(0u64, |acc, &x| acc << 8 | x as u64))
}

/// `bpf_skb_load_bytes(skb, off, to, len)`'s source bytes, or `-EFAULT`.
pub(crate) fn load_bytes(p: &Packet, off: u64, len: usize) -> Result<Vec<u8>, i64> {
    let off = off as u32 as usize;
    if off > 0xffff || p.data + off + len > p.end {
        return Err(-EFAULT);
    }
    Ok(p.buf[p.data + off..p.data + off + len].to_vec())
}

/// `bpf_skb_store_bytes(skb, off, bytes, flags)`.
pub(crate) fn store_bytes(p: &mut Packet, off: u64, bytes: &[u8], flags: u64) -> i64 {
    if flags & !(1 | 2) != 0 {
        return -EINVAL;
    }
    let off = off as u32 as usize;
    if off > 0xffff || p.data + off + bytes.len() > p.end {
        return -EFAULT;
    }
    p.buf[p.data + off..p.data + off + bytes.len()].copy_from_slice(bytes);
    0
}

fn csum_add(a: u32, b: u32) -> u32 {
    let r = a.wrapping_add(b);
    r.wrapping_add((r < b) as u32)
}
fn csum_sub(a: u32, b: u32) -> u32 {
    csum_add(a, !b)
}
fn csum_fold(s: u32) -> u16 {
    let s = (s & 0xffff) + (s >> 16);
    let s = (s & 0xffff) + (s >> 16);
    !(s as u16)
}
fn csum16_add(a: u16, b: u16) -> u16 {
    let r = a.wrapping_add(b);
    r.wrapping_add((r < b) as u16)
}

/// `bpf_l3_csum_replace` (`l4 = false`) and `bpf_l4_csum_replace` (`l4 = true`) on a buffer
/// without checksum offload (`CHECKSUM_NONE`, as in a test run).
pub(crate) fn csum_replace(
    p: &mut Packet,
    l4: bool,
    off: u64,
    from: u64,
    to: u64,
    flags: u64,
) -> i64 {
    const FIELD: u64 = 0xf;
    const PSEUDO: u64 = 0x10;
    const MANGLED_0: u64 = 0x20;
    const ENFORCE: u64 = 0x40;
    const IPV6: u64 = 0x80;
    let allowed = if l4 {
        FIELD | PSEUDO | MANGLED_0 | ENFORCE | IPV6
    } else {
        FIELD
    };
    if flags & !allowed != 0 {
        return -EINVAL;
    }
    let off = off as u32 as usize;
    if off > 0xffff || off & 1 != 0 || p.data + off + 2 > p.end {
        return -EFAULT;
    }
    let at = p.data + off;
    let old = u16::from_le_bytes([p.buf[at], p.buf[at + 1]]);
    if l4 && flags & MANGLED_0 != 0 && flags & ENFORCE == 0 && old == 0 {
        return 0;
    }
    let new = match (flags & FIELD, l4) {
        (0, _) => {
            if from != 0 {
                return -EINVAL;
            }
            csum_fold(csum_add(to as u32, !(old as u32)))
        }
        (2, false) => !csum16_add(csum16_add(!old, !(from as u16)), to as u16),
        (2, true) | (4, _) => {
            let (f, t) = if flags & FIELD == 2 {
                (from as u16 as u32, to as u16 as u32)
            } else {
                (from as u32, to as u32)
            };
            csum_fold(csum_add(csum_sub(!(old as u32), f), t))
        }
        _ => return -EINVAL,
    };
    let new = if l4 && flags & MANGLED_0 != 0 && new == 0 {
        0xffff
    } else {
        new
    };
    p.buf[at..at + 2].copy_from_slice(&new.to_le_bytes());
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> Vec<u8> {
        let mut f = vec![0u8; 34];
        f[..6].copy_from_slice(&[0xff; 6]);
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        f[14] = 0x45;
        f
    }

    #[test]
    fn fields_like_the_test_run() {
        let (p, f) = build_new(&SkbInput::new(frame()), true);
        assert_eq!(f.get(0), 34);
        assert_eq!(f.get(4), 1);
        assert_eq!(f.get(16), 0x0008);
        assert_eq!(f.get(40), 1);
        assert_eq!(p.end - p.data, 34);
        let (p, f) = build_new(&SkbInput::new(frame()), false);
        assert_eq!(f.get(0), 20);
        assert_eq!(ld_abs(&f, &p, 0, 1), Some(0x45));
        assert_eq!(ld_abs(&f, &p, SKF_LL_OFF + 12, 2), Some(0x0800));
        assert_eq!(ld_abs(&f, &p, 20, 1), None);
        assert_eq!(ld_abs(&f, &p, -1, 1), None);
    }

    #[test]
    fn context_rules_come_from_the_verifier() {
        let (p, mut f) = build_new(&SkbInput::new(frame()), true);
        assert!(ctx_load(&f, &p, 76, 4).is_some());
        assert!(ctx_load(&f, &p, 76, 2).is_none());
        assert!(ctx_store(&mut f, 8, 4, 7));
        assert_eq!(f.get(8), 7);
        assert!(!ctx_store(&mut f, 0, 4, 7));
        assert!(ctx_store(&mut f, 44, 4, 0x1_2345));
        assert_eq!(f.get(44), 0x2345);
        let (_, mut sf) = build_new(&SkbInput::new(frame()), false);
        assert!(!ctx_store(&mut sf, 8, 4, 7));
        assert!(ctx_store(&mut sf, 48, 4, 7));
    }

    #[test]
    fn checksum_replacement_keeps_the_sum_valid() {
        // An IPv4 header with a correct checksum; replace the TTL/protocol word.
        let mut hdr = [
            0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let sum = |h: &[u8]| {
            let s: u32 = h
                .chunks(2)
                .map(|w| u16::from_be_bytes([w[0], w[1]]) as u32)
                .sum();
            let s = (s & 0xffff) + (s >> 16);
            !((s & 0xffff) + (s >> 16)) as u16
        };
        let c = sum(&hdr);
        hdr[10..12].copy_from_slice(&c.to_be_bytes());
        let mut frame = frame();
        frame[14..34].copy_from_slice(&hdr);
        let (mut p, _) = build_new(&SkbInput::new(frame), true);
        let old = u16::from_le_bytes([p.buf[p.data + 22], p.buf[p.data + 23]]);
        p.buf[p.data + 22] = 63;
        let new = u16::from_le_bytes([p.buf[p.data + 22], p.buf[p.data + 23]]);
        assert_eq!(
            csum_replace(&mut p, false, 24, old as u64, new as u64, 2),
            0
        );
        assert_eq!(sum(&p.buf[p.data + 14..p.data + 34]), 0);
        assert_eq!(csum_replace(&mut p, false, 25, 0, 0, 2), -EFAULT);
        assert_eq!(csum_replace(&mut p, false, 24, 0, 0, 0x10), -EINVAL);
    }
}
