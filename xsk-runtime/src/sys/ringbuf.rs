//! The system calls of the ring buffer consumer ([`crate::ringbuf`]): shared mappings of a
//! `BPF_MAP_TYPE_RINGBUF` map's pages, and an epoll instance to wait on the map's descriptor.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::ptr::NonNull;
use std::time::Duration;

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

/// An epoll instance watching descriptors for input (`EPOLLIN`).
#[derive(Debug)]
pub(crate) struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    /// `epoll_create1(EPOLL_CLOEXEC)`.
    pub(crate) fn new() -> Result<Epoll> {
        // SAFETY: epoll_create1 takes no pointers.
        let raw = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if raw < 0 {
            return Err(Error::io("epoll_create1", last_errno()));
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(Epoll { fd })
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)` of `fd` for `EPOLLIN`.
    pub(crate) fn add_input(&self, fd: BorrowedFd<'_>) -> Result<()> {
        let mut ev = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: fd.as_raw_fd() as u64,
        };
        // SAFETY: `ev` is a valid epoll_event that lives across the call.
        let r = unsafe {
            libc::epoll_ctl(
                self.fd.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                fd.as_raw_fd(),
                &mut ev,
            )
        };
        if r < 0 {
            return Err(Error::io("epoll_ctl(EPOLL_CTL_ADD)", last_errno()));
        }
        Ok(())
    }

    /// `epoll_wait` for up to `timeout` (`None`: without limit); true if a descriptor is
    /// ready, false on timeout or on a signal (`EINTR`).
    pub(crate) fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        let ms = match timeout {
            None => -1,
            Some(t) => {
                // Round up so that a short timeout still sleeps.
                let ms = t.as_micros().div_ceil(1000);
                i32::try_from(ms).unwrap_or(i32::MAX)
            }
        };
        let mut ev = [libc::epoll_event { events: 0, u64: 0 }; 1];
        // SAFETY: `ev` has room for the one event epoll_wait may write (maxevents = 1).
        let n = unsafe { libc::epoll_wait(self.fd.as_raw_fd(), ev.as_mut_ptr(), 1, ms) };
        if n < 0 {
            let errno = last_errno();
            if errno == libc::EINTR {
                return Ok(false);
            }
            return Err(Error::io("epoll_wait", errno));
        }
        Ok(n > 0)
    }
}
