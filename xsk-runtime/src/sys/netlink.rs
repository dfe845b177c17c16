//! An rtnetlink socket: attach, replace and detach XDP programs through `IFLA_XDP`, and read
//! what is attached. The messages are written by hand (no library): `struct nlmsghdr`, then
//! `struct ifinfomsg`, then `struct rtattr` attributes, each padded to 4 bytes.
//!
//! The socket asks for extended acks (`NETLINK_EXT_ACK`, kernel 4.12), so a refusal carries the
//! kernel's own sentence (e.g. "native and generic XDP can't be active at the same time").

use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use crate::error::last_errno;

/// `RTM_NEWLINK`.
pub const RTM_NEWLINK: u16 = 16;
/// `RTM_GETLINK`.
pub const RTM_GETLINK: u16 = 18;
/// `RTM_SETLINK`.
pub const RTM_SETLINK: u16 = 19;
/// `NLMSG_ERROR`.
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`.
pub const NLMSG_DONE: u16 = 3;
/// `NLM_F_REQUEST`.
pub const NLM_F_REQUEST: u16 = 1;
/// `NLM_F_ACK`.
pub const NLM_F_ACK: u16 = 4;
/// `NLM_F_ACK_TLVS` (on an error message: TLVs follow).
pub const NLM_F_ACK_TLVS: u16 = 0x200;
/// `NLM_F_CAPPED` (on an error message: the request payload was not echoed).
pub const NLM_F_CAPPED: u16 = 0x100;
/// `NLA_F_NESTED`.
pub const NLA_F_NESTED: u16 = 0x8000;
/// `IFLA_XDP`.
pub const IFLA_XDP: u16 = 43;
/// `IFLA_EXT_MASK`.
pub const IFLA_EXT_MASK: u16 = 29;
/// `RTEXT_FILTER_SKIP_STATS`.
pub const RTEXT_FILTER_SKIP_STATS: u32 = 8;
/// `IFLA_XDP_FD`.
pub const IFLA_XDP_FD: u16 = 1;
/// `IFLA_XDP_ATTACHED`.
pub const IFLA_XDP_ATTACHED: u16 = 2;
/// `IFLA_XDP_FLAGS`.
pub const IFLA_XDP_FLAGS: u16 = 3;
/// `IFLA_XDP_PROG_ID`.
pub const IFLA_XDP_PROG_ID: u16 = 4;
/// `IFLA_XDP_DRV_PROG_ID`.
pub const IFLA_XDP_DRV_PROG_ID: u16 = 5;
/// `IFLA_XDP_SKB_PROG_ID`.
pub const IFLA_XDP_SKB_PROG_ID: u16 = 6;
/// `IFLA_XDP_HW_PROG_ID`.
pub const IFLA_XDP_HW_PROG_ID: u16 = 7;
/// `IFLA_XDP_EXPECTED_FD` (kernel 5.7).
pub const IFLA_XDP_EXPECTED_FD: u16 = 8;
/// `NLMSGERR_ATTR_MSG`.
pub const NLMSGERR_ATTR_MSG: u16 = 1;

/// `XDP_FLAGS_UPDATE_IF_NOEXIST`: fail with EBUSY if a program is attached.
pub const XDP_FLAGS_UPDATE_IF_NOEXIST: u32 = 1;
/// `XDP_FLAGS_SKB_MODE`: generic XDP (kernel 4.12).
pub const XDP_FLAGS_SKB_MODE: u32 = 2;
/// `XDP_FLAGS_DRV_MODE`: native XDP in the driver.
pub const XDP_FLAGS_DRV_MODE: u32 = 4;
/// `XDP_FLAGS_HW_MODE`: offloaded to the NIC.
pub const XDP_FLAGS_HW_MODE: u32 = 8;
/// `XDP_FLAGS_REPLACE` (kernel 5.7): replace only if `IFLA_XDP_EXPECTED_FD` is attached.
pub const XDP_FLAGS_REPLACE: u32 = 16;

/// A netlink failure: the errno and the kernel's extended-ack message, if any.
#[derive(Debug, Clone)]
pub struct NlError {
    /// The errno.
    pub errno: i32,
    /// The extended-ack message.
    pub message: Option<String>,
}

impl From<i32> for NlError {
    fn from(errno: i32) -> NlError {
        NlError {
            errno,
            message: None,
        }
    }
}

/// A `NETLINK_ROUTE` socket.
pub struct RouteSocket {
    fd: OwnedFd,
    seq: u32,
}

fn set_int_opt(fd: &OwnedFd, level: i32, opt: i32, v: i32) -> i32 {
    // SAFETY: `v` is a live c_int and we pass its exact size.
    unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            opt,
            (&v as *const i32).cast(),
            core::mem::size_of::<i32>() as libc::socklen_t,
        )
    }
}

impl RouteSocket {
    /// Opens a route socket in the calling thread's network namespace.
    pub fn open() -> Result<RouteSocket, NlError> {
        RouteSocket::open_protocol(libc::NETLINK_ROUTE)
    }

    /// Opens a netlink socket of `protocol` (`NETLINK_ROUTE`, `NETLINK_GENERIC`, ...) in the
    /// calling thread's network namespace; requests and replies work the same way.
    pub fn open_protocol(protocol: i32) -> Result<RouteSocket, NlError> {
        // SAFETY: plain socket(2) call with constant arguments.
        let raw = unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                protocol,
            )
        };
        if raw < 0 {
            return Err(last_errno().into());
        }
        // SAFETY: socket(2) just returned this descriptor; we are its only owner.
        let fd = unsafe { super::owned(raw) };
        // Extended acks and capped acks are best effort (kernel 4.12 / 4.3).
        let _ = set_int_opt(&fd, libc::SOL_NETLINK, libc::NETLINK_EXT_ACK, 1);
        let _ = set_int_opt(&fd, libc::SOL_NETLINK, libc::NETLINK_CAP_ACK, 1);
        Ok(RouteSocket { fd, seq: 1 })
    }

    /// Opens a route socket in network namespace `ns` (a `/proc/*/ns/net` or `/run/netns/*`
    /// descriptor), or in the calling thread's namespace for `None`. The socket keeps talking
    /// to that namespace whichever thread uses it.
    pub fn open_in(ns: Option<BorrowedFd<'_>>) -> Result<RouteSocket, NlError> {
        let Some(ns) = ns else {
            return RouteSocket::open();
        };
        std::thread::scope(|s| {
            s.spawn(move || {
                super::setns_net(ns)
                    .map_err(|e| NlError::from(e.errno().unwrap_or(libc::EINVAL)))?;
                RouteSocket::open()
            })
            .join()
            .unwrap_or_else(|_| Err(NlError::from(libc::EIO)))
        })
    }

    fn send(&self, msg: &[u8]) -> Result<(), NlError> {
        // SAFETY: an all-zero sockaddr_nl is valid; we set the family (pid 0 = the kernel).
        let mut addr: libc::sockaddr_nl = unsafe { core::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `msg` and `addr` are live for the call and their exact lengths are passed.
        let r = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                msg.as_ptr().cast(),
                msg.len(),
                0,
                (&addr as *const libc::sockaddr_nl).cast(),
                core::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(last_errno().into());
        }
        Ok(())
    }

    fn recv(&self, buf: &mut [u8]) -> Result<usize, NlError> {
        loop {
            // SAFETY: `buf` is a live, writable buffer of the length passed.
            let r =
                unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), 0) };
            if r < 0 {
                let e = last_errno();
                if e == libc::EINTR {
                    continue;
                }
                return Err(e.into());
            }
            return Ok(r as usize);
        }
    }

    /// Sends one request (the header's length, sequence number and pid are filled in here) and
    /// collects the reply messages up to the ack, `NLMSG_DONE`, or the single reply of a
    /// non-dump request. Returns each reply message's (type, payload).
    pub fn request(&mut self, mut msg: Vec<u8>) -> Result<Vec<(u16, Vec<u8>)>, NlError> {
        let seq = self.seq;
        self.seq = self.seq.wrapping_add(1);
        let len = msg.len() as u32;
        if msg.len() < 16 {
            return Err(libc::EINVAL.into());
        }
        msg[0..4].copy_from_slice(&len.to_ne_bytes());
        msg[8..12].copy_from_slice(&seq.to_ne_bytes());
        let flags = u16::from_ne_bytes([msg[6], msg[7]]);
        self.send(&msg)?;
        let wants_ack = flags & NLM_F_ACK != 0;
        let mut out = Vec::new();
        let mut buf = vec![0u8; 65536];
        loop {
            let n = self.recv(&mut buf)?;
            let mut off = 0usize;
            while off + 16 <= n {
                let h = &buf[off..n];
                let mlen = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
                if mlen < 16 || mlen > h.len() {
                    return Err(libc::EBADMSG.into());
                }
                let mtype = u16::from_ne_bytes([h[4], h[5]]);
                let mflags = u16::from_ne_bytes([h[6], h[7]]);
                let mseq = u32::from_ne_bytes([h[8], h[9], h[10], h[11]]);
                let payload = &h[16..mlen];
                off += align4(mlen);
                if mseq != seq {
                    continue;
                }
                match mtype {
                    NLMSG_ERROR => {
                        if payload.len() < 4 {
                            return Err(libc::EBADMSG.into());
                        }
                        let err =
                            i32::from_ne_bytes([payload[0], payload[1], payload[2], payload[3]]);
                        if err == 0 {
                            return Ok(out);
                        }
                        return Err(NlError {
                            errno: -err,
                            message: ext_ack_message(mflags, payload),
                        });
                    }
                    NLMSG_DONE => return Ok(out),
                    _ => {
                        out.push((mtype, payload.to_vec()));
                        if !wants_ack && mflags & 2 == 0 {
                            // Not a multi-part (NLM_F_MULTI) reply: this was the only message.
                            return Ok(out);
                        }
                    }
                }
            }
        }
    }
}

/// The `NLMSGERR_ATTR_MSG` of an error message, if the kernel sent one.
fn ext_ack_message(flags: u16, payload: &[u8]) -> Option<String> {
    if flags & NLM_F_ACK_TLVS == 0 || payload.len() < 20 {
        return None;
    }
    // struct nlmsgerr: error (4) + the request's header (16), plus its payload unless capped.
    let mut off = 4 + 16;
    if flags & NLM_F_CAPPED == 0 {
        let orig_len =
            u32::from_ne_bytes([payload[4], payload[5], payload[6], payload[7]]) as usize;
        off = 4 + align4(orig_len);
    }
    for (t, data) in parse_attrs(payload.get(off..)?) {
        if t == NLMSGERR_ATTR_MSG {
            let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
            return Some(String::from_utf8_lossy(&data[..end]).into_owned());
        }
    }
    None
}

/// Rounds up to the netlink alignment (4 bytes).
pub fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// Iterates `struct rtattr`s: (type without the NESTED/BYTEORDER bits, payload).
pub fn parse_attrs(mut buf: &[u8]) -> Vec<(u16, &[u8])> {
    let mut out = Vec::new();
    while buf.len() >= 4 {
        let len = u16::from_ne_bytes([buf[0], buf[1]]) as usize;
        let t = u16::from_ne_bytes([buf[2], buf[3]]) & 0x3fff;
        if len < 4 || len > buf.len() {
            break;
        }
        out.push((t, &buf[4..len]));
        let next = align4(len).min(buf.len());
        buf = &buf[next..];
    }
    out
}

/// Builds a netlink request: header + `ifinfomsg` for `ifindex`, then attributes.
pub struct LinkMsg {
    buf: Vec<u8>,
}

impl LinkMsg {
    /// A new `RTM_*LINK` request with `flags` for interface `ifindex`.
    pub fn new(msg_type: u16, flags: u16, ifindex: u32) -> LinkMsg {
        let mut buf = Vec::with_capacity(64);
        buf.extend_from_slice(&0u32.to_ne_bytes()); // nlmsg_len, filled by request()
        buf.extend_from_slice(&msg_type.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // seq
        buf.extend_from_slice(&0u32.to_ne_bytes()); // pid
                                                    // struct ifinfomsg
        buf.push(libc::AF_UNSPEC as u8);
        buf.push(0);
        buf.extend_from_slice(&0u16.to_ne_bytes());
        buf.extend_from_slice(&(ifindex as i32).to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes());
        LinkMsg { buf }
    }

    /// Appends an attribute.
    pub fn attr(&mut self, t: u16, data: &[u8]) -> &mut Self {
        let len = (4 + data.len()) as u16;
        self.buf.extend_from_slice(&len.to_ne_bytes());
        self.buf.extend_from_slice(&t.to_ne_bytes());
        self.buf.extend_from_slice(data);
        while !self.buf.len().is_multiple_of(4) {
            self.buf.push(0);
        }
        self
    }

    /// Appends a nested attribute holding `inner` (already encoded attributes).
    pub fn nested(&mut self, t: u16, inner: &LinkMsg) -> &mut Self {
        // `inner` was built with new_nested(): its bytes are attributes only.
        let data = inner.buf.clone();
        self.attr(t | NLA_F_NESTED, &data)
    }

    /// An empty attribute list to fill and pass to [`LinkMsg::nested`].
    pub fn new_nested() -> LinkMsg {
        LinkMsg { buf: Vec::new() }
    }

    /// The encoded message.
    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

/// Sets (or with `fd = -1` removes) the XDP program of `ifindex` with `IFLA_XDP`.
pub fn set_xdp(
    ns: Option<BorrowedFd<'_>>,
    ifindex: u32,
    fd: i32,
    flags: u32,
    expected_fd: Option<i32>,
) -> Result<(), NlError> {
    let mut xdp = LinkMsg::new_nested();
    xdp.attr(IFLA_XDP_FD, &fd.to_ne_bytes());
    let mut f = flags;
    if let Some(e) = expected_fd {
        f |= XDP_FLAGS_REPLACE;
        xdp.attr(IFLA_XDP_EXPECTED_FD, &e.to_ne_bytes());
    }
    if f != 0 {
        xdp.attr(IFLA_XDP_FLAGS, &f.to_ne_bytes());
    }
    let mut m = LinkMsg::new(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
    m.nested(IFLA_XDP, &xdp);
    let mut s = RouteSocket::open_in(ns)?;
    s.request(m.into_bytes())?;
    Ok(())
}

/// What `IFLA_XDP` reports for an interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XdpQueryRaw {
    /// `IFLA_XDP_ATTACHED`: `XDP_ATTACHED_NONE` 0, `DRV` 1, `SKB` 2, `HW` 3, `MULTI` 4.
    pub attached: u8,
    /// `IFLA_XDP_PROG_ID` (the single program, when not MULTI).
    pub prog_id: u32,
    /// `IFLA_XDP_DRV_PROG_ID`.
    pub drv_prog_id: u32,
    /// `IFLA_XDP_SKB_PROG_ID`.
    pub skb_prog_id: u32,
    /// `IFLA_XDP_HW_PROG_ID`.
    pub hw_prog_id: u32,
}

/// Reads `IFLA_XDP` of `ifindex` with `RTM_GETLINK`.
pub fn query_xdp(ns: Option<BorrowedFd<'_>>, ifindex: u32) -> Result<XdpQueryRaw, NlError> {
    let mut m = LinkMsg::new(RTM_GETLINK, NLM_F_REQUEST, ifindex);
    m.attr(IFLA_EXT_MASK, &RTEXT_FILTER_SKIP_STATS.to_ne_bytes());
    let mut s = RouteSocket::open_in(ns)?;
    let replies = s.request(m.into_bytes())?;
    let mut out = XdpQueryRaw::default();
    for (t, payload) in replies {
        if t != RTM_NEWLINK || payload.len() < 16 {
            continue;
        }
        let idx = i32::from_ne_bytes([payload[4], payload[5], payload[6], payload[7]]);
        if idx as u32 != ifindex {
            continue;
        }
        for (at, data) in parse_attrs(&payload[16..]) {
            if at != IFLA_XDP {
                continue;
            }
            for (xt, v) in parse_attrs(data) {
                let u32v = || {
                    v.get(..4)
                        .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
                        .unwrap_or(0)
                };
                match xt {
                    IFLA_XDP_ATTACHED => out.attached = v.first().copied().unwrap_or(0),
                    IFLA_XDP_PROG_ID => out.prog_id = u32v(),
                    IFLA_XDP_DRV_PROG_ID => out.drv_prog_id = u32v(),
                    IFLA_XDP_SKB_PROG_ID => out.skb_prog_id = u32v(),
                    IFLA_XDP_HW_PROG_ID => out.hw_prog_id = u32v(),
                    _ => {}
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attrs_roundtrip() {
        let mut inner = LinkMsg::new_nested();
        inner.attr(IFLA_XDP_FD, &(-1i32).to_ne_bytes());
        inner.attr(IFLA_XDP_ATTACHED, &[2]);
        let mut m = LinkMsg::new(RTM_SETLINK, NLM_F_REQUEST, 7);
        m.nested(IFLA_XDP, &inner);
        let b = m.into_bytes();
        assert_eq!(b.len() % 4, 0);
        let attrs = parse_attrs(&b[32..]);
        assert_eq!(attrs.len(), 1);
        assert_eq!(attrs[0].0, IFLA_XDP);
        let xs = parse_attrs(attrs[0].1);
        assert_eq!(xs[0], (IFLA_XDP_FD, &(-1i32).to_ne_bytes()[..]));
        assert_eq!(xs[1], (IFLA_XDP_ATTACHED, &[2u8][..]));
        // Malformed input never panics.
        assert!(parse_attrs(&[0xff, 0xff, 1]).is_empty());
        assert!(parse_attrs(&[2, 0, 1, 0]).is_empty());
    }

    #[test]
    fn query_loopback_has_nothing_attached() {
        // Unprivileged: reading link attributes needs no capability.
        let idx = crate::sys::if_nametoindex("lo").unwrap();
        let q = query_xdp(None, idx).unwrap();
        assert_eq!(q.attached, 0, "{q:?}");
    }
}
