//! The helpers a program calls, in memory: map operations, redirects, the XDP adjustments,
//! checksums, the FIB lookup, clocks, random numbers, tail calls, ring buffers and
//! `bpf_trace_printk`. Arguments are `r1`-`r5`, the result goes to `r0`.

use super::env::Redirect;
use super::error::VmErrorKind;
use super::machine::Machine;
use super::maps::EINVAL;
use super::memory::skb;
use super::memory::{CtxKind, Region};
use super::xdp;
use crate::spec::MapType;

const EAGAIN: i64 = 11;
const XDP_ABORTED: u64 = 0;
const XDP_REDIRECT: u64 = 4;
const MAX_TAIL_CALLS: u32 = 33;

fn bad(helper: &'static str, why: impl Into<String>) -> VmErrorKind {
    VmErrorKind::BadHelperArg {
        helper,
        why: why.into(),
    }
}

fn neg(e: i64) -> u64 {
    (-e) as u64
}

fn map_arg(m: &Machine<'_>, helper: &'static str, addr: u64) -> Result<usize, VmErrorKind> {
    m.mem
        .map_of(addr)
        .ok_or_else(|| bad(helper, format!("{addr:#x} is not a map pointer")))
}

/// A helper's key (or value) argument, copied out of guest memory: in place when it is small
/// (every key of the common maps), so that a map operation allocates nothing.
pub(crate) enum Bytes {
    Small([u8; 64], usize),
    Big(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Small(b, n) => &b[..*n],
            Bytes::Big(v) => v,
        }
    }
}

/// Reads `n` bytes at `addr` into [`Bytes`].
fn bytes_arg(m: &mut Machine<'_>, addr: u64, n: usize) -> Result<Bytes, VmErrorKind> {
    if n <= 64 {
        let mut b = [0u8; 64];
        m.mem.read_into(addr, &mut b[..n])?;
        Ok(Bytes::Small(b, n))
    } else {
        m.mem.read(addr, n).map(Bytes::Big)
    }
}

fn key_arg(m: &mut Machine<'_>, map: usize, addr: u64) -> Result<Bytes, VmErrorKind> {
    let n = m.mem.maps[map].spec().key_size as usize;
    bytes_arg(m, addr, n)
}

fn xdp_only(m: &Machine<'_>, id: i64) -> Result<(), VmErrorKind> {
    match m.mem.ctx {
        CtxKind::Xdp { .. } => Ok(()),
        _ => Err(VmErrorKind::UnsupportedHelper { id }),
    }
}

fn skb_only(m: &Machine<'_>, id: i64) -> Result<(), VmErrorKind> {
    match m.mem.ctx {
        CtxKind::Skb(_) => Ok(()),
        _ => Err(VmErrorKind::UnsupportedHelper { id }),
    }
}

fn is_tc(m: &Machine<'_>) -> bool {
    matches!(&m.mem.ctx, CtxKind::Skb(f) if f.tc)
}

/// Calls helper `id`.
pub(crate) fn call(m: &mut Machine<'_>, regs: &mut [u64; 16], id: i64) -> Result<(), VmErrorKind> {
    let [_, a1, a2, a3, a4, a5, ..] = *regs;
    let r0 = match id {
        1 => {
            let map = map_arg(m, "bpf_map_lookup_elem", a1)?;
            lookup(m, map, a2, None)?
        }
        195 => {
            let map = map_arg(m, "bpf_map_lookup_percpu_elem", a1)?;
            lookup(m, map, a2, Some(a3 as u32 as usize))?
        }
        2 => {
            let map = map_arg(m, "bpf_map_update_elem", a1)?;
            let key = key_arg(m, map, a2)?;
            let n = m.mem.maps[map].spec().value_size as usize;
            let value = bytes_arg(m, a3, n)?;
            let cpu = m.mem.cpu;
            match m.mem.maps[map].update_on(&key, &value, a4, Some(cpu)) {
                Ok(()) => 0,
                Err(e) => neg(e.errno),
            }
        }
        3 => {
            let map = map_arg(m, "bpf_map_delete_elem", a1)?;
            let key = key_arg(m, map, a2)?;
            match m.mem.maps[map].delete(&key) {
                Ok(()) => 0,
                Err(e) => neg(e.errno),
            }
        }
        5 | 125 | 160 | 208 => m.env.now(),
        7 => m.env.next_random() as u64,
        8 => m.mem.cpu as u64,
        6 => printk(m, a1, a2, [a3, a4, a5])?,
        12 => {
            tail_call(m, a2, a3)?;
            regs[0]
        }
        23 if is_tc(m) => {
            // TC_ACT_SHOT for flags other than BPF_F_INGRESS, else TC_ACT_REDIRECT.
            if a2 & !1 != 0 {
                2
            } else {
                m.env.redirect = Some(Redirect::Ifindex(a1 as u32));
                7
            }
        }
        9 => {
            skb_only(m, id)?;
            let bytes = m.mem.read(a3, a4 as u32 as usize)?;
            skb::store_bytes(&mut m.mem.packet, a2, &bytes, a5) as u64
        }
        26 => {
            skb_only(m, id)?;
            let len = a4 as u32 as usize;
            match skb::load_bytes(&m.mem.packet, a2, len) {
                Ok(b) => {
                    m.mem.write(a3, &b)?;
                    0
                }
                Err(e) => {
                    m.mem.write(a3, &vec![0; len])?;
                    e as u64
                }
            }
        }
        10 | 11 => {
            skb_only(m, id)?;
            skb::csum_replace(&mut m.mem.packet, id == 11, a2, a3, a4, a5) as u64
        }
        23 => {
            xdp_only(m, id)?;
            if a2 != 0 {
                XDP_ABORTED
            } else {
                m.env.redirect = Some(Redirect::Ifindex(a1 as u32));
                XDP_REDIRECT
            }
        }
        51 => redirect_map(m, a1, a2, a3)?,
        28 => csum_diff(m, a1, a2, a3, a4, a5)?,
        44 => {
            xdp_only(m, id)?;
            xdp::adjust_head(&mut m.mem.packet, a2 as i32 as i64) as u64
        }
        54 => {
            xdp_only(m, id)?;
            xdp::adjust_meta(&mut m.mem.packet, a2 as i32 as i64) as u64
        }
        65 => {
            xdp_only(m, id)?;
            xdp::adjust_tail(&mut m.mem.packet, a2 as i32 as i64) as u64
        }
        69 => fib_lookup(m, a2, a3)?,
        130 => {
            let map = ringbuf_arg(m, "bpf_ringbuf_output", a1)?;
            let data = m.mem.read(a2, a3 as u32 as usize)?;
            if m.mem.maps[map].push_record(data) {
                0
            } else {
                neg(EAGAIN)
            }
        }
        131 => {
            let map = ringbuf_arg(m, "bpf_ringbuf_reserve", a1)?;
            let size = a2 as usize;
            let cap = m.mem.maps[map].spec().max_entries as usize;
            if a3 != 0 || size > cap {
                0
            } else {
                m.mem.reserved.push(super::memory::Reserved {
                    map,
                    bytes: vec![0; size],
                    open: true,
                });
                let rec = m.mem.reserved.len() - 1;
                m.mem.record_addr(map, rec)
            }
        }
        132 | 133 => {
            let helper = if id == 132 {
                "bpf_ringbuf_submit"
            } else {
                "bpf_ringbuf_discard"
            };
            let rec = match m.mem.locate(a1) {
                Some((Region::Ringbuf { rec, .. }, 0)) => rec,
                _ => return Err(bad(helper, format!("{a1:#x} is not a reserved record"))),
            };
            let r = &mut m.mem.reserved[rec];
            if !r.open {
                return Err(bad(helper, "the record was already submitted or discarded"));
            }
            r.open = false;
            if id == 132 {
                let (map, bytes) = (r.map, r.bytes.clone());
                m.mem.maps[map].push_record(bytes);
            }
            regs[0]
        }
        _ => return Err(VmErrorKind::UnsupportedHelper { id }),
    };
    regs[0] = r0;
    Ok(())
}

fn lookup(
    m: &mut Machine<'_>,
    map: usize,
    key_addr: u64,
    cpu: Option<usize>,
) -> Result<u64, VmErrorKind> {
    let t = m.mem.maps[map].spec().map_type;
    if matches!(t, MapType::ProgArray | MapType::Ringbuf) {
        return Err(bad(
            "bpf_map_lookup_elem",
            format!("a {t} map cannot be looked up from a program"),
        ));
    }
    let key = key_arg(m, map, key_addr)?;
    let Some(slot) = m.mem.maps[map].find(&key) else {
        return Ok(0);
    };
    match cpu {
        None => Ok(m.mem.value_addr(map, slot, 0)),
        Some(c) => {
            if !m.mem.maps[map].is_percpu() || m.mem.maps[map].value_at(slot, c).is_none() {
                return Ok(0);
            }
            let saved = m.mem.cpu;
            m.mem.cpu = c;
            let a = m.mem.value_addr(map, slot, 0);
            m.mem.cpu = saved;
            Ok(a)
        }
    }
}

fn ringbuf_arg(m: &Machine<'_>, helper: &'static str, a: u64) -> Result<usize, VmErrorKind> {
    let map = map_arg(m, helper, a)?;
    if m.mem.maps[map].spec().map_type != MapType::Ringbuf {
        return Err(bad(helper, "the map is not a ring buffer"));
    }
    Ok(map)
}

fn tail_call(m: &mut Machine<'_>, map_addr: u64, index: u64) -> Result<(), VmErrorKind> {
    let map = map_arg(m, "bpf_tail_call", map_addr)?;
    if m.mem.maps[map].spec().map_type != MapType::ProgArray {
        return Err(bad("bpf_tail_call", "the map is not a PROG_ARRAY"));
    }
    let key = (index as u32).to_le_bytes();
    let Some(slot) = m.mem.maps[map].find(&key) else {
        return Ok(());
    };
    if m.tail_calls >= MAX_TAIL_CALLS {
        return Ok(());
    }
    let target = m.mem.maps[map]
        .value_at(slot, 0)
        .and_then(|v| v.get(..4))
        .map(|v| u32::from_le_bytes([v[0], v[1], v[2], v[3]]) as usize);
    match target {
        Some(t) if t < m.progs.len() => {
            m.tail_calls += 1;
            m.tail_target = Some(t);
            Ok(())
        }
        _ => Err(bad(
            "bpf_tail_call",
            format!("PROG_ARRAY slot {index} names no program registered with the VM"),
        )),
    }
}

fn redirect_map(m: &mut Machine<'_>, a1: u64, key: u64, flags: u64) -> Result<u64, VmErrorKind> {
    xdp_only(m, 51)?;
    let map = map_arg(m, "bpf_redirect_map", a1)?;
    let t = m.mem.maps[map].spec().map_type;
    if !matches!(
        t,
        MapType::Xskmap | MapType::Devmap | MapType::DevmapHash | MapType::Cpumap
    ) {
        return Err(bad(
            "bpf_redirect_map",
            format!("a {t} map cannot redirect"),
        ));
    }
    // BPF_F_ACTION_MASK | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS
    if flags & !(3 | 8 | 16) != 0 {
        return Ok(XDP_ABORTED);
    }
    let k = (key as u32).to_le_bytes();
    if m.mem.maps[map].find(&k).is_none() {
        return Ok(flags & 3);
    }
    m.env.redirect = Some(Redirect::Map {
        map: m.mem.maps[map].name().to_string(),
        key: key as u32,
    });
    Ok(XDP_REDIRECT)
}

/// `bpf_csum_diff`: the one's-complement sum of `seed`, the words of `to` and the complemented
/// words of `from`, folded to 16 bits (not inverted) as Linux 6.13+ returns it on every
/// architecture.
fn csum_diff(
    m: &mut Machine<'_>,
    from: u64,
    from_size: u64,
    to: u64,
    to_size: u64,
    seed: u64,
) -> Result<u64, VmErrorKind> {
    let (fs, ts) = (from_size as u32 as usize, to_size as u32 as usize);
    if !fs.is_multiple_of(4) || !ts.is_multiple_of(4) {
        return Ok(neg(EINVAL));
    }
    let a = m.mem.read(from, fs)?;
    let b = m.mem.read(to, ts)?;
    let mut sum = seed as u32 as u64;
    for w in a.chunks_exact(4) {
        sum += !u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as u64;
    }
    for w in b.chunks_exact(4) {
        sum += u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as u64;
    }
    Ok(fold16(fold32(sum)) as u64)
}

/// The kernel's `csum_from32to16`: a 32-bit one's-complement sum folded to 16 bits.
pub(crate) fn fold16(x: u32) -> u16 {
    let s = (x & 0xffff) + (x >> 16);
    ((s & 0xffff) + (s >> 16)) as u16
}

/// Folds a 64-bit sum to 32 bits with end-around carry.
pub(crate) fn fold32(mut sum: u64) -> u32 {
    while sum >> 32 != 0 {
        sum = (sum & 0xffff_ffff) + (sum >> 32);
    }
    sum as u32
}

fn fib_lookup(m: &mut Machine<'_>, params: u64, plen: u64) -> Result<u64, VmErrorKind> {
    const SIZE: usize = 64;
    if (plen as u32 as usize) < SIZE {
        return Ok(neg(EINVAL));
    }
    let mut p = m.mem.read(params, SIZE)?;
    let dst = match p[0] {
        2 => p[32..36].to_vec(),
        10 => p[32..48].to_vec(),
        _ => return Ok(neg(libc_eafnosupport())),
    };
    let Some(route) = m.env.route(&dst).cloned() else {
        return Ok(4); // BPF_FIB_LKUP_RET_NOT_FWDED
    };
    p[8..12].copy_from_slice(&route.ifindex.to_le_bytes());
    p[52..58].copy_from_slice(&route.smac);
    p[58..64].copy_from_slice(&route.dmac);
    m.mem.write(params, &p)?;
    Ok(0)
}

const fn libc_eafnosupport() -> i64 {
    97
}

/// `bpf_trace_printk(fmt, fmt_size, a, b, c)`: formats into the environment's `printk` lines.
fn printk(m: &mut Machine<'_>, fmt: u64, size: u64, args: [u64; 3]) -> Result<u64, VmErrorKind> {
    let raw = m.mem.read(fmt, size as u32 as usize)?;
    let Some(nul) = raw.iter().position(|&b| b == 0) else {
        return Ok(neg(EINVAL));
    };
    let text = String::from_utf8_lossy(&raw[..nul]).into_owned();
    let mut out = String::new();
    let mut it = text.chars().peekable();
    let mut next = args.into_iter();
    while let Some(c) = it.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = String::new();
        while let Some(&c) = it.peek() {
            it.next();
            spec.push(c);
            if c.is_ascii_alphabetic() && c != 'l' && c != 'h' || c == '%' {
                break;
            }
        }
        if spec == "%" {
            out.push('%');
            continue;
        }
        let Some(v) = next.next() else {
            return Ok(neg(EINVAL));
        };
        let long = spec.contains('l');
        let conv = spec.chars().last().unwrap_or('d');
        match conv {
            'd' | 'i' if long => out.push_str(&(v as i64).to_string()),
            'd' | 'i' => out.push_str(&(v as i32).to_string()),
            'u' if long => out.push_str(&v.to_string()),
            'u' => out.push_str(&(v as u32).to_string()),
            'x' if long => out.push_str(&format!("{v:x}")),
            'x' => out.push_str(&format!("{:x}", v as u32)),
            'p' => out.push_str(&format!("{v:#x}")),
            's' => {
                let mut s = Vec::new();
                let mut a = v;
                while s.len() < 256 {
                    match m.mem.load(a, 1) {
                        Ok(0) | Err(_) => break,
                        Ok(b) => s.push(b as u8),
                    }
                    a += 1;
                }
                out.push_str(&String::from_utf8_lossy(&s));
            }
            'c' => out.push(v as u8 as char),
            _ => return Ok(neg(EINVAL)),
        }
    }
    let n = out.len() as u64;
    m.env.printk.push(out);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_carries_around() {
        assert_eq!(fold32(0x1_ffff_ffff), 1);
        assert_eq!(fold32(0xffff_ffff), 0xffff_ffff);
        assert_eq!(fold32(0x2_0000_0001), 3);
        // The kernel selftest's `push` case: 0xdeadbeefdeadbeef, seed 0 -> 0x3b3b.
        let w = u32::from_le_bytes([0xde, 0xad, 0xbe, 0xef]) as u64;
        assert_eq!(fold16(fold32(2 * w)), 0x3b3b);
    }
}
