//! Async readiness on tokio (the `tokio` cargo feature): [`AsyncRingBuf`] and
//! [`AsyncXskSocket`], both on [`tokio::io::unix::AsyncFd`].
//!
//! Both register the descriptor with the runtime's reactor (edge-triggered) and clear the
//! readiness only after looking at the ring and finding nothing, so no wake-up is lost: the
//! kernel wakes a ring buffer's waiters when a record is committed at the consumer's position
//! (the consumer caught up), and an AF_XDP socket's when its RX ring gets packets (readable) or
//! its TX ring has room again (writable: the kernel took descriptors off it, whose frames then
//! show up on the completion ring). Polling an AF_XDP socket also does what `need_wakeup` asks
//! for (the kernel's `poll` kicks TX in copy mode and wakes the driver in zero-copy mode).
//!
//! Must be created inside a tokio runtime (with its I/O driver enabled); outside one, `new`
//! returns an error.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::bpf::maps::ringbuf::{RingBuf, RingBufRecord};
use crate::error::{Error, Result};
use crate::xsk::socket::XskSocket;

fn io_error(op: &'static str, e: io::Error) -> Error {
    Error::io(op, e.raw_os_error().unwrap_or(libc::EIO))
}

/// tokio panics when registering outside a runtime: say so as an error instead.
fn in_runtime(what: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(Error::invalid(format!(
            "{what} must be made inside a tokio runtime (with its I/O driver enabled)"
        )));
    }
    Ok(())
}

impl AsRawFd for RingBuf {
    /// The map's descriptor (see [`RingBuf::as_fd`](std::os::fd::AsFd::as_fd)).
    fn as_raw_fd(&self) -> RawFd {
        std::os::fd::AsFd::as_fd(self).as_raw_fd()
    }
}

/// A [`RingBuf`] whose waits are `async` (see the [module docs](self)).
#[derive(Debug)]
pub struct AsyncRingBuf {
    inner: AsyncFd<RingBuf>,
}

impl AsyncRingBuf {
    /// Registers `ring` with the current tokio runtime.
    pub fn new(ring: RingBuf) -> Result<AsyncRingBuf> {
        in_runtime("an AsyncRingBuf")?;
        // The descriptor is the ring buffer's map's, owned by `ring` (an `OwnedFd` inside its
        // `Map`) and closed only when `ring` is dropped, which the `AsyncFd` does after
        // deregistering; `as_raw_fd` always returns that same descriptor.
        // SAFETY: so the registered descriptor stays open and the same while registered.
        let inner = unsafe { AsyncFd::register_with_interest(ring, Interest::READABLE) }
            .map_err(|e| io_error("AsyncFd::register (ring buffer)", e.into()))?;
        Ok(AsyncRingBuf { inner })
    }

    /// Waits until a record is available (discarded records met meanwhile are consumed).
    pub async fn readable(&mut self) -> Result<()> {
        loop {
            let mut guard = self
                .inner
                .readable_mut()
                .await
                .map_err(|e| io_error("AsyncFd::readable (ring buffer)", e))?;
            if guard.get_inner_mut().has_record()? {
                return Ok(());
            }
            // Nothing (or a record still being written): the kernel wakes us when the record
            // at our position is committed. A wake-up that came after `readable_mut` returned
            // is kept by tokio (the guard's tick), not cleared here.
            guard.clear_ready();
        }
    }

    /// The next record, waiting for one; borrowed in place like [`RingBuf::next`].
    pub async fn next(&mut self) -> Result<RingBufRecord<'_>> {
        self.readable().await?;
        self.inner.get_mut().next()?.ok_or_else(|| {
            Error::invalid(
                "the ring buffer's ready record is gone: is another consumer reading this map?",
            )
        })
    }

    /// Waits for records, then calls `f` on every available one; returns how many (at least
    /// one).
    pub async fn poll(&mut self, f: impl FnMut(&[u8])) -> Result<usize> {
        self.readable().await?;
        self.inner.get_mut().consume(f)
    }

    /// The ring buffer.
    pub fn get_ref(&self) -> &RingBuf {
        self.inner.get_ref()
    }

    /// The ring buffer, mutably (its non-blocking [`RingBuf::next`] and [`RingBuf::consume`]).
    pub fn get_mut(&mut self) -> &mut RingBuf {
        self.inner.get_mut()
    }

    /// Deregisters and returns the ring buffer.
    pub fn into_inner(self) -> RingBuf {
        self.inner.into_inner()
    }
}

impl AsRawFd for XskSocket {
    /// The socket's descriptor.
    fn as_raw_fd(&self) -> RawFd {
        self.fd().as_raw_fd()
    }
}

/// An [`XskSocket`] whose waits for RX packets and TX room are `async` (see the
/// [module docs](self)). The rings are used as usual through [`Self::get_mut`].
#[derive(Debug)]
pub struct AsyncXskSocket {
    inner: AsyncFd<XskSocket>,
}

impl AsyncXskSocket {
    /// Registers `socket` with the current tokio runtime.
    pub fn new(socket: XskSocket) -> Result<AsyncXskSocket> {
        in_runtime("an AsyncXskSocket")?;
        // The descriptor is the socket's own, owned by `socket` and closed only when it is
        // dropped, which the `AsyncFd` does after deregistering; `as_raw_fd` always returns
        // that same descriptor.
        // SAFETY: so the registered descriptor stays open and the same while registered.
        let inner = unsafe {
            AsyncFd::register_with_interest(socket, Interest::READABLE | Interest::WRITABLE)
        }
        .map_err(|e| io_error("AsyncFd::register (AF_XDP socket)", e.into()))?;
        Ok(AsyncXskSocket { inner })
    }

    /// Waits until the RX ring has packets.
    pub async fn rx_ready(&mut self) -> Result<()> {
        loop {
            let mut guard = self
                .inner
                .readable_mut()
                .await
                .map_err(|e| io_error("AsyncFd::readable (AF_XDP socket)", e))?;
            if guard.get_inner().poll_rx(0)? {
                return Ok(());
            }
            guard.clear_ready();
        }
    }

    /// Waits until the TX ring has room (the kernel took descriptors off it; their frames are
    /// then on the completion ring). Polling also kicks transmission in copy mode.
    pub async fn tx_ready(&mut self) -> Result<()> {
        loop {
            let mut guard = self
                .inner
                .writable_mut()
                .await
                .map_err(|e| io_error("AsyncFd::writable (AF_XDP socket)", e))?;
            if guard.get_inner().poll_tx(0)? {
                return Ok(());
            }
            guard.clear_ready();
        }
    }

    /// The socket.
    pub fn get_ref(&self) -> &XskSocket {
        self.inner.get_ref()
    }

    /// The socket, mutably (its rings: [`XskSocket::rings`]).
    pub fn get_mut(&mut self) -> &mut XskSocket {
        self.inner.get_mut()
    }

    /// Deregisters and returns the socket.
    pub fn into_inner(self) -> XskSocket {
        self.inner.into_inner()
    }
}
