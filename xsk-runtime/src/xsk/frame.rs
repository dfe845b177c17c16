//! The UMEM's packet memory as frames: [`Frame`], the token that owns one chunk, and
//! `FrameArea`, the mapping that lends out a chunk's bytes only against its token.
//!
//! This is where the UMEM's `unsafe` lives (turning a range of the shared mapping into a
//! slice); [`crate::xsk::umem`] builds its safe API on it. Soundness rests on one crate invariant,
//! stated at `Frame::new`: at most one `Frame` per chunk exists, so `&mut Frame` is an
//! exclusive claim on the chunk's bytes (the kernel does not touch a chunk while user space
//! holds its `Frame`: the frame is in no ring).

use std::fmt;

use crate::error::{Error, Result};
use crate::sys::mmap::Mmap;

/// One frame of a [`Umem`](crate::xsk::umem::Umem), owned: whoever holds the `Frame` may read and
/// write its bytes ([`Umem::frame_mut`](crate::xsk::umem::Umem::frame_mut)) and nobody else may,
/// including the kernel.
///
/// Not `Copy`, not `Clone`: a frame goes to the kernel by moving its `Frame` into a ring, and
/// comes back as a new `Frame` from the RX or completion ring.
///
/// What the compiler refuses (each block fails to compile):
///
/// ```compile_fail
/// # fn f(free: &mut xsk_runtime::umem::FreeList) {
/// let frame = free.pop().unwrap();
/// let twin = frame.clone(); // a Frame cannot be duplicated
/// # }
/// ```
///
/// ```compile_fail
/// # fn f(free: &mut xsk_runtime::umem::FreeList, fill: &mut xsk_runtime::socket::FillRing) {
/// let frame = free.pop().unwrap();
/// let mut batch = fill.reserve(2);
/// batch.push(frame).unwrap();
/// batch.push(frame).unwrap(); // the frame already went to the kernel
/// # }
/// ```
///
/// ```compile_fail
/// # fn f(umem: &xsk_runtime::umem::Umem, free: &mut xsk_runtime::umem::FreeList,
/// #      tx: &mut xsk_runtime::socket::TxRing) {
/// let mut frame = free.pop().unwrap();
/// let bytes = umem.frame_mut(&mut frame);
/// let mut batch = tx.reserve(1);
/// batch.push(frame, 0, 64).unwrap(); // cannot send while its bytes are borrowed
/// bytes[0] = 1;
/// # }
/// ```
///
/// ```compile_fail
/// # fn f(umem: &xsk_runtime::umem::Umem, rx: &mut xsk_runtime::socket::RxRing,
/// #      free: &mut xsk_runtime::umem::FreeList) {
/// let mut batch = rx.recv(1);
/// let packet = batch.next().unwrap();
/// let data = umem.packet(&packet);
/// free.push(packet.into_frame()).unwrap(); // cannot recycle while its data is borrowed
/// let _ = data.len();
/// # }
/// ```
#[must_use = "a dropped Frame is lost until the UMEM is dropped: put it back on the FreeList"]
#[derive(PartialEq, Eq)]
pub struct Frame {
    addr: u64,
    umem: u32,
}

impl Frame {
    /// The handle of the chunk at `addr` of UMEM `umem`.
    ///
    /// Crate-private, and the one thing `FrameArea`'s soundness rests on: at most one
    /// `Frame` exists per chunk. The crate makes one only (1) for each chunk once, when the
    /// UMEM's first [`FreeList`](crate::xsk::umem::FreeList) is built, and (2) for an address the
    /// kernel hands back on the RX or completion ring, or a rolled-back ring batch hands back
    /// — a frame whose `Frame` was consumed ([`into_addr`](Frame::into_addr)) when it went
    /// into the fill or TX ring — and (3) for an address found in a ring of a socket the
    /// kernel has let go of (`Umem::reclaim` / `Umem::close`: each address once, only after
    /// the socket's release).
    #[inline]
    pub(crate) fn new(addr: u64, umem: u32) -> Frame {
        Frame { addr, umem }
    }

    /// The frame's address: the offset of its first byte in the UMEM.
    #[inline]
    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// Consumes the handle, giving its address: for the rings, when the frame goes to the
    /// kernel.
    #[inline]
    pub(crate) fn into_addr(self) -> u64 {
        self.addr
    }

    /// The [`Umem::id`](crate::xsk::umem::Umem::id) of the UMEM it belongs to.
    #[inline]
    pub fn umem_id(&self) -> u32 {
        self.umem
    }
}

impl fmt::Debug for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Frame({:#x} of UMEM {})", self.addr, self.umem)
    }
}

/// The mapping of a UMEM, cut into `frame_size` chunks, that lends out a chunk's bytes only to
/// the holder of its [`Frame`].
pub(crate) struct FrameArea {
    map: Mmap,
    umem: u32,
    frame_size: u32,
    /// frame_size * frame_count, at most the mapping's length.
    len: usize,
}

impl FrameArea {
    /// Takes over `map` for a UMEM with id `umem` of `frame_count` chunks of `frame_size`.
    pub(crate) fn new(map: Mmap, umem: u32, frame_size: u32, frame_count: u32) -> Result<Self> {
        let len = usize::try_from(u64::from(frame_size) * u64::from(frame_count))
            .ok()
            .filter(|&l| l <= map.len())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{frame_count} frames of {frame_size} bytes do not fit a mapping of {} bytes",
                    map.len()
                ))
            })?;
        Ok(FrameArea {
            map,
            umem,
            frame_size,
            len,
        })
    }

    /// The first byte (for `XDP_UMEM_REG`).
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.map.as_ptr()
    }

    /// `[offset, offset + len)` of `frame`'s chunk, clamped to the chunk: pointer and length.
    ///
    /// # Panics
    /// If `frame` belongs to another UMEM.
    #[inline]
    fn span(&self, frame: &Frame, offset: u32, len: u32) -> (*mut u8, usize) {
        assert_eq!(
            frame.umem, self.umem,
            "a Frame of UMEM {} used with UMEM {}",
            frame.umem, self.umem
        );
        let offset = offset.min(self.frame_size);
        let len = len.min(self.frame_size - offset) as usize;
        let start = frame.addr as usize + offset as usize;
        // Frames are only made for chunk addresses below `len` (see `Frame::new`).
        if start.checked_add(len).is_none_or(|end| end > self.len) {
            return (self.map.as_ptr(), 0);
        }
        // SAFETY: `start + len <= self.len <= map.len()` (checked just above), so the pointer
        // stays inside the mapping.
        (unsafe { self.map.as_ptr().add(start) }, len)
    }

    /// The bytes `[offset, offset + len)` of `frame` (clamped to the chunk).
    ///
    /// # Panics
    /// If `frame` belongs to another UMEM.
    #[inline]
    pub(crate) fn bytes<'a>(&'a self, frame: &'a Frame, offset: u32, len: u32) -> &'a [u8] {
        let (ptr, len) = self.span(frame, offset, len);
        // In the mapping (`span`); `frame` is the chunk's only token (`Frame::new`), so while
        // it is borrowed shared nobody writes these bytes: no `&mut Frame` of it exists, and
        // the kernel leaves a chunk alone while user space holds its Frame.
        // SAFETY: see above.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }

    /// The bytes `[offset, offset + len)` of `frame` (clamped to the chunk), writable.
    ///
    /// # Panics
    /// If `frame` belongs to another UMEM.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn bytes_mut<'a>(
        &'a self,
        frame: &'a mut Frame,
        offset: u32,
        len: u32,
    ) -> &'a mut [u8] {
        let (ptr, len) = self.span(frame, offset, len);
        // In the mapping (`span`); `&mut Frame` is an exclusive borrow of the chunk's only
        // token (`Frame::new`): no other reference to these bytes exists, in this process or
        // in the kernel, for as long as the slice lives.
        // SAFETY: see above.
        unsafe { std::slice::from_raw_parts_mut(ptr, len) }
    }
}
