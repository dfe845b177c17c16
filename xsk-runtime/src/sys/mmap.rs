//! Memory mappings (`mmap(2)` / `munmap(2)`): the UMEM's anonymous memory and the rings of an
//! AF_XDP socket, each an [`Mmap`] unmapped on drop; the page size.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr::NonNull;

use crate::error::{last_errno, Error, Result};

/// A memory mapping, unmapped on drop.
#[derive(Debug)]
pub struct Mmap {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory; who may touch which bytes is decided by the owners of
// the mapping (the UMEM's frame ownership, the rings' producer/consumer protocol).
unsafe impl Send for Mmap {}
// SAFETY: as above; `Mmap` itself only hands out the base pointer.
unsafe impl Sync for Mmap {}

impl Mmap {
    /// An anonymous private mapping of `len` bytes; with `huge_pages`, backed by huge pages
    /// (`MAP_HUGETLB`, which needs reserved huge pages: `/proc/sys/vm/nr_hugepages`) and
    /// pre-faulted (`MAP_POPULATE`).
    ///
    /// Pages of 4 KiB are not pre-faulted here: the UMEM's registration (`XDP_UMEM_REG`),
    /// which follows at once, pins every page and so faults them in itself, as it does for
    /// libxdp's users. Pre-faulting them first changed nothing a program could see but, on
    /// the benchmark's VM, made the kernel's copy of a received packet into a frame stall for
    /// ~150 µs more often (2-10x in 4 of 6 interleaved runs, level in 2; BENCHMARKS.md,
    /// "Busy-poll latency attribution, session 30").
    pub fn anonymous(len: usize, huge_pages: bool) -> Result<Mmap> {
        if len == 0 {
            return Err(Error::invalid("a mapping of 0 bytes"));
        }
        let mut flags = libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
        if huge_pages {
            flags |= libc::MAP_HUGETLB | libc::MAP_POPULATE;
        }
        // SAFETY: an anonymous mapping at an address of the kernel's choice touches no
        // existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                flags,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            let errno = last_errno();
            return Err(if huge_pages {
                Error::io_hint(
                    "mmap(MAP_HUGETLB) for the UMEM",
                    errno,
                    "no huge pages available: reserve some (echo 512 > /proc/sys/vm/nr_hugepages) \
                     or create the UMEM without huge pages",
                )
            } else {
                Error::io("mmap for the UMEM", errno)
            });
        }
        Ok(Mmap {
            // SAFETY: mmap returned a non-failed, hence non-null, address.
            ptr: unsafe { NonNull::new_unchecked(p.cast()) },
            len,
        })
    }

    /// A shared mapping of `len` bytes of an XDP socket's ring at page offset `pgoff`
    /// (`XDP_PGOFF_RX_RING`, ...).
    ///
    /// Crate-private: a ring mapped outside the typed rings of [`crate::xsk::socket`] could hand
    /// the kernel a frame that a [`crate::xsk::umem::Frame`] still owns.
    pub(crate) fn ring(
        fd: BorrowedFd<'_>,
        len: usize,
        pgoff: i64,
        op: &'static str,
    ) -> Result<Mmap> {
        // SAFETY: a shared mapping of the socket at an address of the kernel's choice touches
        // no existing memory.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_POPULATE,
                fd.as_raw_fd(),
                pgoff,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(Error::io(op, last_errno()));
        }
        Ok(Mmap {
            // SAFETY: mmap returned a non-failed, hence non-null, address.
            ptr: unsafe { NonNull::new_unchecked(p.cast()) },
            len,
        })
    }

    /// The first byte of the mapping.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false (mappings are never empty).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        // SAFETY: `ptr`/`len` describe a mapping we created and nobody else unmaps.
        unsafe {
            libc::munmap(self.ptr.as_ptr().cast(), self.len);
        }
    }
}

/// The system page size.
pub fn page_size() -> usize {
    // SAFETY: sysconf takes no pointers.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as usize
    } else {
        4096
    }
}
