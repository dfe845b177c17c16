//! A sending-only `AF_PACKET` raw socket (`<linux/if_packet.h>`): copies of one frame out of
//! one interface with `sendmmsg(2)`, past the qdisc (`PACKET_QDISC_BYPASS`, kernel 3.14).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use crate::error::{last_errno, Error, Result};

/// `SOL_PACKET`.
const SOL_PACKET: i32 = 263;
/// `PACKET_QDISC_BYPASS` (kernel 3.14): transmit straight to the driver, past the qdisc.
const PACKET_QDISC_BYPASS: i32 = 20;
/// The most messages one `sendmmsg` takes (`UIO_MAXIOV`).
pub const MAX_BATCH: usize = 1024;

/// A raw `AF_PACKET` socket of protocol 0 (it receives nothing) bound to one interface, for
/// sending whole Ethernet frames out of it. Closed on drop.
#[derive(Debug)]
pub struct PacketSender {
    fd: OwnedFd,
    ifindex: u32,
}

fn setsockopt_int(
    fd: BorrowedFd<'_>,
    level: i32,
    name: i32,
    value: i32,
) -> std::result::Result<(), i32> {
    // SAFETY: the option value is a live i32 whose size is passed along.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (&value as *const i32).cast(),
            std::mem::size_of::<i32>() as libc::socklen_t,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(last_errno())
    }
}

impl PacketSender {
    /// `socket(AF_PACKET, SOCK_RAW, 0)` bound to `ifindex` (in the calling thread's network
    /// namespace). Protocol 0: the socket is on no receive path, so it costs nothing there.
    pub fn bind(ifindex: u32) -> Result<PacketSender> {
        // SAFETY: socket(2) takes no pointers; the result is checked before use.
        let raw = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW | libc::SOCK_CLOEXEC, 0) };
        if raw < 0 {
            let errno = last_errno();
            return Err(match errno {
                libc::EPERM | libc::EACCES => Error::io_hint(
                    "socket(AF_PACKET)",
                    errno,
                    "raw packet sockets need CAP_NET_RAW, or root",
                ),
                libc::EAFNOSUPPORT => Error::io_hint(
                    "socket(AF_PACKET)",
                    errno,
                    "the kernel has no packet sockets (CONFIG_PACKET)",
                ),
                _ => Error::io("socket(AF_PACKET)", errno),
            });
        }
        // SAFETY: `raw` is a fresh descriptor that nothing else owns.
        let fd = unsafe { super::owned(raw) };
        let ifindex_c = i32::try_from(ifindex)
            .map_err(|_| Error::invalid(format!("ifindex {ifindex} out of range")))?;
        // SAFETY: an all-zero sockaddr_ll is a valid value of the plain C struct.
        let mut addr: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        addr.sll_family = libc::AF_PACKET as u16;
        addr.sll_protocol = 0;
        addr.sll_ifindex = ifindex_c;
        // SAFETY: `addr` is a live sockaddr_ll whose size is passed along.
        let r = unsafe {
            libc::bind(
                fd.as_raw_fd(),
                (&addr as *const libc::sockaddr_ll).cast(),
                std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        };
        if r != 0 {
            let errno = last_errno();
            return Err(match errno {
                libc::ENODEV => Error::io_hint(
                    "bind(AF_PACKET)",
                    errno,
                    format!("no interface has index {ifindex} in this network namespace"),
                ),
                _ => Error::io("bind(AF_PACKET)", errno),
            });
        }
        Ok(PacketSender { fd, ifindex })
    }

    /// The interface the frames leave through.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// `PACKET_QDISC_BYPASS`: hand frames straight to the driver (no queueing discipline, no
    /// tc egress hook); a frame the driver cannot take is dropped, not queued.
    pub fn set_qdisc_bypass(&self, on: bool) -> Result<()> {
        setsockopt_int(
            self.fd.as_fd(),
            SOL_PACKET,
            PACKET_QDISC_BYPASS,
            i32::from(on),
        )
        .map_err(|e| Error::io("setsockopt(PACKET_QDISC_BYPASS)", e))
    }

    /// `SO_SNDBUF` (as root `SO_SNDBUFFORCE`, past `wmem_max`): the bytes of frames the socket
    /// may have in flight (sent, not yet freed by the driver or the receiving end) before a
    /// send waits. The kernel doubles the value for its bookkeeping.
    pub fn set_send_buffer(&self, bytes: usize) -> Result<()> {
        let v = i32::try_from(bytes).unwrap_or(i32::MAX);
        setsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, v)
            .or_else(|_| setsockopt_int(self.fd.as_fd(), libc::SOL_SOCKET, libc::SO_SNDBUF, v))
            .map_err(|e| Error::io("setsockopt(SO_SNDBUF)", e))
    }

    /// `SO_SNDTIMEO`: a send waiting for buffer space gives up after `timeout` with EAGAIN
    /// (and a signal ends the wait with EINTR instead of restarting it).
    pub fn set_send_timeout(&self, timeout: Duration) -> Result<()> {
        let tv = libc::timeval {
            tv_sec: timeout.as_secs().min(i64::MAX as u64) as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: `tv` is a live timeval whose size is passed along.
        let r = unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_SNDTIMEO,
                (&tv as *const libc::timeval).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        };
        if r == 0 {
            Ok(())
        } else {
            Err(Error::io("setsockopt(SO_SNDTIMEO)", last_errno()))
        }
    }

    /// Sends `n` copies of `frame` (a whole Ethernet frame) with one `sendmmsg` (`n` at most
    /// [`MAX_BATCH`]); returns how many the kernel took. Fewer than `n` means the next one
    /// failed: `sendmmsg` reports an error only when the first message fails.
    pub fn send_copies(&self, frame: &[u8], n: usize) -> Result<usize> {
        let n = n.min(MAX_BATCH);
        if n == 0 {
            return Ok(0);
        }
        let mut iov = libc::iovec {
            iov_base: frame.as_ptr() as *mut libc::c_void,
            iov_len: frame.len(),
        };
        let iov_ptr: *mut libc::iovec = &mut iov;
        let mut msgs: Vec<libc::mmsghdr> = (0..n)
            .map(|_| {
                // SAFETY: an all-zero mmsghdr is a valid value of the plain C struct (null
                // pointers, zero lengths).
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_iov = iov_ptr;
                m.msg_hdr.msg_iovlen = 1;
                m
            })
            .collect();
        // SAFETY: `msgs` holds `n` initialised headers, each pointing at the one live iovec,
        // which points at `frame` (the kernel only reads it); all outlive the call.
        let r = unsafe { libc::sendmmsg(self.fd.as_raw_fd(), msgs.as_mut_ptr(), n as u32, 0) };
        if r < 0 {
            let errno = last_errno();
            return Err(match errno {
                libc::ENOBUFS => Error::io_hint(
                    "sendmmsg(AF_PACKET)",
                    errno,
                    "the interface dropped the frame (its transmit queue or its peer's ring was full)",
                ),
                libc::ENETDOWN => Error::io_hint(
                    "sendmmsg(AF_PACKET)",
                    errno,
                    "the interface is down (ip link set IF up)",
                ),
                libc::EMSGSIZE => Error::io_hint(
                    "sendmmsg(AF_PACKET)",
                    errno,
                    "the frame is longer than the interface's MTU plus its link header",
                ),
                _ => Error::io("sendmmsg(AF_PACKET)", errno),
            });
        }
        Ok(r as usize)
    }
}

impl AsFd for PacketSender {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}
