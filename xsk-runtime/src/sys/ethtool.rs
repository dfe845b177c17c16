//! The one ethtool ioctl the crate makes: `SIOCETHTOOL` with `ETHTOOL_GCHANNELS`, an
//! interface's queue counts as `ethtool -l` shows them.

use std::mem::size_of;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `struct ethtool_channels` of `<linux/ethtool.h>`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
struct EthtoolChannels {
    cmd: u32,
    max_rx: u32,
    max_tx: u32,
    max_other: u32,
    max_combined: u32,
    rx_count: u32,
    tx_count: u32,
    other_count: u32,
    combined_count: u32,
}
const _: () = assert!(size_of::<EthtoolChannels>() == 36);

/// `ETHTOOL_GCHANNELS`.
const ETHTOOL_GCHANNELS: u32 = 0x3c;
/// `SIOCETHTOOL`.
const SIOCETHTOOL: libc::c_ulong = 0x8946;

/// The queue counts of an interface as `ethtool -l` shows them: (RX, TX, combined). `None`
/// if the driver does not report them (`ETHTOOL_GCHANNELS` unsupported).
pub fn channel_counts(ifname: &str) -> Option<(u32, u32, u32)> {
    if ifname.is_empty() || ifname.len() >= libc::IF_NAMESIZE {
        return None;
    }
    // SAFETY: socket(2) takes no pointers; the result is checked.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if raw < 0 {
        return None;
    }
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let sock = unsafe { OwnedFd::from_raw_fd(raw) };
    let mut ch = EthtoolChannels {
        cmd: ETHTOOL_GCHANNELS,
        ..Default::default()
    };
    // SAFETY: ifreq is plain old data; all-zero is a valid value.
    let mut ifr: libc::ifreq = unsafe { std::mem::zeroed() };
    for (dst, src) in ifr.ifr_name.iter_mut().zip(ifname.bytes()) {
        *dst = src as libc::c_char;
    }
    ifr.ifr_ifru.ifru_data = (&mut ch as *mut EthtoolChannels).cast();
    // SAFETY: `ifr` names the interface and points at `ch`, which outlives the call and has
    // the size ETHTOOL_GCHANNELS writes.
    let rc = unsafe { libc::ioctl(sock.as_raw_fd(), SIOCETHTOOL as _, &mut ifr) };
    if rc < 0 {
        return None;
    }
    Some((ch.rx_count, ch.tx_count, ch.combined_count))
}
