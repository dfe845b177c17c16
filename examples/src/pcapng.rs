//! pcapng files (the format Wireshark and tshark write by default), written and read back:
//! a Section Header Block, one Interface Description Block, then one Enhanced Packet Block per
//! packet with its own timestamp and an optional comment.
//!
//! What we write (all little-endian, blocks padded to 4 bytes as the format requires):
//!
//! | block | options |
//! |---|---|
//! | Section Header (type `0x0A0D0D0A`, byte-order magic `0x1A2B3C4D`, version 1.0) | `shb_userappl` |
//! | Interface Description (type 1): `LINKTYPE_ETHERNET`, the snap length | `if_name`, `if_tsresol` = 9 (timestamps in nanoseconds), `opt_comment` |
//! | Enhanced Packet (type 6): interface 0, 64-bit timestamp, captured and original length, the bytes | `opt_comment` (e.g. which clock the timestamp came from) |
//!
//! The reader accepts what the writer writes (and either byte order, any `if_tsresol` that is
//! a power of 10, Simple Packet Blocks and unknown blocks skipped) and never panics on
//! malformed input.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Context, Error, Result};
use crate::pcap::LINKTYPE_ETHERNET;

/// Section Header Block type.
pub const BT_SHB: u32 = 0x0A0D_0D0A;
/// Interface Description Block type.
pub const BT_IDB: u32 = 1;
/// Simple Packet Block type.
pub const BT_SPB: u32 = 3;
/// Enhanced Packet Block type.
pub const BT_EPB: u32 = 6;
/// The byte-order magic of a Section Header Block.
pub const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
/// `opt_endofopt`.
const OPT_END: u16 = 0;
/// `opt_comment` (any block).
pub const OPT_COMMENT: u16 = 1;
/// `shb_userappl`.
const SHB_USERAPPL: u16 = 4;
/// `if_name`.
const IF_NAME: u16 = 2;
/// `if_tsresol`.
pub const IF_TSRESOL: u16 = 9;

/// Appends option `code` with `value` (padded to 4 bytes).
fn push_option(b: &mut Vec<u8>, code: u16, value: &[u8]) {
    // Option lengths are 16 bits; longer values are cut (comments are short).
    let value = &value[..value.len().min(0xfff0)];
    b.extend_from_slice(&code.to_le_bytes());
    b.extend_from_slice(&(value.len() as u16).to_le_bytes());
    b.extend_from_slice(value);
    b.resize(b.len().next_multiple_of(4), 0);
}

/// Frames `body` (everything between the type/length header and the trailing length) as a
/// block of type `ty`.
fn block(ty: u32, body: &[u8]) -> Vec<u8> {
    let total = (12 + body.len().next_multiple_of(4)) as u32;
    let mut b = Vec::with_capacity(total as usize);
    b.extend_from_slice(&ty.to_le_bytes());
    b.extend_from_slice(&total.to_le_bytes());
    b.extend_from_slice(body);
    b.resize(total as usize - 4, 0);
    b.extend_from_slice(&total.to_le_bytes());
    b
}

/// Writes a pcapng file with one Ethernet interface and nanosecond timestamps.
#[derive(Debug)]
pub struct PcapngWriter {
    out: BufWriter<File>,
    snaplen: u32,
    records: u64,
    /// Reused per packet.
    buf: Vec<u8>,
}

impl PcapngWriter {
    /// Creates (truncates) `path` and writes the section header (naming `application`) and
    /// the interface description (`if_name` = `iface`, `if_tsresol` = nanoseconds, and
    /// `comment` as its `opt_comment`, e.g. where the timestamps come from).
    pub fn create(
        path: &Path,
        snaplen: u32,
        iface: &str,
        application: &str,
        comment: Option<&str>,
    ) -> Result<PcapngWriter> {
        let file = File::create(path).context(format!("creating {}", path.display()))?;
        let mut out = BufWriter::new(file);
        let mut shb = Vec::new();
        shb.extend_from_slice(&BYTE_ORDER_MAGIC.to_le_bytes());
        shb.extend_from_slice(&1u16.to_le_bytes());
        shb.extend_from_slice(&0u16.to_le_bytes());
        shb.extend_from_slice(&(-1i64).to_le_bytes()); // section length: not given
        push_option(&mut shb, SHB_USERAPPL, application.as_bytes());
        push_option(&mut shb, OPT_END, &[]);
        let mut idb = Vec::new();
        idb.extend_from_slice(&(LINKTYPE_ETHERNET as u16).to_le_bytes());
        idb.extend_from_slice(&0u16.to_le_bytes());
        idb.extend_from_slice(&snaplen.to_le_bytes());
        push_option(&mut idb, IF_NAME, iface.as_bytes());
        push_option(&mut idb, IF_TSRESOL, &[9]);
        if let Some(c) = comment {
            push_option(&mut idb, OPT_COMMENT, c.as_bytes());
        }
        push_option(&mut idb, OPT_END, &[]);
        out.write_all(&block(BT_SHB, &shb))
            .and_then(|()| out.write_all(&block(BT_IDB, &idb)))
            .context(format!("writing {}", path.display()))?;
        Ok(PcapngWriter {
            out,
            snaplen,
            records: 0,
            buf: Vec::with_capacity(2048),
        })
    }

    /// Appends one packet with its timestamp (nanoseconds since the Unix epoch) and an
    /// optional comment, cut to the snap length.
    pub fn write(&mut self, packet: &[u8], timestamp_ns: u64, comment: Option<&str>) -> Result<()> {
        let caplen = packet.len().min(self.snaplen as usize);
        let b = &mut self.buf;
        b.clear();
        b.extend_from_slice(&0u32.to_le_bytes()); // interface 0
        b.extend_from_slice(&((timestamp_ns >> 32) as u32).to_le_bytes());
        b.extend_from_slice(&(timestamp_ns as u32).to_le_bytes());
        b.extend_from_slice(&(caplen as u32).to_le_bytes());
        b.extend_from_slice(&(packet.len() as u32).to_le_bytes());
        b.extend_from_slice(&packet[..caplen]);
        b.resize(b.len().next_multiple_of(4), 0);
        if let Some(c) = comment {
            push_option(b, OPT_COMMENT, c.as_bytes());
            push_option(b, OPT_END, &[]);
        }
        let blk = block(BT_EPB, b);
        self.out.write_all(&blk).context("writing a pcapng block")?;
        self.records += 1;
        Ok(())
    }

    /// Packets written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes the file; returns the number of packets written.
    pub fn finish(mut self) -> Result<u64> {
        self.out.flush().context("flushing the pcapng file")?;
        Ok(self.records)
    }
}

/// One packet read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketRecord {
    /// The interface (index of its Interface Description Block).
    pub interface: u32,
    /// Timestamp in nanoseconds since the epoch (converted from the interface's `if_tsresol`;
    /// 0 for a Simple Packet Block, which has none).
    pub timestamp_ns: u64,
    /// Length on the wire.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: Vec<u8>,
    /// The `opt_comment`s of the block.
    pub comments: Vec<String>,
}

/// An interface described in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    /// Link type.
    pub linktype: u16,
    /// Snap length.
    pub snaplen: u32,
    /// `if_name`, if given.
    pub name: Option<String>,
    /// `if_tsresol` as given (default 6: microseconds).
    pub tsresol: u8,
    /// The `opt_comment`s of the block.
    pub comments: Vec<String>,
}

/// A parsed pcapng file (one or more sections, flattened).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pcapng {
    /// Version of the (last) section header (major, minor).
    pub version: (u16, u16),
    /// The interfaces, in order.
    pub interfaces: Vec<Interface>,
    /// The packets.
    pub records: Vec<PacketRecord>,
}

/// Reads and parses a pcapng file.
pub fn read(path: &Path) -> Result<Pcapng> {
    let bytes = std::fs::read(path).context(format!("reading {}", path.display()))?;
    parse(&bytes)
}

/// Options of a block: (code, value) pairs up to `opt_endofopt`; malformed tails are ignored.
fn options(b: &[u8], u16_at: &dyn Fn(&[u8], usize) -> u16) -> Vec<(u16, Vec<u8>)> {
    let mut v = Vec::new();
    let mut off = 0;
    while off + 4 <= b.len() {
        let code = u16_at(b, off);
        let len = usize::from(u16_at(b, off + 2));
        if code == OPT_END {
            break;
        }
        let Some(val) = b.get(off + 4..off + 4 + len) else {
            break;
        };
        v.push((code, val.to_vec()));
        off += 4 + len.next_multiple_of(4);
    }
    v
}

/// Nanoseconds of `ts` units at resolution `tsresol` (`if_tsresol` encoding); `None` for a
/// resolution we do not convert (a power of 2, or finer than 1 ns).
fn to_ns(ts: u64, tsresol: u8) -> Option<u64> {
    if tsresol & 0x80 != 0 || tsresol > 9 {
        return None;
    }
    Some(ts.saturating_mul(10u64.pow(9 - u32::from(tsresol))))
}

/// Parses a whole pcapng file in memory; a malformed one is an [`Error::Failed`] saying where.
pub fn parse(bytes: &[u8]) -> Result<Pcapng> {
    let bad = |what: String| Error::Failed(format!("not a valid pcapng file: {what}"));
    let mut p = Pcapng::default();
    let mut le = true;
    let mut off = 0;
    let mut seen_shb = false;
    while off < bytes.len() {
        let head = bytes
            .get(off..off + 8)
            .ok_or_else(|| bad(format!("block header at byte {off} cut short")))?;
        let ty_le = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
        if ty_le == BT_SHB {
            let magic = bytes
                .get(off + 8..off + 12)
                .ok_or_else(|| bad(format!("section header at byte {off} cut short")))?;
            le = match u32::from_le_bytes([magic[0], magic[1], magic[2], magic[3]]) {
                BYTE_ORDER_MAGIC => true,
                m if m.swap_bytes() == BYTE_ORDER_MAGIC => false,
                m => return Err(bad(format!("byte-order magic {m:#010x} at byte {off}"))),
            };
            seen_shb = true;
            p.interfaces.clear();
        } else if !seen_shb {
            return Err(bad(format!(
                "first block type {ty_le:#x} is not a section header"
            )));
        }
        let u32_at = |b: &[u8], o: usize| {
            let a = [b[o], b[o + 1], b[o + 2], b[o + 3]];
            if le {
                u32::from_le_bytes(a)
            } else {
                u32::from_be_bytes(a)
            }
        };
        let u16_at = |b: &[u8], o: usize| {
            let a = [b[o], b[o + 1]];
            if le {
                u16::from_le_bytes(a)
            } else {
                u16::from_be_bytes(a)
            }
        };
        let ty = u32_at(head, 0);
        let total = u32_at(head, 4) as usize;
        if total < 12 || !total.is_multiple_of(4) {
            return Err(bad(format!("block at byte {off} has length {total}")));
        }
        let blk = bytes
            .get(off..off + total)
            .ok_or_else(|| bad(format!("block at byte {off} ({total} bytes) cut short")))?;
        if u32_at(blk, total - 4) as usize != total {
            return Err(bad(format!("block at byte {off}: trailing length differs")));
        }
        let body = &blk[8..total - 4];
        let short = || bad(format!("block type {ty:#x} at byte {off} too short"));
        match ty {
            BT_SHB => {
                if body.len() < 16 {
                    return Err(short());
                }
                p.version = (u16_at(body, 4), u16_at(body, 6));
            }
            BT_IDB => {
                if body.len() < 8 {
                    return Err(short());
                }
                let mut i = Interface {
                    linktype: u16_at(body, 0),
                    snaplen: u32_at(body, 4),
                    name: None,
                    tsresol: 6,
                    comments: Vec::new(),
                };
                for (code, val) in options(&body[8..], &u16_at) {
                    match code {
                        IF_NAME => i.name = Some(String::from_utf8_lossy(&val).into_owned()),
                        IF_TSRESOL => i.tsresol = val.first().copied().unwrap_or(6),
                        OPT_COMMENT => i.comments.push(String::from_utf8_lossy(&val).into_owned()),
                        _ => {}
                    }
                }
                p.interfaces.push(i);
            }
            BT_EPB => {
                if body.len() < 20 {
                    return Err(short());
                }
                let interface = u32_at(body, 0);
                let ts = (u64::from(u32_at(body, 4)) << 32) | u64::from(u32_at(body, 8));
                let caplen = u32_at(body, 12) as usize;
                let orig_len = u32_at(body, 16);
                let data = body
                    .get(20..20 + caplen)
                    .ok_or_else(|| bad(format!("packet at byte {off}: data cut short")))?;
                let iface = p.interfaces.get(interface as usize).ok_or_else(|| {
                    bad(format!("packet at byte {off} names interface {interface}"))
                })?;
                let timestamp_ns = to_ns(ts, iface.tsresol).ok_or_else(|| {
                    bad(format!("if_tsresol {:#x} is not supported", iface.tsresol))
                })?;
                let opts = body.get(20 + caplen.next_multiple_of(4)..).unwrap_or(&[]);
                let comments = options(opts, &u16_at)
                    .into_iter()
                    .filter(|(c, _)| *c == OPT_COMMENT)
                    .map(|(_, v)| String::from_utf8_lossy(&v).into_owned())
                    .collect();
                p.records.push(PacketRecord {
                    interface,
                    timestamp_ns,
                    orig_len,
                    data: data.to_vec(),
                    comments,
                });
            }
            BT_SPB => {
                if body.len() < 4 {
                    return Err(short());
                }
                let orig_len = u32_at(body, 0);
                let snap = p.interfaces.first().map_or(u32::MAX, |i| i.snaplen);
                let caplen = (orig_len.min(snap) as usize).min(body.len() - 4);
                p.records.push(PacketRecord {
                    interface: 0,
                    timestamp_ns: 0,
                    orig_len,
                    data: body[4..4 + caplen].to_vec(),
                    comments: Vec::new(),
                });
            }
            _ => {}
        }
        off += total;
    }
    if !seen_shb {
        return Err(bad("empty file".into()));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_it_reads() {
        let path = std::env::temp_dir().join(format!("pcapng-unit-{}.pcapng", std::process::id()));
        let mut w = PcapngWriter::create(&path, 64, "veth0", "test", Some("clock")).unwrap();
        w.write(
            &[1, 2, 3, 4, 5],
            1_700_000_000_123_456_789,
            Some("ts=software"),
        )
        .unwrap();
        w.write(&[9; 100], 1_700_000_001_000_000_000, None).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        let f = read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!(f.version, (1, 0));
        assert_eq!(f.interfaces.len(), 1);
        assert_eq!(f.interfaces[0].tsresol, 9);
        assert_eq!(f.interfaces[0].name.as_deref(), Some("veth0"));
        assert_eq!(f.interfaces[0].comments, ["clock"]);
        assert_eq!(f.records.len(), 2);
        assert_eq!(f.records[0].timestamp_ns, 1_700_000_000_123_456_789);
        assert_eq!(f.records[0].data, [1, 2, 3, 4, 5]);
        assert_eq!(f.records[0].comments, ["ts=software"]);
        assert_eq!(f.records[1].data.len(), 64);
        assert_eq!(f.records[1].orig_len, 100);
        assert!(f.records[1].comments.is_empty());
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        let path = std::env::temp_dir().join(format!("pcapng-bad-{}.pcapng", std::process::id()));
        let mut w = PcapngWriter::create(&path, 64, "x", "test", None).unwrap();
        w.write(&[7; 30], 5, Some("c")).unwrap();
        w.finish().unwrap();
        let good = std::fs::read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert!(parse(&good).is_ok());
        for cut in 0..good.len() {
            // A cut inside a block is an error; a cut between blocks loses the packet.
            if let Ok(p) = parse(&good[..cut]) {
                assert!(p.records.is_empty(), "cut at {cut}");
            }
        }
        let mut flipped = good.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = parse(&flipped);
            flipped[i] ^= 0xff;
        }
        assert!(parse(b"\xd4\xc3\xb2\xa1").is_err());
    }
}
