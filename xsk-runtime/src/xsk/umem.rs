//! The UMEM: the packet memory an AF_XDP socket shares with the kernel, cut into frames, and
//! the [`Frame`] handles that say who owns which frame.
//!
//! A UMEM is one page-aligned area of user memory (optionally on huge pages), registered with
//! the kernel by `setsockopt(SOL_XDP, XDP_UMEM_REG)`. It is cut into `frame_count` frames
//! ("chunks") of `frame_size` bytes (2048 or 4096 in aligned mode, the default; any size from
//! 2048 up to the page size in unaligned mode, kernel 5.4). Rings never carry pointers, only
//! offsets into the UMEM ("addresses").
//!
//! # Frame ownership
//!
//! At every moment a frame is in exactly one place: the [`FreeList`], the fill ring, the kernel (a
//! packet being received or sent), an RX batch, the TX ring, or the completion ring (or, pushed
//! into a fill or TX batch that was dropped unsubmitted, held by that ring until
//! [`FillRing::reclaim`](crate::xsk::socket::FillRing::reclaim) /
//! [`TxRing::reclaim`](crate::xsk::socket::TxRing::reclaim); or, in any ring of a socket that was
//! dropped, held by its queue's `DeviceQueue` or the UMEM until [`Umem::reclaim`] /
//! [`Umem::close`]). In this crate a frame outside the kernel is a [`Frame`] value — neither `Copy`
//! nor `Clone` — and the typed rings of [`crate::xsk::socket`] take `Frame`s by value when a frame
//! goes to the kernel and give new ones back when the kernel returns it. So a frame cannot be
//! queued twice, and a frame's bytes can be written only through a `&mut Frame`
//! ([`Umem::frame_mut`]), i.e. only by its one owner. A `Frame` that is dropped is lost until the
//! UMEM is dropped; the counters ([`FreeList::len`], [`crate::xsk::socket::FrameCounters`]) let a
//! test prove that every frame came home.
//!
//! The bytes of a frame are reached only through [`Umem::frame`], [`Umem::frame_mut`],
//! [`Umem::packet`] and [`Umem::packet_mut`], which borrow the `Frame`; the pointer work behind
//! them lives in [`super::frame`], the one place with `unsafe` for UMEM memory.
//!
//! The kernel's headroom: a received packet starts `XDP_PACKET_HEADROOM` (256) + `headroom`
//! bytes into its frame ([`RxPacket::offset`]); a frame thus holds packets of up to
//! `frame_size - 256 - headroom` bytes, or longer ones split over several frames with
//! multi-buffer (`XDP_USE_SG`, kernel 6.6).

use std::fmt;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub use super::frame::Frame;
use super::frame::FrameArea;
use super::queue::DeviceQueue;
use crate::error::{Error, Result};
use crate::sys::mmap::{self, Mmap};
use crate::sys::xdp::{
    self, XdpUmemReg, XDP_PACKET_HEADROOM, XDP_PKT_CONTD, XDP_UMEM_MIN_CHUNK_SIZE,
    XDP_UMEM_TX_METADATA_LEN, XDP_UMEM_TX_SW_CSUM, XDP_UMEM_UNALIGNED_CHUNK_FLAG,
    XSK_UNALIGNED_BUF_ADDR_MASK, XSK_UNALIGNED_BUF_OFFSET_SHIFT,
};

/// How to build a [`Umem`]. `Default` gives libxdp's defaults: 4096 frames of 4096 bytes,
/// no headroom, aligned chunks, normal pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UmemConfig {
    /// Bytes per frame (`chunk_size`): 2048 or 4096 (a power of two from 2048 to the page
    /// size) in aligned mode; any size from 2048 to the page size in unaligned mode.
    pub frame_size: u32,
    /// Number of frames.
    pub frame_count: u32,
    /// Extra headroom the kernel leaves in front of each received packet, on top of its own
    /// 256 bytes (`headroom`); must be below `frame_size - 256`.
    pub headroom: u32,
    /// Unaligned chunk mode (`XDP_UMEM_UNALIGNED_CHUNK_FLAG`, kernel 5.4): descriptors may
    /// point anywhere; frame sizes need not be powers of two.
    pub unaligned: bool,
    /// Back the UMEM with huge pages (`MAP_HUGETLB`); needs reserved huge pages.
    pub huge_pages: bool,
    /// Bytes of TX metadata (`struct xsk_tx_metadata`) reserved in front of TX packets
    /// (`tx_metadata_len` with `XDP_UMEM_TX_METADATA_LEN`, kernel 6.11); 0 for none. A
    /// multiple of 8 below 256; [`TX_METADATA_LEN`](super::tx_metadata::TX_METADATA_LEN) (24)
    /// for the typed requests of [`super::tx_metadata`].
    pub tx_metadata_len: u32,
    /// Compute requested TX checksums in software in copy mode (`XDP_UMEM_TX_SW_CSUM`,
    /// kernel 6.11): for testing, or devices that do not offload checksums.
    pub tx_sw_csum: bool,
}

impl Default for UmemConfig {
    fn default() -> Self {
        UmemConfig {
            frame_size: 4096,
            frame_count: 4096,
            headroom: 0,
            unaligned: false,
            huge_pages: false,
            tx_metadata_len: 0,
            tx_sw_csum: false,
        }
    }
}

impl UmemConfig {
    /// Checks the configuration the way the kernel will, with a clear error.
    pub fn validate(&self) -> Result<()> {
        let page = mmap::page_size() as u32;
        let fs = self.frame_size;
        if fs < XDP_UMEM_MIN_CHUNK_SIZE || fs > page.max(4096) {
            return Err(Error::invalid(format!(
                "UMEM frame size {fs} is out of range: use 2048 or 4096 (the kernel accepts \
                 {XDP_UMEM_MIN_CHUNK_SIZE} ..= page size {page})"
            )));
        }
        if !self.unaligned && !fs.is_power_of_two() {
            return Err(Error::invalid(format!(
                "UMEM frame size {fs} is not a power of two: use 2048 or 4096, or unaligned \
                 chunk mode for other sizes"
            )));
        }
        if self.frame_count == 0 {
            return Err(Error::invalid(
                "UMEM too small: it needs at least one frame (frame_count = 0)",
            ));
        }
        if self.headroom >= fs - XDP_PACKET_HEADROOM {
            return Err(Error::invalid(format!(
                "UMEM headroom {} leaves no room for packets: it must be below frame size - 256 \
                 = {}",
                self.headroom,
                fs - XDP_PACKET_HEADROOM
            )));
        }
        let md = self.tx_metadata_len;
        if !md.is_multiple_of(8) || md >= 256 {
            // The kernel's rule (`xdp_umem_reg`): EINVAL otherwise.
            let why = if md >= 256 {
                "256 or more".to_string()
            } else if !md.is_multiple_of(4) {
                "not a multiple of 4".to_string()
            } else {
                "a multiple of 4 but not of 8".to_string()
            };
            return Err(Error::invalid(format!(
                "tx_metadata_len {md} must be a multiple of 8 below 256 (24 holds struct \
                 xsk_tx_metadata); {md} is {why}"
            )));
        }
        let len = u64::from(fs) * u64::from(self.frame_count);
        if len > XSK_UNALIGNED_BUF_ADDR_MASK || usize::try_from(len).is_err() {
            return Err(Error::invalid(format!(
                "UMEM of {} frames of {fs} bytes is too large",
                self.frame_count
            )));
        }
        Ok(())
    }

    /// The UMEM's size in bytes (frame size × frame count).
    pub fn len(&self) -> u64 {
        u64::from(self.frame_size) * u64::from(self.frame_count)
    }

    /// True if the configuration has no frames.
    pub fn is_empty(&self) -> bool {
        self.frame_count == 0
    }
}

/// The default huge page size (`Hugepagesize` in /proc/meminfo; 2 MiB if unreadable).
fn huge_page_size() -> usize {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("Hugepagesize:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
        })
        .map_or(2 << 20, |kb| kb * 1024)
}

/// Whether the socket that registered the UMEM (its "owner") is bound yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnerState {
    /// Not bound yet. The ring sizes an earlier, failed bind already set on the UMEM's own
    /// socket: the kernel keeps them (a ring is set once per socket), and a later bind maps
    /// them again instead of setting them.
    Unused(RingSizes),
    /// The owner is bound; `need_wakeup` as bound.
    Bound { need_wakeup: bool },
}

/// Ring sizes set on a socket (0: not set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RingSizes {
    pub(crate) fill: u32,
    pub(crate) completion: u32,
    pub(crate) rx: u32,
    pub(crate) tx: u32,
}

#[derive(Debug)]
pub(crate) struct UmemState {
    pub(crate) owner: OwnerState,
    /// Every (ifindex, queue) a socket of this UMEM is bound to, with the owner of its fill
    /// and completion rings.
    pub(crate) queues: Vec<Arc<DeviceQueue>>,
    /// Frame addresses that came back from closed sockets, for [`Umem::reclaim`].
    pub(crate) reclaimed: Vec<u64>,
}

impl UmemState {
    /// The queue (ifindex, queue), if a socket of this UMEM is bound to it.
    pub(crate) fn queue(&self, ifindex: u32, queue: u32) -> Option<&Arc<DeviceQueue>> {
        self.queues.iter().find(|q| q.is(ifindex, queue))
    }
}

struct UmemInner {
    area: FrameArea,
    id: u32,
    /// frame_size * frame_count.
    len: u64,
    frame_size: u32,
    frame_count: u32,
    headroom: u32,
    tx_metadata_len: u32,
    tx_sw_csum: bool,
    unaligned: bool,
    /// The AF_XDP socket the UMEM is registered on; the first socket bound with this UMEM
    /// uses it, the others name it in `sxdp_shared_umem_fd`.
    fd: OwnedFd,
    /// The network namespace the UMEM's socket was created in (for error messages that name
    /// interfaces); `None` if /proc was not readable.
    netns: Option<OwnedFd>,
    /// Whether the own socket is bound, the queues the UMEM's sockets are bound to (each the
    /// owner of its fill and completion rings, see `xsk/queue.rs`), and the frames that came
    /// back from closed sockets. No ring is kept here.
    state: Mutex<UmemState>,
}

/// A registered UMEM. Cloning gives another handle to the same memory (sockets keep one).
///
/// The memory is unmapped, and the registration dropped, when the last handle and the last
/// socket using it are gone.
#[derive(Clone)]
pub struct Umem {
    inner: Arc<UmemInner>,
}

impl fmt::Debug for Umem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Umem")
            .field("id", &self.inner.id)
            .field("frame_size", &self.inner.frame_size)
            .field("frame_count", &self.inner.frame_count)
            .field("headroom", &self.inner.headroom)
            .field("unaligned", &self.inner.unaligned)
            .finish()
    }
}

static NEXT_UMEM_ID: AtomicU32 = AtomicU32::new(1);

impl Umem {
    /// Maps the memory, creates the AF_XDP socket that registers it (`XDP_UMEM_REG`), and
    /// returns the UMEM with a [`FreeList`] holding all its frames.
    pub fn new(config: &UmemConfig) -> Result<(Umem, FreeList)> {
        config.validate()?;
        let len = config.len() as usize;
        // Huge-page mappings must be whole huge pages (munmap refuses anything else).
        let page = if config.huge_pages {
            huge_page_size()
        } else {
            mmap::page_size()
        };
        let map_len = len.div_ceil(page) * page;
        let id = NEXT_UMEM_ID.fetch_add(1, Ordering::Relaxed);
        let area = FrameArea::new(
            Mmap::anonymous(map_len, config.huge_pages)?,
            id,
            config.frame_size,
            config.frame_count,
        )?;
        let fd = xdp::xsk_socket()?;
        let mut flags = 0;
        if config.unaligned {
            flags |= XDP_UMEM_UNALIGNED_CHUNK_FLAG;
        }
        if config.tx_metadata_len > 0 {
            flags |= XDP_UMEM_TX_METADATA_LEN;
        }
        if config.tx_sw_csum {
            flags |= XDP_UMEM_TX_SW_CSUM;
        }
        let reg = XdpUmemReg {
            addr: area.as_ptr() as u64,
            len: len as u64,
            chunk_size: config.frame_size,
            headroom: config.headroom,
            flags,
            tx_metadata_len: config.tx_metadata_len,
        };
        xdp::umem_reg(fd.as_fd(), &reg)?;
        let umem = Umem {
            inner: Arc::new(UmemInner {
                area,
                id,
                len: config.len(),
                frame_size: config.frame_size,
                frame_count: config.frame_count,
                headroom: config.headroom,
                tx_metadata_len: config.tx_metadata_len,
                tx_sw_csum: config.tx_sw_csum,
                unaligned: config.unaligned,
                fd,
                netns: crate::sys::open_readonly(std::path::Path::new("/proc/thread-self/ns/net"))
                    .ok(),
                state: Mutex::new(UmemState {
                    owner: OwnerState::Unused(RingSizes::default()),
                    queues: Vec::new(),
                    reclaimed: Vec::new(),
                }),
            }),
        };
        let free = FreeList::full(&umem);
        Ok((umem, free))
    }

    /// Bytes per frame.
    pub fn frame_size(&self) -> u32 {
        self.inner.frame_size
    }

    /// Number of frames.
    pub fn frame_count(&self) -> u32 {
        self.inner.frame_count
    }

    /// The headroom configured on top of the kernel's 256 bytes.
    pub fn headroom(&self) -> u32 {
        self.inner.headroom
    }

    /// The TX metadata length configured.
    pub fn tx_metadata_len(&self) -> u32 {
        self.inner.tx_metadata_len
    }

    /// True if requested TX checksums are computed in software in copy mode
    /// ([`UmemConfig::tx_sw_csum`]).
    pub fn tx_sw_csum(&self) -> bool {
        self.inner.tx_sw_csum
    }

    /// True in unaligned chunk mode.
    pub fn is_unaligned(&self) -> bool {
        self.inner.unaligned
    }

    /// Size in bytes (frame size × frame count).
    pub fn len(&self) -> u64 {
        self.inner.len
    }

    /// Always false: a UMEM has at least one frame.
    pub fn is_empty(&self) -> bool {
        self.inner.frame_count == 0
    }

    /// A number that tells this UMEM apart from every other one of the process.
    pub fn id(&self) -> u32 {
        self.inner.id
    }

    /// The AF_XDP socket the UMEM is registered on.
    #[inline]
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.inner.fd.as_fd()
    }

    /// Runs `f` in the network namespace the UMEM's socket lives in (on a helper thread), or
    /// here if that namespace is unknown. For error paths only.
    pub(crate) fn in_netns<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        let Some(ns) = self.inner.netns.as_ref() else {
            return f();
        };
        let ns = ns.as_fd();
        std::thread::scope(|s| {
            let h = s.spawn(move || {
                // If setns fails we still answer, from this thread's namespace.
                let _ = crate::sys::setns_net(ns);
                f()
            });
            match h.join() {
                Ok(r) => r,
                Err(p) => std::panic::resume_unwind(p),
            }
        })
    }

    /// The parts of the last handle of the UMEM (for [`Umem::close`]): its own socket, its
    /// state, and the memory (to be dropped last); the handle back if there are others.
    pub(crate) fn try_into_parts(
        self,
    ) -> std::result::Result<(OwnedFd, UmemState, FrameArea), Umem> {
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => Ok((
                inner.fd,
                inner
                    .state
                    .into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
                inner.area,
            )),
            Err(inner) => Err(Umem { inner }),
        }
    }

    pub(crate) fn state(&self) -> std::sync::MutexGuard<'_, UmemState> {
        // A poisoned lock only means another thread panicked while holding it; the state is
        // a few plain fields that stay consistent.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The bytes of `frame` (all `frame_size` of them).
    ///
    /// # Panics
    /// If `frame` belongs to another UMEM.
    #[inline]
    pub fn frame<'a>(&'a self, frame: &'a Frame) -> &'a [u8] {
        self.inner.area.bytes(frame, 0, self.inner.frame_size)
    }

    /// The bytes of `frame`, writable.
    ///
    /// # Panics
    /// If `frame` belongs to another UMEM.
    #[inline]
    pub fn frame_mut<'a>(&'a self, frame: &'a mut Frame) -> &'a mut [u8] {
        self.inner.area.bytes_mut(frame, 0, self.inner.frame_size)
    }

    /// The data of a received packet.
    ///
    /// # Panics
    /// If `packet` belongs to another UMEM.
    #[inline]
    pub fn packet<'a>(&'a self, packet: &'a RxPacket) -> &'a [u8] {
        self.inner
            .area
            .bytes(&packet.frame, packet.offset, packet.len)
    }

    /// The `len` bytes in front of a received packet's data: the XDP metadata area an XDP
    /// program filled with `bpf_xdp_adjust_meta` (the kernel copies it in front of the data,
    /// in copy mode too; see [`super::metadata`]). `None` if the frame has fewer than `len`
    /// bytes before the data. Only the first descriptor of a multi-buffer packet carries
    /// metadata: in front of a continuation fragment's data the bytes mean nothing. A kernel
    /// that withholds `bpf_xdp_adjust_meta` from XDP programs lets no program fill the area
    /// ([`super::metadata::check_rx_metadata_support`] asks it).
    ///
    /// # Panics
    /// If `packet` belongs to another UMEM.
    #[inline]
    pub fn packet_metadata<'a>(&'a self, packet: &'a RxPacket, len: u32) -> Option<&'a [u8]> {
        let start = packet.offset.checked_sub(len)?;
        Some(self.inner.area.bytes(&packet.frame, start, len))
    }

    /// The data of a received packet, writable (to rewrite it in place and send it back).
    ///
    /// # Panics
    /// If `packet` belongs to another UMEM.
    #[inline]
    pub fn packet_mut<'a>(&'a self, packet: &'a mut RxPacket) -> &'a mut [u8] {
        self.inner
            .area
            .bytes_mut(&mut packet.frame, packet.offset, packet.len)
    }

    /// Splits an address the kernel returned (RX or completion) into (frame base, offset of
    /// the data in the frame); `None` if it does not lie in the UMEM.
    #[inline]
    pub(crate) fn split_addr(&self, addr: u64) -> Option<(u64, u32)> {
        self.layout().split(addr)
    }

    /// What splitting addresses needs, copied out of the shared state once per batch (so the
    /// per-descriptor work reads no field through the `Arc`).
    #[inline]
    pub(crate) fn layout(&self) -> AddrLayout {
        AddrLayout {
            frame_size: u64::from(self.inner.frame_size),
            len: self.inner.len,
            unaligned: self.inner.unaligned,
            id: self.inner.id,
        }
    }

    /// The descriptor address of `offset` bytes into the frame at `base`.
    #[inline]
    pub(crate) fn join_addr(&self, base: u64, offset: u32) -> u64 {
        if self.inner.unaligned {
            base | (u64::from(offset) << XSK_UNALIGNED_BUF_OFFSET_SHIFT)
        } else {
            base + u64::from(offset)
        }
    }

    /// Makes the handle of the frame at `base`: only for addresses the kernel handed back.
    #[inline]
    pub(crate) fn frame_at(&self, base: u64) -> Frame {
        Frame::new(base, self.inner.id)
    }
}

/// The address arithmetic of one UMEM, as plain values (see [`Umem::layout`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct AddrLayout {
    frame_size: u64,
    len: u64,
    unaligned: bool,
    pub(crate) id: u32,
}

impl AddrLayout {
    /// The base of the frame an address the kernel returned lies in (`None` if it does not
    /// lie in the UMEM), and the offset of the address in that frame.
    #[inline]
    pub(crate) fn split(&self, addr: u64) -> Option<(u64, u32)> {
        let (base, full) = if self.unaligned {
            let full =
                (addr & XSK_UNALIGNED_BUF_ADDR_MASK) + (addr >> XSK_UNALIGNED_BUF_OFFSET_SHIFT);
            (full - full % self.frame_size, full)
        } else {
            // Aligned mode: frame_size is a power of two (`UmemConfig::validate`).
            (addr & !(self.frame_size - 1), addr)
        };
        if base >= self.len {
            return None;
        }
        Some((base, (full - base) as u32))
    }

    /// The handle of the frame at `base`: only for addresses the kernel handed back (see
    /// [`Frame::new`]).
    #[inline]
    pub(crate) fn frame_at(&self, base: u64) -> Frame {
        Frame::new(base, self.id)
    }
}

/// A packet (or, with multi-buffer, one fragment of a packet) taken from the RX ring: the
/// frame it lies in, where in the frame, and how long.
#[must_use = "a dropped RxPacket loses its frame: recycle it (into_frame) or transmit it"]
#[derive(Debug, PartialEq, Eq)]
pub struct RxPacket {
    pub(crate) frame: Frame,
    pub(crate) offset: u32,
    pub(crate) len: u32,
    pub(crate) options: u32,
}

impl RxPacket {
    /// Length of the data in bytes.
    #[inline]
    pub fn len(&self) -> u32 {
        self.len
    }

    /// True for a zero-length descriptor.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Where the data starts in the frame (256 + headroom for a fresh packet).
    #[inline]
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// The descriptor's `options` (`XDP_PKT_CONTD`).
    #[inline]
    pub fn options(&self) -> u32 {
        self.options
    }

    /// True if the packet continues in the next descriptor (`XDP_PKT_CONTD`, multi-buffer,
    /// kernel 6.6); the last fragment of a packet returns false.
    #[inline]
    pub fn is_continued(&self) -> bool {
        self.options & XDP_PKT_CONTD != 0
    }

    /// The frame the packet lies in.
    #[inline]
    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    /// Gives up the packet, keeping its frame (to recycle or reuse it).
    #[inline]
    pub fn into_frame(self) -> Frame {
        self.frame
    }

    /// Changes where the data starts and how long it is (e.g. after stripping or adding a
    /// header in place); both are clamped to the frame when the data is accessed.
    #[inline]
    pub fn set_span(&mut self, offset: u32, len: u32) {
        self.offset = offset;
        self.len = len;
    }
}

/// The frames of a UMEM that are in no ring and not in the kernel: a stack of owned frames.
///
/// It never allocates after creation (its capacity is the UMEM's frame count). A UMEM shared
/// by sockets on several threads gives each thread its own list with
/// [`take`](FreeList::take).
#[derive(Debug)]
pub struct FreeList {
    umem: u32,
    total: u32,
    addrs: Vec<u64>,
}

impl FreeList {
    fn full(umem: &Umem) -> FreeList {
        let fs = u64::from(umem.frame_size());
        let n = umem.frame_count();
        // Pop order: frame 0 first.
        let addrs = (0..u64::from(n)).rev().map(|i| i * fs).collect();
        FreeList {
            umem: umem.id(),
            total: n,
            addrs,
        }
    }

    /// An empty list for the frames of `umem`.
    pub(crate) fn empty_of(umem: &Umem) -> FreeList {
        FreeList {
            umem: umem.id(),
            total: umem.frame_count(),
            addrs: Vec::with_capacity(umem.frame_count() as usize),
        }
    }

    /// Frames on the list.
    #[inline]
    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    /// True if no frame is free.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    /// The [`Umem::id`] of the UMEM whose frames the list holds.
    pub fn umem_id(&self) -> u32 {
        self.umem
    }

    /// The UMEM's total number of frames.
    pub fn total(&self) -> u32 {
        self.total
    }

    /// Takes a free frame.
    #[inline]
    pub fn pop(&mut self) -> Option<Frame> {
        self.addrs.pop().map(|addr| Frame::new(addr, self.umem))
    }

    /// Puts a frame back; gives it back if it belongs to another UMEM.
    #[inline]
    pub fn push(&mut self, frame: Frame) -> std::result::Result<(), Frame> {
        if frame.umem_id() != self.umem {
            return Err(frame);
        }
        self.addrs.push(frame.into_addr());
        Ok(())
    }

    /// Puts back the frames `f(0)`, ..., `f(n - 1)` returns (`None`: nothing for that one),
    /// which the caller knows to be frames of this list's UMEM (addresses the kernel returned,
    /// checked against the UMEM's layout); returns how many. Room for all `n` is made first,
    /// so the loop writes without a capacity check per frame (and without the register
    /// spills of `Vec::push`'s growth path around each).
    #[inline]
    pub(crate) fn push_bases(&mut self, n: u32, mut f: impl FnMut(u32) -> Option<u64>) -> u32 {
        let len = self.addrs.len();
        self.addrs.reserve(n as usize);
        let spare = self.addrs.spare_capacity_mut();
        let mut k = 0;
        for i in 0..n {
            if let Some(base) = f(i) {
                if let Some(slot) = spare.get_mut(k) {
                    slot.write(base);
                    k += 1;
                }
            }
        }
        // SAFETY: the first `k` entries past the length were written just above (and `k` is
        // at most the spare capacity: `get_mut` succeeded for each).
        unsafe { self.addrs.set_len(len + k) };
        k as u32
    }

    /// Moves `n` frames (fewer if there are fewer) into a new list, e.g. for a socket on
    /// another thread. (Unlike `Vec::split_off(at)`, `n` is a count, not a position.)
    pub fn take(&mut self, n: usize) -> FreeList {
        let n = n.min(self.addrs.len());
        let mut addrs = Vec::with_capacity(self.total as usize);
        addrs.extend(self.addrs.drain(self.addrs.len() - n..));
        FreeList {
            umem: self.umem,
            total: self.total,
            addrs,
        }
    }

    /// Moves every frame of `other` (of the same UMEM) onto this list.
    pub fn append(&mut self, other: &mut FreeList) -> Result<()> {
        if other.umem != self.umem {
            return Err(Error::invalid(
                "cannot append the free list of another UMEM",
            ));
        }
        self.addrs.append(&mut other.addrs);
        Ok(())
    }

    /// True if every frame of the UMEM is on this list, each exactly once: the check a test
    /// makes at the end to prove that no frame leaked and none was used twice.
    pub fn is_complete(&self) -> bool {
        if self.addrs.len() != self.total as usize {
            return false;
        }
        let mut sorted = self.addrs.clone();
        sorted.sort_unstable();
        sorted.windows(2).all(|w| w[0] != w[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_errors_are_clear() {
        let bad = |c: UmemConfig| c.validate().unwrap_err().to_string();
        let e = bad(UmemConfig {
            frame_size: 3000,
            ..Default::default()
        });
        assert!(e.contains("not a power of two"), "{e}");
        let e = bad(UmemConfig {
            frame_count: 0,
            ..Default::default()
        });
        assert!(e.contains("UMEM too small"), "{e}");
        let e = bad(UmemConfig {
            frame_size: 1024,
            ..Default::default()
        });
        assert!(e.contains("out of range"), "{e}");
        let e = bad(UmemConfig {
            headroom: 4000,
            ..Default::default()
        });
        assert!(e.contains("headroom"), "{e}");
        assert!(UmemConfig {
            frame_size: 3000,
            unaligned: true,
            ..Default::default()
        }
        .validate()
        .is_ok());
    }
}
