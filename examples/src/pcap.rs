//! Classic pcap files (the format of libpcap, tcpdump and tshark; not pcapng): a 24-byte
//! global header, then per packet a 16-byte record header and the bytes.
//!
//! We write the little-endian, microsecond-resolution variant (magic `0xa1b2c3d4` written in
//! host order, version 2.4) with link type `LINKTYPE_ETHERNET` (1). The reader accepts both
//! byte orders and the nanosecond magic `0xa1b23c4d`, and never panics on malformed files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Context, Error, Result};

/// `LINKTYPE_ETHERNET`.
pub const LINKTYPE_ETHERNET: u32 = 1;
/// The microsecond magic number.
pub const MAGIC_USEC: u32 = 0xa1b2_c3d4;
/// The nanosecond magic number.
pub const MAGIC_NSEC: u32 = 0xa1b2_3c4d;

/// Writes a pcap file.
#[derive(Debug)]
pub struct PcapWriter {
    out: BufWriter<File>,
    snaplen: u32,
    records: u64,
}

impl PcapWriter {
    /// Creates (truncates) `path` and writes the global header.
    pub fn create(path: &Path, snaplen: u32) -> Result<PcapWriter> {
        let file = File::create(path).context(format!("creating {}", path.display()))?;
        let mut out = BufWriter::new(file);
        let mut h = Vec::with_capacity(24);
        h.extend_from_slice(&MAGIC_USEC.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes());
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        h.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        h.extend_from_slice(&snaplen.to_le_bytes());
        h.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        out.write_all(&h)
            .context(format!("writing {}", path.display()))?;
        Ok(PcapWriter {
            out,
            snaplen,
            records: 0,
        })
    }

    /// Appends one packet, stamped with the current time, cut to the snap length.
    pub fn write(&mut self, packet: &[u8]) -> Result<()> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let caplen = packet.len().min(self.snaplen as usize);
        let mut h = [0u8; 16];
        h[0..4].copy_from_slice(&(now.as_secs() as u32).to_le_bytes());
        h[4..8].copy_from_slice(&now.subsec_micros().to_le_bytes());
        h[8..12].copy_from_slice(&(caplen as u32).to_le_bytes());
        h[12..16].copy_from_slice(&(packet.len() as u32).to_le_bytes());
        self.out.write_all(&h).context("writing a pcap record")?;
        self.out
            .write_all(&packet[..caplen])
            .context("writing a pcap record")?;
        self.records += 1;
        Ok(())
    }

    /// Packets written.
    pub fn records(&self) -> u64 {
        self.records
    }

    /// Flushes the file.
    pub fn finish(mut self) -> Result<u64> {
        self.out.flush().context("flushing the pcap file")?;
        Ok(self.records)
    }
}

/// One record read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Seconds of the timestamp.
    pub ts_sec: u32,
    /// Microseconds (or nanoseconds, with the nanosecond magic).
    pub ts_frac: u32,
    /// Length on the wire.
    pub orig_len: u32,
    /// The captured bytes.
    pub data: Vec<u8>,
}

/// A parsed pcap file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcap {
    /// Version (major, minor).
    pub version: (u16, u16),
    /// Snap length.
    pub snaplen: u32,
    /// Link type.
    pub linktype: u32,
    /// The packets.
    pub records: Vec<Record>,
}

/// Parses a whole pcap file in memory; a malformed one is an [`Error::Failed`] saying where.
pub fn parse(bytes: &[u8]) -> Result<Pcap> {
    let bad = |what: String| Error::Failed(format!("not a valid pcap file: {what}"));
    let head = bytes.get(..24).ok_or_else(|| {
        bad(format!(
            "{} bytes, shorter than the 24-byte header",
            bytes.len()
        ))
    })?;
    let magic_le = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
    let le = match magic_le {
        MAGIC_USEC | MAGIC_NSEC => true,
        m if m.swap_bytes() == MAGIC_USEC || m.swap_bytes() == MAGIC_NSEC => false,
        m => return Err(bad(format!("magic {m:#010x}"))),
    };
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
    let mut p = Pcap {
        version: (u16_at(head, 4), u16_at(head, 6)),
        snaplen: u32_at(head, 16),
        linktype: u32_at(head, 20),
        records: Vec::new(),
    };
    let mut off = 24;
    while off < bytes.len() {
        let h = bytes
            .get(off..off + 16)
            .ok_or_else(|| bad(format!("record header at byte {off} cut short")))?;
        let caplen = u32_at(h, 8) as usize;
        let data = bytes.get(off + 16..off + 16 + caplen).ok_or_else(|| {
            bad(format!(
                "record at byte {off}: {caplen} bytes announced, fewer left"
            ))
        })?;
        if caplen > p.snaplen as usize {
            return Err(bad(format!(
                "record at byte {off} longer than the snap length"
            )));
        }
        p.records.push(Record {
            ts_sec: u32_at(h, 0),
            ts_frac: u32_at(h, 4),
            orig_len: u32_at(h, 12),
            data: data.to_vec(),
        });
        off += 16 + caplen;
    }
    Ok(p)
}

/// Reads and parses the pcap file at `path`.
pub fn read(path: &Path) -> Result<Pcap> {
    let bytes = std::fs::read(path).context(format!("reading {}", path.display()))?;
    parse(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read() {
        let path = std::env::temp_dir().join(format!("xsk-pcap-test-{}.pcap", std::process::id()));
        let mut w = PcapWriter::create(&path, 64).unwrap();
        w.write(&[1u8; 60]).unwrap();
        w.write(&[2u8; 100]).unwrap();
        assert_eq!(w.finish().unwrap(), 2);
        let p = read(&path).unwrap();
        let _ = std::fs::remove_file(&path);
        assert_eq!((p.version, p.snaplen, p.linktype), ((2, 4), 64, 1));
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[0].data, vec![1u8; 60]);
        assert_eq!((p.records[1].data.len(), p.records[1].orig_len), (64, 100));
    }

    #[test]
    fn malformed_files_are_errors() {
        assert!(parse(&[]).is_err());
        assert!(parse(&[0u8; 24]).is_err());
        let mut ok = Vec::new();
        ok.extend_from_slice(&MAGIC_USEC.to_be_bytes());
        ok.extend_from_slice(&[0, 2, 0, 4]);
        ok.extend_from_slice(&[0u8; 8]);
        ok.extend_from_slice(&100u32.to_be_bytes());
        ok.extend_from_slice(&1u32.to_be_bytes());
        assert_eq!(parse(&ok).unwrap().records.len(), 0, "big-endian header");
        let mut cut = ok.clone();
        cut.extend_from_slice(&[0u8; 8]);
        assert!(parse(&cut).is_err());
        cut.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 50, 0, 0, 0, 50]);
        assert!(parse(&cut).is_err(), "announced bytes missing");
    }
}
