//! The few kernel ABI structures and constants a user of the crate meets, re-exported from the
//! crate-private system-call layer: the AF_XDP ring descriptor and socket statistics/options
//! (`<linux/if_xdp.h>`), the descriptor option bits, and the `IFLA_XDP` attach flags
//! (`<linux/if_link.h>`). Layouts are checked against the kernel's by `const` size assertions.

pub use crate::sys::netlink::{
    XDP_FLAGS_DRV_MODE, XDP_FLAGS_HW_MODE, XDP_FLAGS_REPLACE, XDP_FLAGS_SKB_MODE,
    XDP_FLAGS_UPDATE_IF_NOEXIST,
};
pub use crate::sys::xdp::{
    XdpDesc, XdpOptions, XdpStatistics, XDP_OPTIONS_ZEROCOPY, XDP_PACKET_HEADROOM, XDP_PKT_CONTD,
    XDP_TX_METADATA, XDP_UMEM_MIN_CHUNK_SIZE,
};
