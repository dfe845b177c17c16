//! The system calls of the ring buffer consumer ([`crate::ringbuf`]): shared mappings of a
//! `BPF_MAP_TYPE_RINGBUF` map's pages, and an epoll instance to wait on the map's descriptor.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;

use crate::error::{last_errno, Error, Result};

/// A shared mapping of (part of) a map, unmapped on drop.
#[derive(Debug)]
pub(crate) struct MapMmap {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is memory shared with the kernel; which bytes may be read or written when
// is decided by the ring buffer protocol that its owner (`crate::ringbuf::RingBuf`) follows.
unsafe impl Send for MapMmap {}
// SAFETY: as above; `MapMmap` itself only hands out the base pointer.
unsafe impl Sync for MapMmap {}

impl MapMmap {
    /// `mmap(2)` of `len` bytes of map `fd` from byte `offset` (a multiple of the page size),
    /// shared, readable, and writable if `writable`.
    pub(crate) fn map(
        fd: BorrowedFd<'_>,
        len: usize,
        offset: usize,
        writable: bool,
        op: &'static str,
    ) -> Result<MapMmap> {
        let offset = libc::off_t::try_from(offset)
            .map_err(|_| Error::invalid("a mapping offset beyond off_t"))?;
        let prot = if writable {
            libc::PROT_READ | libc::PROT_WRITE
        } else {
            libc::PROT_READ
        };
        // SAFETY: a shared mapping of the descriptor at an address of the kernel's choice
        // touches no existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                prot,
                libc::MAP_SHARED,
                fd.as_raw_fd(),
                offset,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Error::io(op, last_errno()));
        }
        let ptr = NonNull::new(p.cast::<u8>()).ok_or_else(|| Error::io(op, libc::EFAULT))?;
        Ok(MapMmap { ptr, len })
    }

    /// The first byte of the mapping.
    pub(crate) fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
}

impl Drop for MapMmap {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` describe a mapping this value created and nobody else unmaps.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

/// The system page size.
pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf takes no pointers.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p > 0).unwrap_or(4096)
}

pub(crate) use super::epoll::Epoll;
