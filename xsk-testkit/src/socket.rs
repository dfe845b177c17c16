//! Socket settings tests need so that what they count is what was sent, not what a busy
//! machine's scheduler let through.

use std::os::fd::AsFd;

use nix::sys::socket::{setsockopt, sockopt};
use xsk_runtime::{Error, Result};

/// Gives a receiving socket a buffer of at least `bytes`, so that a burst of datagrams sent
/// faster than the test's reader runs waits in the socket instead of being dropped (the
/// default, `net.core.rmem_default`, holds about a hundred small datagrams). As root the
/// `rmem_max` cap does not apply (`SO_RCVBUFFORCE`); otherwise `SO_RCVBUF`, up to that cap.
pub fn grow_receive_buffer(socket: &impl AsFd, bytes: usize) -> Result<()> {
    let fd = socket.as_fd();
    if setsockopt(&fd, sockopt::RcvBufForce, &bytes).is_ok() {
        return Ok(());
    }
    setsockopt(&fd, sockopt::RcvBuf, &bytes)
        .map_err(|e| Error::io("setsockopt(SO_RCVBUF)", e as i32))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::socket::getsockopt;

    #[test]
    fn the_buffer_grows() {
        let s = std::net::UdpSocket::bind(("127.0.0.1", 0)).unwrap();
        let before = getsockopt(&s, sockopt::RcvBuf).unwrap();
        grow_receive_buffer(&s, 4 << 20).unwrap();
        let after = getsockopt(&s, sockopt::RcvBuf).unwrap();
        // As root the kernel doubles the forced size; without root it is capped by rmem_max,
        // which is at least the default.
        assert!(after >= before, "{before} -> {after}");
        if crate::is_root() {
            assert!(after >= 4 << 20, "{after}");
        }
    }
}
