//! AF_XDP TX metadata (Linux 6.8): per-packet requests in front of a TX packet — a completion
//! timestamp, L4 checksum offload, a launch time (6.14) — and the timestamp the kernel writes
//! back; and [`TxMetadataSupport`], which says what the running kernel and an interface do with
//! each request in copy and in zero-copy mode, so nothing is silently pretended.
//!
//! # The kernel's interface (`include/uapi/linux/if_xdp.h`,
//! `Documentation/networking/xsk-tx-metadata.rst`)
//!
//! - The UMEM reserves `tx_metadata_len` bytes in front of every TX packet: registration with
//!   `XDP_UMEM_TX_METADATA_LEN` (6.11; 6.8 to 6.10 read the field without the flag, which we
//!   do not do: there [`Umem::new`] fails with a hint and [`TxMetadataSupport::kernel`] says
//!   so). A multiple of 8 below 256; [`TX_METADATA_LEN`] (24) holds `struct xsk_tx_metadata`.
//! - A TX descriptor with the `XDP_TX_METADATA` option makes the kernel read
//!   `struct xsk_tx_metadata` at `addr - tx_metadata_len`: `u64 flags`
//!   (`XDP_TXMD_FLAGS_TIMESTAMP` 1, `_CHECKSUM` 2, `_LAUNCH_TIME` 4), then a union of the
//!   request (`u16 csum_start, u16 csum_offset, u32 reserved, u64 launch_time`) and the
//!   completion (`u64 tx_timestamp`). Only the first descriptor of a multi-buffer packet carries
//!   metadata.
//! - The timestamp is written into `completion.tx_timestamp` before the frame appears on the
//!   completion ring, so it is read after the frame came back ([`Umem::tx_timestamp`]).
//!
//! # What happens to a request (kernel 6.8 .. 6.18, `net/xdp/xsk.c`)
//!
//! | request | zero-copy | copy mode (every driver, veth included) |
//! |---|---|---|
//! | timestamp | the driver's hardware TX timestamp, if it implements `tmo_fill_timestamp` (`xsk-features` `tx-timestamp`), else ignored | a **software** timestamp: `CLOCK_TAI` read when the skb is freed after transmission (on veth: after the peer consumed it) |
//! | checksum | the device computes it, if the driver implements `tmo_request_checksum` (`tx-checksum`), else ignored | the skb goes to the driver as `CHECKSUM_PARTIAL`: a device with checksum offload fills it in, the stack computes it for one without; **veth** advertises offload and passes the skb on with the checksum *not* computed (the peer's stack accepts it as partial, raw sockets see the unfilled field); with [`UmemConfig::tx_sw_csum`](super::umem::UmemConfig::tx_sw_csum) (`XDP_UMEM_TX_SW_CSUM`) the kernel computes it in software first |
//! | launch time | the device schedules it, if the driver implements `tmo_request_launch_time` (`tx-launch-time-fifo`) and launch time is enabled on the queue, else ignored | set as `skb->tstamp` and handed to the driver directly (no qdisc): only a driver with launch-time offload acts on it; veth ignores it |
//!
//! The checksum request follows the skb convention: the checksum field (at `start + offset`)
//! must hold the pseudo-header checksum (not inverted), the device adds the bytes from `start`
//! to the end. The kernel refuses (`EINVAL`) metadata with unknown flag bits or a checksum
//! field beyond the packet, and in copy mode such a descriptor is then retried forever (the TX
//! ring stalls): [`TxBatch::push_with_metadata`] checks both before the descriptor exists.
//!
//! Device capabilities come from the `netdev` generic netlink family (`dev-get`, attribute
//! `xsk-features`, 6.8), read by [`TxMetadataSupport::probe`].

use super::tx::TxBatch;
use super::umem::{Frame, Umem, UmemConfig};
use crate::error::{Error, Result};
use crate::sys::genetlink::{netdev_dev_get, NetdevInfo};
use crate::sys::xdp::{
    XDP_TXMD_FLAGS_CHECKSUM, XDP_TXMD_FLAGS_LAUNCH_TIME, XDP_TXMD_FLAGS_TIMESTAMP, XDP_TX_METADATA,
    XSK_TXMD_CSUM_OFFSET, XSK_TXMD_CSUM_START, XSK_TXMD_LAUNCH_TIME, XSK_TXMD_TX_TIMESTAMP,
    XSK_TX_METADATA_SIZE,
};

/// `sizeof(struct xsk_tx_metadata)`: the [`UmemConfig::tx_metadata_len`] the typed requests
/// need.
pub const TX_METADATA_LEN: u32 = XSK_TX_METADATA_SIZE;

/// `NETDEV_XSK_FLAGS_TX_TIMESTAMP`.
const XSK_FLAGS_TX_TIMESTAMP: u64 = 1;
/// `NETDEV_XSK_FLAGS_TX_CHECKSUM`.
const XSK_FLAGS_TX_CHECKSUM: u64 = 2;
/// `NETDEV_XSK_FLAGS_TX_LAUNCH_TIME_FIFO`.
const XSK_FLAGS_TX_LAUNCH_TIME: u64 = 4;

/// An L4 checksum request: the device computes the one's-complement sum of the packet from
/// `start` to its end and stores it at `start + offset` (both counted from the packet's first
/// byte). For UDP over IPv4 without options: `start` 34, `offset` 6; the field must hold the
/// pseudo-header sum beforehand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TxChecksum {
    /// Where the checksummed bytes start (`request.csum_start`).
    pub start: u16,
    /// Where the checksum goes, from `start` (`request.csum_offset`).
    pub offset: u16,
}

/// What to ask of the kernel for one TX packet (`struct xsk_tx_metadata`'s request).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TxMetadataRequest {
    /// A completion timestamp (`XDP_TXMD_FLAGS_TIMESTAMP`), read with
    /// [`Umem::tx_timestamp`].
    pub timestamp: bool,
    /// Checksum offload (`XDP_TXMD_FLAGS_CHECKSUM`).
    pub checksum: Option<TxChecksum>,
    /// Launch time in ns of the device's PTP clock (`XDP_TXMD_FLAGS_LAUNCH_TIME`, 6.14).
    pub launch_time: Option<u64>,
}

impl TxMetadataRequest {
    /// Only a completion timestamp.
    pub fn timestamp() -> TxMetadataRequest {
        TxMetadataRequest {
            timestamp: true,
            ..Default::default()
        }
    }

    /// The `flags` word.
    pub fn flags(&self) -> u64 {
        let mut f = 0;
        if self.timestamp {
            f |= XDP_TXMD_FLAGS_TIMESTAMP;
        }
        if self.checksum.is_some() {
            f |= XDP_TXMD_FLAGS_CHECKSUM;
        }
        if self.launch_time.is_some() {
            f |= XDP_TXMD_FLAGS_LAUNCH_TIME;
        }
        f
    }

    /// The 24 bytes of `struct xsk_tx_metadata` (host byte order); the union is zero where
    /// nothing is requested, so an ignored timestamp request reads back as 0.
    pub fn encode(&self) -> [u8; TX_METADATA_LEN as usize] {
        let mut b = [0u8; TX_METADATA_LEN as usize];
        b[..8].copy_from_slice(&self.flags().to_ne_bytes());
        if let Some(c) = self.checksum {
            b[XSK_TXMD_CSUM_START..XSK_TXMD_CSUM_START + 2].copy_from_slice(&c.start.to_ne_bytes());
            b[XSK_TXMD_CSUM_OFFSET..XSK_TXMD_CSUM_OFFSET + 2]
                .copy_from_slice(&c.offset.to_ne_bytes());
        }
        if let Some(t) = self.launch_time {
            b[XSK_TXMD_LAUNCH_TIME..XSK_TXMD_LAUNCH_TIME + 8].copy_from_slice(&t.to_ne_bytes());
        }
        b
    }

    /// Checks the request against a packet of `len` bytes the way the kernel will: the
    /// checksum field must lie inside the packet (`csum_start + csum_offset + 2 <= len`).
    /// A launch time is refused where the running kernel does not know
    /// `XDP_TXMD_FLAGS_LAUNCH_TIME` ([`kernel_knows_launch_time`]): such a kernel refuses the
    /// whole descriptor at the next kick (EINVAL), which stalls the TX ring.
    pub fn check(&self, len: u32) -> Result<()> {
        if self.launch_time.is_some() && !kernel_knows_launch_time() {
            return Err(Error::invalid(
                "TX metadata launch time: the running kernel does not know \
                 XDP_TXMD_FLAGS_LAUNCH_TIME (Linux 6.14; its BTF's struct xsk_tx_metadata has no \
                 launch_time) and would refuse the descriptor at the next kick; send without a \
                 launch time, or on a 6.14 or later kernel",
            ));
        }
        if let Some(c) = self.checksum {
            let end = u32::from(c.start) + u32::from(c.offset) + 2;
            if end > len {
                return Err(Error::invalid(format!(
                    "TX checksum request: the checksum field (start {} + offset {}) ends at byte \
                     {end}, beyond the {len}-byte packet; the kernel would refuse the descriptor",
                    c.start, c.offset
                )));
            }
        }
        Ok(())
    }
}

impl Umem {
    fn tx_metadata_at(&self, offset: u32) -> Result<u32> {
        let md = self.tx_metadata_len();
        if md < TX_METADATA_LEN {
            return Err(Error::invalid(format!(
                "this UMEM reserves {md} bytes of TX metadata: set UmemConfig::tx_metadata_len \
                 to {TX_METADATA_LEN} (tx_metadata::TX_METADATA_LEN) to send TX metadata"
            )));
        }
        if offset < md || offset > self.frame_size() {
            return Err(Error::invalid(format!(
                "TX packet offset {offset}: the {md} bytes of TX metadata go in front of the \
                 packet, so it must start at {md} or later inside the {}-byte frame",
                self.frame_size()
            )));
        }
        Ok(offset - md)
    }

    /// Writes `request` into the TX metadata area in front of a packet of `len` bytes at
    /// `offset` in `frame` (then push it with the `XDP_TX_METADATA` option, or use
    /// [`TxBatch::push_with_metadata`], which does both).
    pub fn write_tx_metadata(
        &self,
        frame: &mut Frame,
        offset: u32,
        len: u32,
        request: &TxMetadataRequest,
    ) -> Result<()> {
        let at = self.tx_metadata_at(offset)? as usize;
        if len == 0 || len > self.frame_size() - offset {
            return Err(Error::invalid(format!(
                "TX packet of {len} bytes at offset {offset} does not fit the {}-byte frame",
                self.frame_size()
            )));
        }
        request.check(len)?;
        self.frame_mut(frame)[at..at + TX_METADATA_LEN as usize].copy_from_slice(&request.encode());
        Ok(())
    }

    /// The TX timestamp the kernel wrote for the packet that was at `offset` in `frame`, read
    /// after the frame came back from the completion ring: `None` if no timestamp was
    /// requested or none was written (0). What clock it is depends on the mode (see the
    /// module docs: `CLOCK_TAI` in copy mode, the device's clock in zero-copy). With a
    /// checksum request in the same packet, a driver that ignores the timestamp leaves the
    /// checksum request in its place: ask [`TxMetadataSupport`] first.
    pub fn tx_timestamp(&self, frame: &Frame, offset: u32) -> Option<u64> {
        let at = self.tx_metadata_at(offset).ok()? as usize;
        let m = &self.frame(frame)[at..at + TX_METADATA_LEN as usize];
        let word = |o: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&m[o..o + 8]);
            u64::from_ne_bytes(w)
        };
        if word(0) & XDP_TXMD_FLAGS_TIMESTAMP == 0 {
            return None;
        }
        Some(word(XSK_TXMD_TX_TIMESTAMP)).filter(|&t| t != 0)
    }
}

/// Why [`TxBatch::push_with_metadata`] gave a frame back.
#[derive(Debug)]
pub struct TxMetadataRejected {
    /// The frame, unchanged apart from its metadata area.
    pub frame: Frame,
    /// What was wrong.
    pub error: Error,
}

impl TxBatch<'_> {
    /// Writes `request` in front of the packet (`len` bytes at `offset` in `frame`, which must
    /// be at least the UMEM's `tx_metadata_len`) and queues it with the `XDP_TX_METADATA`
    /// option. Gives the frame back with the reason if the UMEM has no room for metadata, the
    /// request does not fit the packet, the batch is full, or the descriptor would be invalid.
    pub fn push_with_metadata(
        &mut self,
        mut frame: Frame,
        offset: u32,
        len: u32,
        request: &TxMetadataRequest,
    ) -> std::result::Result<(), TxMetadataRejected> {
        if self.remaining() == 0 {
            return Err(TxMetadataRejected {
                frame,
                error: Error::invalid("the TX batch is full"),
            });
        }
        if let Err(error) = self
            .umem
            .write_tx_metadata(&mut frame, offset, len, request)
        {
            return Err(TxMetadataRejected { frame, error });
        }
        self.push_with_options(frame, offset, len, XDP_TX_METADATA)
            .map_err(|frame| TxMetadataRejected {
                frame,
                error: Error::invalid(
                    "not a valid TX descriptor for this UMEM (frame of another UMEM?)",
                ),
            })
    }
}

/// What happens to one kind of TX metadata request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Honoured {
    /// The device does it (zero-copy mode, the driver implements the offload).
    ByDevice,
    /// The kernel does it in software (copy mode: the completion timestamp; the checksum with
    /// `XDP_UMEM_TX_SW_CSUM`).
    InSoftware,
    /// Handed to the driver's ordinary skb path (copy mode): the checksum as
    /// `CHECKSUM_PARTIAL`, the launch time as `skb->tstamp`; whether the wire bytes or the
    /// timing change depends on the device (veth changes neither).
    PassedToDriver,
    /// Accepted and ignored: the zero-copy driver does not implement it.
    Ignored,
    /// The kernel does not accept it (too old): sending it would be refused.
    Unsupported,
}

/// The offloads an interface's driver implements for zero-copy TX metadata (`netdev`
/// `xsk-features`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeviceTxOffloads {
    /// `tx-timestamp`.
    pub timestamp: bool,
    /// `tx-checksum`.
    pub checksum: bool,
    /// `tx-launch-time-fifo`.
    pub launch_time: bool,
}

/// The XDP RX metadata kfuncs an interface's driver implements (`netdev`
/// `xdp-rx-metadata-features`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct DeviceRxMetadata {
    /// `bpf_xdp_metadata_rx_timestamp`.
    pub timestamp: bool,
    /// `bpf_xdp_metadata_rx_hash`.
    pub hash: bool,
    /// `bpf_xdp_metadata_rx_vlan_tag`.
    pub vlan_tag: bool,
}

/// What the running kernel and one interface do with TX metadata: [`TxMetadataSupport::probe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxMetadataSupport {
    /// `Ok` if the kernel registers a UMEM with `tx_metadata_len` (`XDP_UMEM_TX_METADATA_LEN`),
    /// else why not.
    pub kernel: std::result::Result<(), String>,
    /// The kernel knows `XDP_TXMD_FLAGS_LAUNCH_TIME` (6.14; [`kernel_knows_launch_time`]).
    pub launch_time_flag: bool,
    /// The driver's zero-copy offloads, or why they could not be read (no `netdev` family:
    /// kernel before 6.3; no `xsk-features`: before 6.8).
    pub device: std::result::Result<DeviceTxOffloads, String>,
    /// The driver's RX metadata kfuncs, if the kernel said (6.8).
    pub rx_metadata: Option<DeviceRxMetadata>,
    /// The raw `xdp-features` (`NETDEV_XDP_ACT_*`), if the kernel said.
    pub xdp_features: Option<u64>,
}

/// Whether the running kernel knows `XDP_TXMD_FLAGS_LAUNCH_TIME` (Linux 6.14): its BTF
/// (`/sys/kernel/btf/vmlinux`) has a `launch_time` in `struct xsk_tx_metadata`'s request. A
/// kernel without BTF is judged by its release (6.14 or later). Asked once, then cached.
pub fn kernel_knows_launch_time() -> bool {
    static KNOWS: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *KNOWS.get_or_init(|| {
        std::fs::read(crate::bpf::kfunc::VMLINUX_BTF)
            .ok()
            .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok())
            .map_or_else(
                || kernel_release().is_some_and(|r| r >= (6, 14)),
                |btf| btf_has_launch_time(&btf),
            )
    })
}

/// `struct xsk_tx_metadata` of `btf` has a member `launch_time` (in its request, an anonymous
/// union's struct, or directly).
fn btf_has_launch_time(btf: &ebpf_dsl::btf::Btf) -> bool {
    use ebpf_dsl::btf::Kind;
    fn members(btf: &ebpf_dsl::btf::Btf, id: u32, depth: u32) -> bool {
        let ms = match btf.get(id).map(|t| &t.kind) {
            Some(Kind::Struct { members, .. } | Kind::Union { members, .. }) => members,
            _ => return false,
        };
        depth < 4
            && ms
                .iter()
                .any(|m| m.name == "launch_time" || members(btf, m.ty, depth + 1))
    }
    // Kind number 4: STRUCT.
    btf.find("xsk_tx_metadata", 4)
        .is_some_and(|id| members(btf, id, 0))
}

/// `(major, minor)` of the running kernel (`/proc/sys/kernel/osrelease`).
fn kernel_release() -> Option<(u32, u32)> {
    let r = std::fs::read_to_string("/proc/sys/kernel/osrelease").ok()?;
    let mut it = r.trim().split(|c: char| !c.is_ascii_digit());
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

impl TxMetadataSupport {
    /// Asks the kernel: registers a two-frame UMEM with `tx_metadata_len` = 24 (needs
    /// `CAP_NET_RAW`, like every AF_XDP socket), and reads `netdev dev-get` for `ifindex` in the
    /// calling thread's network namespace.
    pub fn probe(ifindex: u32) -> TxMetadataSupport {
        let kernel = match Umem::new(&UmemConfig {
            frame_size: 2048,
            frame_count: 2,
            tx_metadata_len: TX_METADATA_LEN,
            ..Default::default()
        }) {
            Ok(_) => Ok(()),
            Err(e) if e.errno() == Some(libc::EINVAL) => Err(format!(
                "the kernel refuses tx_metadata_len with XDP_UMEM_TX_METADATA_LEN: older than \
                 6.11 (TX metadata needs 6.8, the flag 6.11; running {})",
                kernel_release().map_or("?".into(), |(a, b)| format!("{a}.{b}"))
            )),
            Err(e) => Err(format!("cannot tell: {e}")),
        };
        let launch_time_flag = kernel_knows_launch_time();
        let (device, rx_metadata, xdp_features) = match netdev_dev_get(ifindex) {
            Ok(NetdevInfo {
                xsk_features,
                xdp_rx_metadata_features,
                xdp_features,
                ..
            }) => (
                xsk_features
                    .map(|f| DeviceTxOffloads {
                        timestamp: f & XSK_FLAGS_TX_TIMESTAMP != 0,
                        checksum: f & XSK_FLAGS_TX_CHECKSUM != 0,
                        launch_time: f & XSK_FLAGS_TX_LAUNCH_TIME != 0,
                    })
                    .ok_or_else(|| {
                        "the kernel's netdev family has no xsk-features (before 6.8)".to_string()
                    }),
                xdp_rx_metadata_features.map(|f| DeviceRxMetadata {
                    timestamp: f & 1 != 0,
                    hash: f & 2 != 0,
                    vlan_tag: f & 4 != 0,
                }),
                xdp_features,
            ),
            Err(e) if e.errno == libc::ENOENT => (
                Err("no netdev generic netlink family (kernel before 6.3)".into()),
                None,
                None,
            ),
            Err(e) => (
                Err(format!(
                    "netdev dev-get for ifindex {ifindex}: {}",
                    crate::error::errno_name(e.errno)
                )),
                None,
                None,
            ),
        };
        TxMetadataSupport {
            kernel,
            launch_time_flag,
            device,
            rx_metadata,
            xdp_features,
        }
    }

    fn device_has(&self, f: impl Fn(&DeviceTxOffloads) -> bool) -> Honoured {
        match &self.device {
            Ok(d) if f(d) => Honoured::ByDevice,
            _ => Honoured::Ignored,
        }
    }

    /// What happens to a timestamp request.
    pub fn timestamp(&self, zero_copy: bool) -> Honoured {
        match (self.kernel.is_ok(), zero_copy) {
            (false, _) => Honoured::Unsupported,
            (true, false) => Honoured::InSoftware,
            (true, true) => self.device_has(|d| d.timestamp),
        }
    }

    /// What happens to a checksum request (`sw_csum`: the UMEM has
    /// [`UmemConfig::tx_sw_csum`]).
    pub fn checksum(&self, zero_copy: bool, sw_csum: bool) -> Honoured {
        match (self.kernel.is_ok(), zero_copy) {
            (false, _) => Honoured::Unsupported,
            (true, false) if sw_csum => Honoured::InSoftware,
            (true, false) => Honoured::PassedToDriver,
            (true, true) => self.device_has(|d| d.checksum),
        }
    }

    /// What happens to a launch-time request.
    pub fn launch_time(&self, zero_copy: bool) -> Honoured {
        match (self.kernel.is_ok() && self.launch_time_flag, zero_copy) {
            (false, _) => Honoured::Unsupported,
            (true, false) => Honoured::PassedToDriver,
            (true, true) => self.device_has(|d| d.launch_time),
        }
    }

    /// `Ok` if every part of `request` is carried out on a socket in this mode (by the device
    /// or in software), else an error naming what would be ignored, passed on or refused —
    /// so a caller that needs, say, a hardware timestamp learns it will not get one.
    pub fn require(
        &self,
        request: &TxMetadataRequest,
        zero_copy: bool,
        sw_csum: bool,
    ) -> Result<()> {
        let mode = if zero_copy { "zero-copy" } else { "copy" };
        let mut problems = Vec::new();
        let mut judge = |what: &str, h: Honoured| match h {
            Honoured::ByDevice | Honoured::InSoftware => {}
            Honoured::PassedToDriver => problems.push(format!(
                "{what}: in {mode} mode it is only handed to the driver's skb path, which may \
                 ignore it"
            )),
            Honoured::Ignored => problems.push(format!(
                "{what}: the driver does not implement it for zero-copy (netdev xsk-features), \
                 so it would be ignored"
            )),
            Honoured::Unsupported => problems.push(format!(
                "{what}: this kernel does not support it ({})",
                self.kernel
                    .as_ref()
                    .err()
                    .map_or("needs Linux 6.14", |e| e.as_str())
            )),
        };
        if request.timestamp {
            judge("TX timestamp", self.timestamp(zero_copy));
        }
        if request.checksum.is_some() {
            judge("TX checksum", self.checksum(zero_copy, sw_csum));
        }
        if request.launch_time.is_some() {
            judge("launch time", self.launch_time(zero_copy));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn launch_time_is_found_in_the_request_of_xsk_tx_metadata() {
        use ebpf_dsl::btf::{Btf, Kind, Member, Type};
        let with = |request: &[&str]| {
            let mut btf = Btf::new();
            let u64_ = btf.add(Type::new(
                "u64",
                Kind::Int {
                    size: 8,
                    encoding: 0,
                    offset: 0,
                    bits: 64,
                },
            ));
            let req = btf.add(Type::new(
                "",
                Kind::Struct {
                    size: 16,
                    members: request
                        .iter()
                        .enumerate()
                        .map(|(i, n)| Member::at(*n, u64_, 8 * i as u32))
                        .collect(),
                },
            ));
            let un = btf.add(Type::new(
                "",
                Kind::Union {
                    size: 16,
                    members: vec![Member::at("request", req, 0)],
                },
            ));
            btf.add(Type::new(
                "xsk_tx_metadata",
                Kind::Struct {
                    size: 24,
                    members: vec![Member::at("flags", u64_, 0), Member::at("", un, 8)],
                },
            ));
            super::btf_has_launch_time(&btf)
        };
        assert!(with(&["csum_start", "launch_time"]), "6.14 and later");
        assert!(!with(&["csum_start"]), "6.8 to 6.13");
        assert!(!super::btf_has_launch_time(&Btf::new()), "no such struct");
    }

    use super::*;

    #[test]
    fn request_encoding_matches_the_uapi_layout() {
        let r = TxMetadataRequest {
            timestamp: true,
            checksum: Some(TxChecksum {
                start: 34,
                offset: 6,
            }),
            launch_time: Some(0x0102_0304_0506_0708),
        };
        assert_eq!(r.flags(), 7);
        let b = r.encode();
        assert_eq!(u64::from_ne_bytes(b[..8].try_into().unwrap()), 7);
        assert_eq!(u16::from_ne_bytes([b[8], b[9]]), 34);
        assert_eq!(u16::from_ne_bytes([b[10], b[11]]), 6);
        assert_eq!(&b[12..16], &[0; 4]);
        assert_eq!(
            u64::from_ne_bytes(b[16..24].try_into().unwrap()),
            0x0102_0304_0506_0708
        );
        assert_eq!(TxMetadataRequest::timestamp().encode()[8..], [0; 16]);
    }

    #[test]
    fn checksum_field_must_lie_in_the_packet() {
        let r = TxMetadataRequest {
            checksum: Some(TxChecksum {
                start: 34,
                offset: 6,
            }),
            ..Default::default()
        };
        assert!(r.check(42).is_ok());
        let e = r.check(41).unwrap_err().to_string();
        assert!(e.contains("beyond the 41-byte packet"), "{e}");
    }

    #[test]
    fn support_answers_per_mode() {
        let s = TxMetadataSupport {
            kernel: Ok(()),
            launch_time_flag: true,
            device: Ok(DeviceTxOffloads {
                timestamp: true,
                checksum: false,
                launch_time: false,
            }),
            rx_metadata: None,
            xdp_features: None,
        };
        assert_eq!(s.timestamp(false), Honoured::InSoftware);
        assert_eq!(s.timestamp(true), Honoured::ByDevice);
        assert_eq!(s.checksum(true, false), Honoured::Ignored);
        assert_eq!(s.checksum(false, true), Honoured::InSoftware);
        assert_eq!(s.checksum(false, false), Honoured::PassedToDriver);
        assert!(s
            .require(&TxMetadataRequest::timestamp(), true, false)
            .is_ok());
        let e = s
            .require(
                &TxMetadataRequest {
                    checksum: Some(TxChecksum {
                        start: 34,
                        offset: 6,
                    }),
                    ..Default::default()
                },
                true,
                false,
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("would be ignored"), "{e}");
        let old = TxMetadataSupport {
            kernel: Err("older than 6.11".into()),
            launch_time_flag: false,
            ..s
        };
        assert_eq!(old.timestamp(false), Honoured::Unsupported);
        let e = old
            .require(&TxMetadataRequest::timestamp(), false, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("older than 6.11"), "{e}");
    }
}
