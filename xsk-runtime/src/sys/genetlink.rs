//! Generic netlink, written by hand like [`super::netlink`]: resolving a family id by name
//! (`nlctrl`'s `CTRL_CMD_GETFAMILY`) and the `netdev` family's `dev-get` (kernel 6.3, the
//! `xsk-features` attribute 6.8; `Documentation/netlink/specs/netdev.yaml`): what an interface
//! says about its XDP features, XDP RX metadata kfuncs and AF_XDP TX metadata offloads.
//! Messages: `struct nlmsghdr`, `struct genlmsghdr` (cmd, version, 2 reserved bytes), then
//! attributes. No `unsafe` here: the socket is [`RouteSocket`] opened for `NETLINK_GENERIC`.

use super::netlink::{align4, parse_attrs, NlError, RouteSocket, NLM_F_REQUEST};

/// `GENL_ID_CTRL`: the family id of `nlctrl`.
const GENL_ID_CTRL: u16 = 0x10;
/// `CTRL_CMD_GETFAMILY`.
const CTRL_CMD_GETFAMILY: u8 = 3;
/// `CTRL_ATTR_FAMILY_ID` (u16).
const CTRL_ATTR_FAMILY_ID: u16 = 1;
/// `CTRL_ATTR_FAMILY_NAME` (string).
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
/// `NETDEV_CMD_DEV_GET`.
const NETDEV_CMD_DEV_GET: u8 = 1;
/// `NETDEV_A_DEV_IFINDEX` (u32).
const NETDEV_A_DEV_IFINDEX: u16 = 1;
/// `NETDEV_A_DEV_XDP_FEATURES` (u64, `enum netdev_xdp_act`).
const NETDEV_A_DEV_XDP_FEATURES: u16 = 3;
/// `NETDEV_A_DEV_XDP_ZC_MAX_SEGS` (u32).
const NETDEV_A_DEV_XDP_ZC_MAX_SEGS: u16 = 4;
/// `NETDEV_A_DEV_XDP_RX_METADATA_FEATURES` (u64, `enum netdev_xdp_rx_metadata`, kernel 6.8).
const NETDEV_A_DEV_XDP_RX_METADATA_FEATURES: u16 = 5;
/// `NETDEV_A_DEV_XSK_FEATURES` (u64, `enum netdev_xsk_flags`, kernel 6.8).
const NETDEV_A_DEV_XSK_FEATURES: u16 = 6;

/// What `netdev dev-get` answered for one interface; `None` for attributes the kernel did not
/// send (older kernels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetdevInfo {
    /// `xdp-features` (`NETDEV_XDP_ACT_*`).
    pub xdp_features: Option<u64>,
    /// `xdp-zc-max-segs`.
    pub xdp_zc_max_segs: Option<u32>,
    /// `xdp-rx-metadata-features` (`NETDEV_XDP_RX_METADATA_*`).
    pub xdp_rx_metadata_features: Option<u64>,
    /// `xsk-features` (`NETDEV_XSK_FLAGS_*`).
    pub xsk_features: Option<u64>,
}

/// A request: `nlmsghdr` (length and sequence filled in by [`RouteSocket::request`]) +
/// `genlmsghdr`, then attributes.
fn genl_msg(family: u16, cmd: u8, attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut b = Vec::with_capacity(64);
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&family.to_ne_bytes());
    b.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&0u32.to_ne_bytes());
    b.extend_from_slice(&[cmd, 1, 0, 0]);
    for (t, data) in attrs {
        b.extend_from_slice(&((4 + data.len()) as u16).to_ne_bytes());
        b.extend_from_slice(&t.to_ne_bytes());
        b.extend_from_slice(data);
        b.resize(align4(b.len()), 0);
    }
    b
}

/// The attributes of the first reply (after its `genlmsghdr`).
fn reply_attrs(replies: &[(u16, Vec<u8>)]) -> Result<Vec<(u16, Vec<u8>)>, NlError> {
    let (_, payload) = replies.first().ok_or(NlError::from(libc::EBADMSG))?;
    let attrs = payload.get(4..).ok_or(NlError::from(libc::EBADMSG))?;
    Ok(parse_attrs(attrs)
        .into_iter()
        .map(|(t, d)| (t, d.to_vec()))
        .collect())
}

/// The id of generic netlink family `name`; `ENOENT` if the kernel has no such family.
pub fn family_id(sock: &mut RouteSocket, name: &str) -> Result<u16, NlError> {
    let mut n = name.as_bytes().to_vec();
    n.push(0);
    let replies = sock.request(genl_msg(
        GENL_ID_CTRL,
        CTRL_CMD_GETFAMILY,
        &[(CTRL_ATTR_FAMILY_NAME, &n)],
    ))?;
    reply_attrs(&replies)?
        .into_iter()
        .find(|(t, d)| *t == CTRL_ATTR_FAMILY_ID && d.len() >= 2)
        .map(|(_, d)| u16::from_ne_bytes([d[0], d[1]]))
        .ok_or(NlError::from(libc::EBADMSG))
}

fn u64_of(d: &[u8]) -> Option<u64> {
    let b: [u8; 8] = d.get(..8)?.try_into().ok()?;
    Some(u64::from_ne_bytes(b))
}

/// `netdev dev-get` for interface `ifindex` of the calling thread's network namespace.
/// `ENOENT` from the family lookup: no `netdev` family (kernel before 6.3); `ENODEV`: no such
/// interface.
pub fn netdev_dev_get(ifindex: u32) -> Result<NetdevInfo, NlError> {
    let mut sock = RouteSocket::open_protocol(libc::NETLINK_GENERIC)?;
    let family = family_id(&mut sock, "netdev")?;
    let replies = sock.request(genl_msg(
        family,
        NETDEV_CMD_DEV_GET,
        &[(NETDEV_A_DEV_IFINDEX, &ifindex.to_ne_bytes())],
    ))?;
    let mut info = NetdevInfo::default();
    for (t, d) in reply_attrs(&replies)? {
        match t {
            NETDEV_A_DEV_XDP_FEATURES => info.xdp_features = u64_of(&d),
            NETDEV_A_DEV_XDP_ZC_MAX_SEGS => {
                info.xdp_zc_max_segs = d
                    .get(..4)
                    .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
            }
            NETDEV_A_DEV_XDP_RX_METADATA_FEATURES => info.xdp_rx_metadata_features = u64_of(&d),
            NETDEV_A_DEV_XSK_FEATURES => info.xsk_features = u64_of(&d),
            _ => {}
        }
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let m = genl_msg(0x10, 3, &[(2, b"netdev\0")]);
        // 16 header + 4 genl + 4 attr header + 7 name + 1 pad.
        assert_eq!(m.len(), 32);
        assert_eq!(&m[16..20], &[3, 1, 0, 0]);
        assert_eq!(u16::from_ne_bytes([m[20], m[21]]), 11);
        assert_eq!(&m[24..31], b"netdev\0");
    }
}
