//! An epoll instance (`epoll_create1`, `epoll_ctl`, `epoll_wait`): the ring buffer consumer
//! waits on a map's descriptor with it, and [`crate::socket::XskEpoll`] on AF_XDP sockets.

use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

use crate::error::{last_errno, Error, Result};

/// An epoll instance; descriptors are registered level-triggered.
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

    /// `epoll_ctl(EPOLL_CTL_ADD)` of `fd` for `EPOLLIN`, its events tagged with the fd number.
    pub(crate) fn add_input(&self, fd: BorrowedFd<'_>) -> Result<()> {
        self.add(fd, libc::EPOLLIN as u32, fd.as_raw_fd() as u64)
    }

    /// `epoll_ctl(EPOLL_CTL_ADD)` of `fd` for `events` (level-triggered), its events tagged
    /// with `token`.
    pub(crate) fn add(&self, fd: BorrowedFd<'_>, events: u32, token: u64) -> Result<()> {
        let mut ev = libc::epoll_event { events, u64: token };
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
        Ok(self.wait_into(&mut ev, ms)? > 0)
    }

    /// `epoll_wait` for up to `timeout_ms` milliseconds (negative: without limit) into
    /// `events`; the number of events written (0 on timeout or on a signal, `EINTR`).
    #[inline(always)]
    pub(crate) fn wait_into(
        &self,
        events: &mut [libc::epoll_event],
        timeout_ms: i32,
    ) -> Result<usize> {
        if events.is_empty() {
            return Err(Error::invalid("epoll_wait needs room for one event"));
        }
        let max = i32::try_from(events.len()).unwrap_or(i32::MAX);
        // SAFETY: `events` has room for the `max` events epoll_wait may write.
        let n =
            unsafe { libc::epoll_wait(self.fd.as_raw_fd(), events.as_mut_ptr(), max, timeout_ms) };
        if n < 0 {
            return wait_error(last_errno());
        }
        Ok(n as usize)
    }
}

/// `epoll_wait`'s failure: a signal is a wait that ended with nothing ready. Out of line.
#[cold]
#[inline(never)]
fn wait_error(errno: i32) -> Result<usize> {
    if errno == libc::EINTR {
        Ok(0)
    } else {
        Err(Error::io("epoll_wait", errno))
    }
}
