//! XDP RX metadata on the AF_XDP side: what an XDP program wrote in front of the packet with
//! `bpf_xdp_adjust_meta` before redirecting it to the socket.
//!
//! # Frame layout
//!
//! The kernel puts a packet's data `XDP_PACKET_HEADROOM` (256) + the UMEM's headroom bytes
//! into its frame ([`RxPacket::offset`]), and the metadata (at most 32 bytes, a multiple of 4)
//! directly in front of the data, so it always fits in the frame; no extra UMEM headroom is
//! needed. In copy mode (veth, drivers without zero-copy) the kernel copies the metadata along
//! with the data; in zero-copy mode the driver's buffer already holds it. With multi-buffer
//! (`XDP_USE_SG`) only the first descriptor of a packet has metadata.
//!
//! The metadata is only what the program wrote: nothing in the descriptor says whether there is
//! any, so the reader must know the program (here: the layout of
//! [`ebpf_dsl::xdp::metadata::write_rx_metadata`], decoded as [`XdpRxMeta`]). The kfuncs that
//! produce it need a device-bound program: see [`crate::bpf::kfunc`].

pub use ebpf_dsl::xdp::metadata::{XdpRxMeta, RX_META_LEN};

use super::umem::{RxPacket, Umem};

impl Umem {
    /// The RX timestamp and hash [`ebpf_dsl::xdp::metadata::write_rx_metadata`] wrote in
    /// front of `packet` (`None` if the frame has no room for them before the data).
    ///
    /// # Panics
    /// If `packet` belongs to another UMEM.
    pub fn rx_metadata(&self, packet: &RxPacket) -> Option<XdpRxMeta> {
        self.packet_metadata(packet, RX_META_LEN)
            .and_then(XdpRxMeta::parse)
    }
}
