//! An epoll instance (`epoll_create1`, `epoll_ctl`, `epoll_wait`): the ring buffer consumer
//! waits on a map's descriptor with it, and [`crate::wait::XskEpoll`] on AF_XDP sockets; and
//! a periodic timer descriptor (`timerfd_create`, `timerfd_settime`) to register with it.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
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

/// A periodic timer descriptor (`timerfd_create(CLOCK_MONOTONIC)`): readable from its first
/// expiry on, with a wake-up of its waiters at every expiry.
#[derive(Debug)]
pub(crate) struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    /// A timer that expires every `period` from `period` from now (non-blocking, close-on-exec).
    pub(crate) fn periodic(period: Duration) -> Result<TimerFd> {
        if period.is_zero() {
            return Err(Error::invalid("a periodic timer needs a period above zero"));
        }
        // SAFETY: timerfd_create takes no pointers.
        let raw = unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_CLOEXEC | libc::TFD_NONBLOCK,
            )
        };
        if raw < 0 {
            return Err(Error::io("timerfd_create", last_errno()));
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        let ts = libc::timespec {
            tv_sec: libc::time_t::try_from(period.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_nsec: period.subsec_nanos() as libc::c_long,
        };
        let spec = libc::itimerspec {
            it_interval: ts,
            it_value: ts,
        };
        // SAFETY: `spec` is a valid itimerspec that lives across the call; the old value is
        // not asked for (null).
        let r = unsafe { libc::timerfd_settime(fd.as_raw_fd(), 0, &spec, std::ptr::null_mut()) };
        if r < 0 {
            return Err(Error::io("timerfd_settime", last_errno()));
        }
        Ok(TimerFd { fd })
    }

    /// The descriptor.
    pub(crate) fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Reads the expirations since the last read (0 if none: the descriptor is non-blocking).
    /// The read is what re-arms a periodic timerfd in the kernel: until it, the timer does
    /// not expire again.
    pub(crate) fn read(&self) -> Result<u64> {
        let mut n = 0u64;
        // SAFETY: `n` is 8 writable bytes, the size a timerfd read writes.
        let r = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&mut n as *mut u64).cast::<libc::c_void>(),
                std::mem::size_of::<u64>(),
            )
        };
        if r < 0 {
            let errno = last_errno();
            if errno == libc::EAGAIN || errno == libc::EINTR {
                return Ok(0);
            }
            return Err(Error::io("read(timerfd)", errno));
        }
        Ok(n)
    }
}
