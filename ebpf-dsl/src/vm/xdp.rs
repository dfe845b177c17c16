//! The XDP side: the packet buffer as `BPF_PROG_TEST_RUN` builds it (256 bytes of headroom,
//! a 4096-byte frame whose last 320 bytes are the shared info), the `bpf_xdp_adjust_*`
//! helpers with the kernel's limits, and what a run returns.

use super::env::Redirect;
use super::maps::EINVAL;
use super::memory::Packet;
use crate::xdp::XdpAction;

/// `XDP_PACKET_HEADROOM`.
pub const XDP_HEADROOM: usize = 256;
/// The frame size `BPF_PROG_TEST_RUN` gives a linear packet (a page).
pub const FRAME_SIZE: usize = 4096;
/// `SKB_DATA_ALIGN(sizeof(struct skb_shared_info))` on x86-64: the end of the frame the
/// packet may not grow into.
pub const SHARED_INFO_SIZE: usize = 320;
/// `sizeof(struct xdp_frame)`: the start of the headroom the packet may not grow into.
pub const XDP_FRAME_SIZE: usize = 40;
const ETH_HLEN: usize = 14;
const EACCES: i64 = 13;

/// The input of an XDP run: the packet and the `xdp_md` fields that are not pointers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XdpInput {
    /// The packet bytes (from the Ethernet header).
    pub packet: Vec<u8>,
    /// `ctx->ingress_ifindex` (the test run's default is 1, the loopback device).
    pub ingress_ifindex: u32,
    /// `ctx->rx_queue_index`.
    pub rx_queue_index: u32,
}

impl XdpInput {
    /// A packet received on ifindex 1, queue 0 (what `BPF_PROG_TEST_RUN` gives without a ctx).
    pub fn new(packet: impl Into<Vec<u8>>) -> XdpInput {
        XdpInput {
            packet: packet.into(),
            ingress_ifindex: 1,
            rx_queue_index: 0,
        }
    }

    /// The same input on receive queue `queue`.
    pub fn queue(mut self, queue: u32) -> XdpInput {
        self.rx_queue_index = queue;
        self
    }

    /// The same input received on interface `ifindex`.
    pub fn ifindex(mut self, ifindex: u32) -> XdpInput {
        self.ingress_ifindex = ifindex;
        self
    }
}

/// What an XDP run gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct XdpOutcome {
    /// The program's return value (`r0` at exit).
    pub r0: u64,
    /// The action, if `r0` is one of the five (`None` for other values, which the kernel
    /// treats as `XDP_ABORTED`).
    pub action: Option<XdpAction>,
    /// The packet after the run (`data` .. `data_end`: adjusted and rewritten).
    pub packet: Vec<u8>,
    /// The metadata in front of the packet (`data_meta` .. `data`).
    pub meta: Vec<u8>,
    /// Where the packet was redirected (with `XDP_REDIRECT`).
    pub redirect: Option<Redirect>,
}

/// What an XDP run gave, borrowed from the VM: the packet and metadata are views of the VM's
/// own buffer, valid until its next run ([`super::Vm::run_xdp_ref`]). No copy and no
/// allocation, for loops that run many packets and look at few results (fuzzing, benchmarks);
/// [`XdpView::to_outcome`] gives the owned [`XdpOutcome`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct XdpView<'a> {
    /// The program's return value (`r0` at exit).
    pub r0: u64,
    /// The action, if `r0` is one of the five.
    pub action: Option<XdpAction>,
    /// The packet after the run (`data` .. `data_end`).
    pub packet: &'a [u8],
    /// The metadata in front of the packet (`data_meta` .. `data`).
    pub meta: &'a [u8],
    /// Where the packet was redirected (with `XDP_REDIRECT`).
    pub redirect: Option<&'a Redirect>,
}

impl XdpView<'_> {
    /// The owned outcome (the packet and metadata copied).
    pub fn to_outcome(&self) -> XdpOutcome {
        XdpOutcome {
            r0: self.r0,
            action: self.action,
            packet: self.packet.to_vec(),
            meta: self.meta.to_vec(),
            redirect: self.redirect.cloned(),
        }
    }
}

/// A packet in the buffer `BPF_PROG_TEST_RUN` builds for it (256 bytes of headroom, the packet,
/// tailroom up to the end of a 4096-byte frame), owned by the caller, for
/// [`super::Vm::run_xdp_frame`] to run a program on in place: no copy in and no copy out,
/// which is how the kernel's test run repeats a program (`repeat` runs on one buffer) and how
/// rbpf runs one (on the caller's slice).
///
/// The program's writes and `bpf_xdp_adjust_*` changes stay in the frame: a second run sees
/// the packet the first one left. [`XdpFrame::refill`] puts a fresh packet in (reusing the
/// allocation). The frame carries the `xdp_md` fields that are not pointers.
#[derive(Clone, Debug)]
pub struct XdpFrame {
    pub(crate) p: Packet,
    /// `ctx->ingress_ifindex` (1 unless set, as in the test run).
    pub ingress_ifindex: u32,
    /// `ctx->rx_queue_index` (0 unless set).
    pub rx_queue_index: u32,
}

impl XdpFrame {
    /// A frame holding `packet` (from the Ethernet header) behind zeroed headroom, received
    /// on ifindex 1, queue 0.
    pub fn new(packet: &[u8]) -> XdpFrame {
        let mut p = Packet::default();
        fill_packet(&mut p, packet);
        XdpFrame {
            p,
            ingress_ifindex: 1,
            rx_queue_index: 0,
        }
    }

    /// Makes the frame hold `packet` again as [`XdpFrame::new`] built it (headroom zeroed,
    /// metadata empty), reusing its buffer.
    pub fn refill(&mut self, packet: &[u8]) {
        // Every byte below the packet may have been written (metadata, an adjusted head).
        self.p.low = 0;
        fill_packet(&mut self.p, packet);
    }

    /// The packet (`data` .. `data_end`) as the last run left it.
    pub fn packet(&self) -> &[u8] {
        &self.p.buf[self.p.data..self.p.end]
    }

    /// The packet, to change it between runs.
    pub fn packet_mut(&mut self) -> &mut [u8] {
        &mut self.p.buf[self.p.data..self.p.end]
    }

    /// The metadata in front of the packet (`data_meta` .. `data`).
    pub fn meta(&self) -> &[u8] {
        &self.p.buf[self.p.meta..self.p.data]
    }
}

/// Builds the test run's buffer around `bytes` in `p` (reusing its allocation): zeroed
/// headroom, the packet; the tailroom up to `hard_end` is added (zeroed) when the tail grows.
/// Only the part of the headroom an earlier run may have written (from [`Packet::low`]) is
/// zeroed again: a program writes only between `data_meta` and `data_end`, and only
/// `bpf_xdp_adjust_head` / `_meta` move `data_meta` into the headroom (they lower `low`).
pub(crate) fn fill_packet(p: &mut Packet, bytes: &[u8]) {
    let end = XDP_HEADROOM + bytes.len();
    if p.buf.len() < XDP_HEADROOM {
        p.buf.clear();
        p.buf.resize(XDP_HEADROOM, 0);
    } else {
        if p.low < XDP_HEADROOM {
            p.buf[p.low..XDP_HEADROOM].fill(0);
        }
        p.buf.truncate(XDP_HEADROOM);
    }
    p.low = XDP_HEADROOM;
    p.buf.extend_from_slice(bytes);
    p.meta = XDP_HEADROOM;
    p.data = XDP_HEADROOM;
    p.end = end;
    p.hard_end = (FRAME_SIZE - SHARED_INFO_SIZE).max(end);
}

#[cfg(test)]
pub(crate) fn packet_buffer(bytes: &[u8]) -> Packet {
    let mut p = Packet::default();
    fill_packet(&mut p, bytes);
    p
}

/// `bpf_xdp_adjust_head(ctx, delta)`.
pub(crate) fn adjust_head(p: &mut Packet, delta: i64) -> i64 {
    let metalen = p.data - p.meta;
    let data = p.data as i64 + delta;
    if data < (XDP_FRAME_SIZE + metalen) as i64 || data > p.end as i64 - ETH_HLEN as i64 {
        return -EINVAL;
    }
    let data = data as usize;
    let meta = p.meta as i64 + delta;
    if metalen > 0 {
        p.buf.copy_within(p.meta..p.data, meta as usize);
    }
    p.meta = meta as usize;
    p.data = data;
    p.low = p.low.min(p.meta);
    0
}

/// `bpf_xdp_adjust_meta(ctx, delta)`.
pub(crate) fn adjust_meta(p: &mut Packet, delta: i64) -> i64 {
    let meta = p.meta as i64 + delta;
    if meta < XDP_FRAME_SIZE as i64 || meta > p.data as i64 {
        return -EINVAL;
    }
    let metalen = p.data - meta as usize;
    // `xdp_metalen_invalid`: a multiple of 4 that fits `skb_shared_info.meta_len` (a u8).
    if !metalen.is_multiple_of(4) || metalen > u8::MAX as usize {
        return -EACCES;
    }
    p.meta = meta as usize;
    p.low = p.low.min(p.meta);
    0
}

/// `bpf_xdp_adjust_tail(ctx, delta)`.
pub(crate) fn adjust_tail(p: &mut Packet, delta: i64) -> i64 {
    let end = p.end as i64 + delta;
    if end > p.hard_end as i64 || end < (p.data + ETH_HLEN) as i64 {
        return -EINVAL;
    }
    let end = end as usize;
    if end > p.buf.len() {
        p.buf.resize(end, 0);
    }
    if end > p.end {
        p.buf[p.end..end].fill(0);
    }
    p.end = end;
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn head_adjusts_within_the_kernel_limits() {
        let mut p = packet_buffer(&[7; 60]);
        assert_eq!(adjust_head(&mut p, -(256 - 40)), 0);
        assert_eq!(p.data, 40);
        assert_eq!(adjust_head(&mut p, -1), -EINVAL);
        assert_eq!(adjust_head(&mut p, 256 - 40 + 60 - 14), 0);
        assert_eq!(p.end - p.data, 14);
        assert_eq!(adjust_head(&mut p, 1), -EINVAL);
    }

    #[test]
    fn meta_moves_with_head() {
        let mut p = packet_buffer(&[1; 20]);
        assert_eq!(adjust_meta(&mut p, -3), -EACCES);
        assert_eq!(adjust_meta(&mut p, -256), -EINVAL);
        assert_eq!(adjust_meta(&mut p, -216), 0);
        assert_eq!(adjust_meta(&mut p, 216), 0);
        assert_eq!(adjust_meta(&mut p, 1), -EINVAL);
        assert_eq!(adjust_meta(&mut p, -4), 0);
        p.buf[p.meta..p.data].copy_from_slice(&[9, 8, 7, 6]);
        assert_eq!(adjust_head(&mut p, 2), 0);
        assert_eq!(&p.buf[p.meta..p.data], &[9, 8, 7, 6]);
    }

    #[test]
    fn tail_grows_zeroed_up_to_the_shared_info() {
        let mut p = packet_buffer(&[1; 20]);
        p.buf.push(0xff);
        assert_eq!(adjust_tail(&mut p, 4), 0);
        assert_eq!(&p.buf[p.end - 4..p.end], &[0; 4]);
        assert_eq!(adjust_tail(&mut p, -11), -EINVAL);
        assert_eq!(adjust_tail(&mut p, -10), 0);
        let room = (FRAME_SIZE - SHARED_INFO_SIZE - p.end) as i64;
        assert_eq!(adjust_tail(&mut p, room + 1), -EINVAL);
        assert_eq!(adjust_tail(&mut p, room), 0);
    }
}
