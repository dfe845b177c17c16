//! The AF_XDP kernel ABI: the `#[repr(C)]` structures and constants of `<linux/if_xdp.h>`, and
//! the raw system calls an XDP socket needs (`socket`, `setsockopt`/`getsockopt`, `bind`,
//! `sendto`, `recvfrom`, `poll`; its rings are mapped by [`super::mmap`]).
//!
//! Values are those of the kernel's UAPI header `include/uapi/linux/if_xdp.h` (checked against
//! the 6.x header); sizes are checked by `const` assertions. The safe layers on top are
//! [`crate::xsk::umem`], [`crate::xsk::ring`] and [`crate::xsk::socket`].
//!
//! # `struct xdp_umem_reg` across kernel versions
//!
//! The structure grew twice: 4.18 had `addr, len, chunk_size, headroom` (24 bytes), 5.4 added
//! `flags` (32 bytes with tail padding), and 6.8 added `tx_metadata_len` in that tail padding —
//! so the 5.4 and 6.8 layouts have the same size, and the kernel (since 6.11) only reads
//! `tx_metadata_len` when `flags` contains [`XDP_UMEM_TX_METADATA_LEN`]. We always pass the
//! 32-byte layout with `tx_metadata_len` set only together with that flag, which every kernel
//! from 5.4 on reads correctly.

use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use crate::error::{last_errno, Error, Result};

/// `SOL_XDP`: the socket-option level of AF_XDP sockets.
pub const SOL_XDP: i32 = 283;
/// `AF_XDP`: the address family of XDP sockets (kernel 4.18).
pub const AF_XDP: i32 = 44;
/// `PF_XDP`: same as [`AF_XDP`].
pub const PF_XDP: i32 = AF_XDP;

// ---- bind flags (sockaddr_xdp.sxdp_flags) ----

/// `XDP_SHARED_UMEM`: bind this socket to the UMEM of the socket in `sxdp_shared_umem_fd`.
/// The kernel refuses (EINVAL) any other bind flag together with it.
pub const XDP_SHARED_UMEM: u16 = 1 << 0;
/// `XDP_COPY`: force copy mode (kernel 5.0).
pub const XDP_COPY: u16 = 1 << 1;
/// `XDP_ZEROCOPY`: force zero-copy mode; EOPNOTSUPP if the driver lacks it (kernel 5.0).
pub const XDP_ZEROCOPY: u16 = 1 << 2;
/// `XDP_USE_NEED_WAKEUP`: the kernel sets [`XDP_RING_NEED_WAKEUP`] in the fill and TX rings
/// when it needs a syscall to make progress (kernel 5.4).
pub const XDP_USE_NEED_WAKEUP: u16 = 1 << 3;
/// `XDP_USE_SG`: the application handles packets spread over several descriptors
/// (multi-buffer, [`XDP_PKT_CONTD`]); without it such packets are dropped (kernel 6.6).
pub const XDP_USE_SG: u16 = 1 << 4;

// ---- UMEM flags (xdp_umem_reg.flags) ----

/// `XDP_UMEM_UNALIGNED_CHUNK_FLAG`: chunks may start anywhere (kernel 5.4).
pub const XDP_UMEM_UNALIGNED_CHUNK_FLAG: u32 = 1 << 0;
/// `XDP_UMEM_TX_SW_CSUM`: compute requested TX checksums in software (copy mode; kernel 6.11).
pub const XDP_UMEM_TX_SW_CSUM: u32 = 1 << 1;
/// `XDP_UMEM_TX_METADATA_LEN`: `tx_metadata_len` is valid (kernel 6.11).
pub const XDP_UMEM_TX_METADATA_LEN: u32 = 1 << 2;

/// `XDP_RING_NEED_WAKEUP`: bit of a ring's `flags` word: the kernel wants a syscall.
pub const XDP_RING_NEED_WAKEUP: u32 = 1 << 0;

// ---- socket options (level SOL_XDP) ----

/// `XDP_MMAP_OFFSETS` (getsockopt): where producer, consumer, descriptors and flags sit in each
/// ring's mapping.
pub const XDP_MMAP_OFFSETS: i32 = 1;
/// `XDP_RX_RING` (setsockopt): number of RX ring entries (a power of two).
pub const XDP_RX_RING: i32 = 2;
/// `XDP_TX_RING` (setsockopt): number of TX ring entries (a power of two).
pub const XDP_TX_RING: i32 = 3;
/// `XDP_UMEM_REG` (setsockopt): register the UMEM ([`XdpUmemReg`]).
pub const XDP_UMEM_REG: i32 = 4;
/// `XDP_UMEM_FILL_RING` (setsockopt): number of fill ring entries (a power of two).
pub const XDP_UMEM_FILL_RING: i32 = 5;
/// `XDP_UMEM_COMPLETION_RING` (setsockopt): number of completion ring entries.
pub const XDP_UMEM_COMPLETION_RING: i32 = 6;
/// `XDP_STATISTICS` (getsockopt): [`XdpStatistics`].
pub const XDP_STATISTICS: i32 = 7;
/// `XDP_OPTIONS` (getsockopt): [`XdpOptions`] (kernel 5.3).
pub const XDP_OPTIONS: i32 = 8;
/// `XDP_MAX_TX_SKB_BUDGET` (setsockopt, u32): how many TX descriptors one `sendto()` may turn
/// into skbs in copy mode; default 32, range 32 ..= TX ring size (kernel 6.17).
pub const XDP_MAX_TX_SKB_BUDGET: i32 = 9;

/// `XDP_OPTIONS_ZEROCOPY`: [`XdpOptions::flags`] bit: the socket runs in zero-copy mode.
pub const XDP_OPTIONS_ZEROCOPY: u32 = 1 << 0;

// ---- mmap page offsets ----

/// `XDP_PGOFF_RX_RING`: mmap offset of the RX ring.
pub const XDP_PGOFF_RX_RING: i64 = 0;
/// `XDP_PGOFF_TX_RING`: mmap offset of the TX ring.
pub const XDP_PGOFF_TX_RING: i64 = 0x8000_0000;
/// `XDP_UMEM_PGOFF_FILL_RING`: mmap offset of the fill ring.
pub const XDP_UMEM_PGOFF_FILL_RING: i64 = 0x1_0000_0000;
/// `XDP_UMEM_PGOFF_COMPLETION_RING`: mmap offset of the completion ring.
pub const XDP_UMEM_PGOFF_COMPLETION_RING: i64 = 0x1_8000_0000;

// ---- unaligned chunk addresses ----

/// `XSK_UNALIGNED_BUF_OFFSET_SHIFT`: in unaligned mode a descriptor address carries the data
/// offset in its upper 16 bits.
pub const XSK_UNALIGNED_BUF_OFFSET_SHIFT: u32 = 48;
/// `XSK_UNALIGNED_BUF_ADDR_MASK`: the base-address bits of an unaligned-mode address.
pub const XSK_UNALIGNED_BUF_ADDR_MASK: u64 = (1u64 << XSK_UNALIGNED_BUF_OFFSET_SHIFT) - 1;

// ---- descriptor options ----

/// `XDP_PKT_CONTD`: [`XdpDesc::options`] bit: the packet continues in the next descriptor
/// (multi-buffer, kernel 6.6). The last descriptor of a packet has it clear.
pub const XDP_PKT_CONTD: u32 = 1 << 0;
/// `XDP_TX_METADATA`: [`XdpDesc::options`] bit: a TX packet carries `struct xsk_tx_metadata`
/// in the `tx_metadata_len` bytes before its data (kernel 6.8).
pub const XDP_TX_METADATA: u32 = 1 << 1;

// ---- TX metadata (struct xsk_tx_metadata, kernel 6.8) ----

/// `XDP_TXMD_FLAGS_TIMESTAMP`: request a TX completion timestamp in `completion.tx_timestamp`.
pub const XDP_TXMD_FLAGS_TIMESTAMP: u64 = 1 << 0;
/// `XDP_TXMD_FLAGS_CHECKSUM`: request L4 checksum offload (`request.csum_start/csum_offset`).
pub const XDP_TXMD_FLAGS_CHECKSUM: u64 = 1 << 1;
/// `XDP_TXMD_FLAGS_LAUNCH_TIME`: request transmission at `request.launch_time` (kernel 6.14).
pub const XDP_TXMD_FLAGS_LAUNCH_TIME: u64 = 1 << 2;
/// `sizeof(struct xsk_tx_metadata)`: `u64 flags`, then a 16-byte union of `request`
/// (`u16 csum_start, u16 csum_offset, u32 reserved, u64 launch_time`) and `completion`
/// (`u64 tx_timestamp`).
pub const XSK_TX_METADATA_SIZE: u32 = 24;
/// Offset of `request.csum_start` in `struct xsk_tx_metadata`.
pub const XSK_TXMD_CSUM_START: usize = 8;
/// Offset of `request.csum_offset`.
pub const XSK_TXMD_CSUM_OFFSET: usize = 10;
/// Offset of `request.launch_time`.
pub const XSK_TXMD_LAUNCH_TIME: usize = 16;
/// Offset of `completion.tx_timestamp` (shares the union with the request).
pub const XSK_TXMD_TX_TIMESTAMP: usize = 8;

/// `XDP_PACKET_HEADROOM`: the kernel's own headroom in front of every received packet (256).
pub const XDP_PACKET_HEADROOM: u32 = 256;
/// `XDP_UMEM_MIN_CHUNK_SIZE`: the smallest chunk (frame) size the kernel accepts (2048).
pub const XDP_UMEM_MIN_CHUNK_SIZE: u32 = 2048;

// ---- SOL_SOCKET busy-poll options ----

/// `SO_BUSY_POLL` (SOL_SOCKET, int): microseconds to busy poll the device queue (kernel 3.11,
/// for AF_XDP 5.11).
pub const SO_BUSY_POLL: i32 = 46;
/// `SO_PREFER_BUSY_POLL` (SOL_SOCKET, int 0/1): prefer busy polling over softirq processing
/// (kernel 5.11).
pub const SO_PREFER_BUSY_POLL: i32 = 69;
/// `SO_BUSY_POLL_BUDGET` (SOL_SOCKET, int): packets per busy-poll round (kernel 5.11).
pub const SO_BUSY_POLL_BUDGET: i32 = 70;

/// `struct sockaddr_xdp`: the address an XDP socket binds to.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SockaddrXdp {
    /// `sxdp_family`: [`AF_XDP`].
    pub sxdp_family: u16,
    /// `sxdp_flags`: `XDP_SHARED_UMEM`, `XDP_COPY`, `XDP_ZEROCOPY`, `XDP_USE_NEED_WAKEUP`,
    /// `XDP_USE_SG`.
    pub sxdp_flags: u16,
    /// `sxdp_ifindex`: the interface.
    pub sxdp_ifindex: u32,
    /// `sxdp_queue_id`: the queue of the interface.
    pub sxdp_queue_id: u32,
    /// `sxdp_shared_umem_fd`: with `XDP_SHARED_UMEM`, the socket whose UMEM is shared.
    pub sxdp_shared_umem_fd: u32,
}

/// `struct xdp_ring_offset`: byte offsets inside one ring's mapping.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpRingOffset {
    /// Offset of the producer index (`u32`).
    pub producer: u64,
    /// Offset of the consumer index (`u32`).
    pub consumer: u64,
    /// Offset of the descriptor array.
    pub desc: u64,
    /// Offset of the flags word (`u32`, [`XDP_RING_NEED_WAKEUP`]; kernel 5.4).
    pub flags: u64,
}

/// `struct xdp_mmap_offsets`: the layout of the four rings, from `getsockopt(XDP_MMAP_OFFSETS)`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpMmapOffsets {
    /// The RX ring.
    pub rx: XdpRingOffset,
    /// The TX ring.
    pub tx: XdpRingOffset,
    /// The fill ring.
    pub fr: XdpRingOffset,
    /// The completion ring.
    pub cr: XdpRingOffset,
}

/// `struct xdp_umem_reg`: the argument of `setsockopt(XDP_UMEM_REG)` (see the module docs on
/// its size across kernel versions).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpUmemReg {
    /// Start of the packet data area (page aligned).
    pub addr: u64,
    /// Length of the area in bytes.
    pub len: u64,
    /// Chunk (frame) size: a power of two from 2048 to the page size in aligned mode.
    pub chunk_size: u32,
    /// Headroom in front of every packet, on top of [`XDP_PACKET_HEADROOM`].
    pub headroom: u32,
    /// `XDP_UMEM_*` flags (kernel 5.4).
    pub flags: u32,
    /// Bytes of TX metadata in front of each TX packet; only read with
    /// [`XDP_UMEM_TX_METADATA_LEN`] (kernel 6.8; the flag 6.11).
    pub tx_metadata_len: u32,
}

/// `struct xdp_statistics`: from `getsockopt(XDP_STATISTICS)`. The last three counters exist
/// since kernel 5.9 (zero on older kernels).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpStatistics {
    /// Packets dropped for reasons other than an invalid descriptor.
    pub rx_dropped: u64,
    /// RX packets dropped because of an invalid descriptor.
    pub rx_invalid_descs: u64,
    /// TX descriptors dropped because they were invalid.
    pub tx_invalid_descs: u64,
    /// Packets dropped because the RX ring was full (5.9).
    pub rx_ring_full: u64,
    /// Times the kernel found the fill ring empty (5.9).
    pub rx_fill_ring_empty_descs: u64,
    /// Times the kernel found the TX ring empty (5.9).
    pub tx_ring_empty_descs: u64,
}

/// `struct xdp_options`: from `getsockopt(XDP_OPTIONS)` (kernel 5.3).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpOptions {
    /// [`XDP_OPTIONS_ZEROCOPY`] if the socket runs in zero-copy mode.
    pub flags: u32,
}

/// `struct xdp_desc`: one entry of the RX and TX rings. (Fill and completion entries are bare
/// `u64` UMEM addresses.)
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpDesc {
    /// Address of the packet data inside the UMEM (an offset from the UMEM's start).
    pub addr: u64,
    /// Length of the packet data.
    pub len: u32,
    /// [`XDP_PKT_CONTD`], [`XDP_TX_METADATA`].
    pub options: u32,
}

const _: () = assert!(size_of::<SockaddrXdp>() == 16);
const _: () = assert!(size_of::<XdpRingOffset>() == 32);
const _: () = assert!(size_of::<XdpMmapOffsets>() == 128);
const _: () = assert!(size_of::<XdpUmemReg>() == 32);
const _: () = assert!(std::mem::offset_of!(XdpUmemReg, flags) == 24);
const _: () = assert!(std::mem::offset_of!(XdpUmemReg, tx_metadata_len) == 28);
const _: () = assert!(size_of::<XdpStatistics>() == 48);
const _: () = assert!(size_of::<XdpOptions>() == 4);
const _: () = assert!(size_of::<XdpDesc>() == 16);

/// `struct xdp_ring_offset_v1` (kernels 4.18 – 5.3, before the flags word).
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct XdpRingOffsetV1 {
    producer: u64,
    consumer: u64,
    desc: u64,
}
const _: () = assert!(size_of::<XdpRingOffsetV1>() == 24);

/// `socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0)`.
pub fn xsk_socket() -> Result<OwnedFd> {
    // SAFETY: socket(2) takes no pointers; the result is checked before use.
    let fd = unsafe { libc::socket(AF_XDP, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        let errno = last_errno();
        return Err(match errno {
            libc::EAFNOSUPPORT => Error::io_hint(
                "socket(AF_XDP)",
                errno,
                "the kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS, kernel 4.18+)",
            ),
            libc::EPERM | libc::EACCES => Error::io_hint(
                "socket(AF_XDP)",
                errno,
                "creating an AF_XDP socket needs CAP_NET_RAW (and CAP_NET_ADMIN + CAP_BPF for \
                 the XDP program and XSKMAP), or root",
            ),
            _ => Error::io("socket(AF_XDP)", errno),
        });
    }
    // SAFETY: `fd` is a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `setsockopt(fd, level, name, &value, sizeof value)` for a plain-old-data value.
fn setsockopt_raw<T: Copy>(fd: BorrowedFd<'_>, level: i32, name: i32, value: &T) -> i32 {
    // SAFETY: `value` points to a live `T` of `size_of::<T>()` bytes that the kernel only reads.
    let rc = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            size_of::<T>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        last_errno()
    } else {
        0
    }
}

/// `setsockopt` with an `int`/`u32` value; `op` names it in the error.
pub fn setsockopt_u32(
    fd: BorrowedFd<'_>,
    level: i32,
    name: i32,
    value: u32,
    op: &'static str,
) -> Result<()> {
    match setsockopt_raw(fd, level, name, &value) {
        0 => Ok(()),
        errno => Err(Error::io(op, errno)),
    }
}

/// `setsockopt(SOL_XDP, XDP_UMEM_REG)`.
pub fn umem_reg(fd: BorrowedFd<'_>, reg: &XdpUmemReg) -> Result<()> {
    match setsockopt_raw(fd, SOL_XDP, XDP_UMEM_REG, reg) {
        0 => Ok(()),
        errno => Err(match errno {
            libc::EINVAL if reg.flags & (XDP_UMEM_TX_METADATA_LEN | XDP_UMEM_TX_SW_CSUM) != 0 => {
                Error::io_hint(
                    "setsockopt(XDP_UMEM_REG)",
                    errno,
                    "the kernel rejected the UMEM with TX metadata: XDP_UMEM_TX_METADATA_LEN and \
                     XDP_UMEM_TX_SW_CSUM need Linux 6.11 (TX metadata itself 6.8, without the \
                     flag), or the UMEM layout is wrong (tx_metadata_len a multiple of 8 below \
                     256, frame size, headroom); see xsk_runtime::xsk::tx_metadata::probe",
                )
            }
            libc::EINVAL => Error::io_hint(
                "setsockopt(XDP_UMEM_REG)",
                errno,
                "the kernel rejected the UMEM layout: the area must be page aligned, the frame size \
                 a power of two from 2048 to the page size (any size from 2048 in unaligned mode), \
                 the headroom smaller than frame size - 256, and the area at least one frame",
            ),
            libc::ENOMEM | libc::ENOBUFS | libc::EPERM => Error::io_hint(
                "setsockopt(XDP_UMEM_REG)",
                errno,
                "the UMEM pages are pinned and charged to RLIMIT_MEMLOCK: raise it \
                 (ulimit -l unlimited) or run as root",
            ),
            libc::EBUSY => Error::io_hint(
                "setsockopt(XDP_UMEM_REG)",
                errno,
                "this socket already has a UMEM registered",
            ),
            _ => Error::io("setsockopt(XDP_UMEM_REG)", errno),
        }),
    }
}

/// `getsockopt(fd, level, name)` into a `T`; returns the value and the length the kernel wrote.
fn getsockopt_raw<T: Copy + Default>(
    fd: BorrowedFd<'_>,
    level: i32,
    name: i32,
) -> std::result::Result<(T, usize), i32> {
    let mut value = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as libc::socklen_t;
    // SAFETY: `value` has room for `len` bytes and `len` is a valid in/out length.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            level,
            name,
            value.as_mut_ptr().cast(),
            &mut len,
        )
    };
    if rc < 0 {
        return Err(last_errno());
    }
    // SAFETY: `value` was zero-initialised and T is plain old data (all-zero is valid); the
    // kernel wrote at most `size_of::<T>()` bytes over it.
    Ok((unsafe { value.assume_init() }, len as usize))
}

/// `getsockopt(SOL_XDP, XDP_MMAP_OFFSETS)`, converting the pre-5.4 layout (no flags word) the
/// way libxdp does (flags right after the producer index).
pub fn mmap_offsets(fd: BorrowedFd<'_>) -> Result<XdpMmapOffsets> {
    let (off, len) = getsockopt_raw::<XdpMmapOffsets>(fd, SOL_XDP, XDP_MMAP_OFFSETS)
        .map_err(|e| Error::io("getsockopt(XDP_MMAP_OFFSETS)", e))?;
    if len == size_of::<XdpMmapOffsets>() {
        return Ok(off);
    }
    if len == 4 * size_of::<XdpRingOffsetV1>() {
        let v1: [XdpRingOffsetV1; 4] =
            // SAFETY: XdpMmapOffsets is larger than 4 v1 offsets, so reading them from its
            // start is in bounds; both are plain old data.
            unsafe { std::ptr::read_unaligned((&off as *const XdpMmapOffsets).cast()) };
        let conv = |r: XdpRingOffsetV1| XdpRingOffset {
            producer: r.producer,
            consumer: r.consumer,
            desc: r.desc,
            flags: r.consumer + size_of::<u32>() as u64,
        };
        return Ok(XdpMmapOffsets {
            rx: conv(v1[0]),
            tx: conv(v1[1]),
            fr: conv(v1[2]),
            cr: conv(v1[3]),
        });
    }
    Err(Error::io_hint(
        "getsockopt(XDP_MMAP_OFFSETS)",
        libc::EINVAL,
        format!("the kernel answered with {len} bytes, a layout this library does not know"),
    ))
}

/// `getsockopt(SOL_XDP, XDP_STATISTICS)`.
pub fn statistics(fd: BorrowedFd<'_>) -> Result<XdpStatistics> {
    getsockopt_raw::<XdpStatistics>(fd, SOL_XDP, XDP_STATISTICS)
        .map(|(s, _)| s)
        .map_err(|e| Error::io("getsockopt(XDP_STATISTICS)", e))
}

/// `getsockopt(SOL_XDP, XDP_OPTIONS)` (kernel 5.3).
pub fn options(fd: BorrowedFd<'_>) -> Result<XdpOptions> {
    getsockopt_raw::<XdpOptions>(fd, SOL_XDP, XDP_OPTIONS)
        .map(|(s, _)| s)
        .map_err(|e| Error::io("getsockopt(XDP_OPTIONS)", e))
}

/// `bind(fd, &sockaddr_xdp)`; the raw errno on failure (the socket layer explains it).
pub fn bind(fd: BorrowedFd<'_>, addr: &SockaddrXdp) -> std::result::Result<(), i32> {
    // SAFETY: `addr` points to a live sockaddr_xdp of the size passed.
    let rc = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (addr as *const SockaddrXdp).cast(),
            size_of::<SockaddrXdp>() as libc::socklen_t,
        )
    };
    if rc < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

/// `sendto(fd, NULL, 0, MSG_DONTWAIT, NULL, 0)`: tells the kernel to transmit what is on the TX
/// ring. Returns the raw errno on failure; ENOBUFS, EAGAIN, EBUSY and ENETDOWN mean "try again
/// later" (libxdp ignores them too).
///
/// Takes the raw fd: the rings keep their socket's fd number (they never outlive the socket);
/// a send on a wrong descriptor could only fail, never touch memory.
#[inline]
pub fn kick_tx(fd: RawFd) -> std::result::Result<(), i32> {
    // SAFETY: a zero-length send with null buffer and address reads and writes no memory.
    let rc = unsafe {
        libc::sendto(
            fd,
            std::ptr::null(),
            0,
            libc::MSG_DONTWAIT,
            std::ptr::null(),
            0,
        )
    };
    if rc < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

/// `recvfrom(fd, NULL, 0, MSG_DONTWAIT, NULL, NULL)`: wakes the kernel's RX processing (the
/// fill ring's need_wakeup). Returns the raw errno on failure.
/// Takes the raw fd, like [`kick_tx`].
#[inline]
pub fn wake_rx(fd: RawFd) -> std::result::Result<(), i32> {
    // SAFETY: a zero-length receive with null buffer and address reads and writes no memory.
    let rc = unsafe {
        libc::recvfrom(
            fd,
            std::ptr::null_mut(),
            0,
            libc::MSG_DONTWAIT,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    if rc < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

/// `poll(&{fd, events}, 1, timeout_ms)`: the returned events (0 on timeout).
#[inline]
pub fn poll(fd: BorrowedFd<'_>, events: i16, timeout_ms: i32) -> Result<i16> {
    let mut pfd = libc::pollfd {
        fd: fd.as_raw_fd(),
        events,
        revents: 0,
    };
    loop {
        // SAFETY: `pfd` is one valid pollfd.
        let rc = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if rc >= 0 {
            return Ok(if rc == 0 { 0 } else { pfd.revents });
        }
        let errno = last_errno();
        if errno != libc::EINTR {
            return Err(Error::io("poll(AF_XDP socket)", errno));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_match_if_xdp_h() {
        assert_eq!(XDP_UMEM_PGOFF_FILL_RING, 0x100000000);
        assert_eq!(XDP_UMEM_PGOFF_COMPLETION_RING, 0x180000000);
        assert_eq!(XSK_UNALIGNED_BUF_ADDR_MASK, 0x0000_ffff_ffff_ffff);
        assert_eq!(
            (
                XDP_SHARED_UMEM,
                XDP_COPY,
                XDP_ZEROCOPY,
                XDP_USE_NEED_WAKEUP,
                XDP_USE_SG
            ),
            (1, 2, 4, 8, 16)
        );
        assert_eq!(
            (
                XDP_MMAP_OFFSETS,
                XDP_RX_RING,
                XDP_TX_RING,
                XDP_UMEM_REG,
                XDP_UMEM_FILL_RING,
                XDP_UMEM_COMPLETION_RING,
                XDP_STATISTICS,
                XDP_OPTIONS,
                XDP_MAX_TX_SKB_BUDGET
            ),
            (1, 2, 3, 4, 5, 6, 7, 8, 9)
        );
        assert_eq!(SO_BUSY_POLL, libc::SO_BUSY_POLL);
        assert_eq!(AF_XDP, libc::AF_XDP);
        assert_eq!(SOL_XDP, libc::SOL_XDP);
    }
}
