//! What the four typed rings share: the common methods of their batches (as macros that
//! expand to the same inlined code written out by hand), the wake-up system calls and their
//! outcome, and putting the frames of rolled-back batches back on a free list.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::Arc;

use super::umem::{FreeList, Umem};
use crate::error::{Error, Result};

/// The raw fd of the socket a ring wakes: `fd`, or the UMEM's own socket.
#[inline]
pub(super) fn ring_fd(umem: &Umem, fd: &Option<Arc<OwnedFd>>) -> RawFd {
    match fd {
        Some(fd) => fd.as_raw_fd(),
        None => umem.fd().as_raw_fd(),
    }
}

/// The outcome of a wake-up syscall (`what`): "busy" errnos count as success.
#[inline]
pub(super) fn wakeup_result(r: std::result::Result<(), i32>, what: &'static str) -> Result<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e) => wakeup_error(e, what),
    }
}

/// [`wakeup_result`]'s failure: out of line, off the path of every kick and wake-up.
#[cold]
#[inline(never)]
fn wakeup_error(errno: i32, what: &'static str) -> Result<()> {
    if benign_wakeup_errno(errno) {
        Ok(())
    } else {
        Err(Error::io(what, errno))
    }
}

/// Errnos of `sendto`/`recvfrom` wake-ups that mean "busy, try later" (as in libxdp).
fn benign_wakeup_errno(errno: i32) -> bool {
    matches!(
        errno,
        libc::EAGAIN | libc::EBUSY | libc::ENOBUFS | libc::ENETDOWN | libc::EINTR
    )
}

/// Moves rolled-back frame addresses onto `free` (if it belongs to `umem`).
pub(super) fn reclaim_into(umem: &Umem, rolled_back: &mut Vec<u64>, free: &mut FreeList) -> u32 {
    if free.umem_id() != umem.id() {
        return 0;
    }
    let n = rolled_back.len() as u32;
    for addr in rolled_back.drain(..) {
        // Cannot fail: same UMEM, checked above.
        let _ = free.push(umem.frame_at(addr));
    }
    n
}

/// `len`, `is_empty`, `remaining` and `submit` of a reserving batch (`FillBatch`, `TxBatch`):
/// a `batch: Option<WriteBatch>` field and the `&mut u64` counter `$counter` that `submit`
/// adds the published entries to. Expands to the same inlined code written out by hand.
macro_rules! write_batch_common {
    ($t:ident, $counter:ident, $submit_doc:literal) => {
        impl $t<'_> {
            /// Entries reserved.
            #[inline]
            pub fn len(&self) -> u32 {
                self.batch.as_ref().map_or(0, |b| b.len())
            }

            /// True if the ring had no room.
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Entries reserved and not yet pushed.
            #[inline]
            pub fn remaining(&self) -> u32 {
                self.batch.as_ref().map_or(0, |b| b.remaining())
            }

            #[doc = $submit_doc]
            #[inline]
            pub fn submit(mut self) -> u32 {
                match self.batch.take() {
                    Some(b) => {
                        let n = b.submit();
                        *self.$counter += u64::from(n);
                        n
                    }
                    None => 0,
                }
            }
        }
    };
}

/// `len`, `is_empty`, `release` and the releasing `Drop` of a consuming batch
/// (`CompletionBatch`, `RxBatch`): a `batch: Option<ReadBatch>` field whose entries taken by
/// the iterator are released, the rest left in the ring for the next peek.
macro_rules! read_batch_common {
    ($t:ident, $len_doc:literal, $empty_doc:literal) => {
        impl $t<'_> {
            #[doc = $len_doc]
            #[inline]
            pub fn len(&self) -> u32 {
                self.batch.as_ref().map_or(0, |b| b.len())
            }

            #[doc = $empty_doc]
            #[inline]
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// Releases the entries returned so far.
            #[inline]
            pub fn release(mut self) {
                self.finish();
            }

            #[inline]
            fn finish(&mut self) {
                if let Some(b) = self.batch.take() {
                    let k = b.taken();
                    b.release_first(k);
                }
            }
        }

        impl Drop for $t<'_> {
            #[inline]
            fn drop(&mut self) {
                self.finish();
            }
        }
    };
}

pub(super) use {read_batch_common, write_batch_common};
