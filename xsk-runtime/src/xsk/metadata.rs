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
//!
//! # A kernel without `bpf_xdp_adjust_meta`
//!
//! A kernel can be built or patched to withhold `bpf_xdp_adjust_meta` (helper #54) from XDP
//! programs though its release has it: its verifier then refuses every program that calls it
//! ("program of this type cannot use helper bpf_xdp_adjust_meta#54"), so no metadata reaches
//! AF_XDP this way. [`check_rx_metadata_support`] asks the running kernel (the probe of
//! [`crate::features::unavailable_helpers`], never its version) and gives the typed
//! [`Error::HelperUnavailable`] with what still works ([`HINT_NO_ADJUST_META`]); call it before
//! loading a program built with [`ebpf_dsl::xdp::metadata::write_rx_metadata`]. A load refused
//! anyway is an [`Error::Verifier`] whose [`Error::withheld_helper`] is 54.

pub use ebpf_dsl::xdp::metadata::{XdpRxMeta, RX_META_LEN};

use ebpf_dsl::ProgramType;

use super::umem::{RxPacket, Umem};
use crate::error::{Error, Result};

/// `bpf_xdp_adjust_meta`'s id (`BPF_FUNC_xdp_adjust_meta`), the helper that makes the
/// metadata area in front of the packet.
pub const BPF_FUNC_XDP_ADJUST_META: u32 = 54;

/// What still works on a kernel that withholds `bpf_xdp_adjust_meta` from XDP programs (the
/// hint of [`check_rx_metadata_support`]'s error).
pub const HINT_NO_ADJUST_META: &str =
    "no XDP program can put RX metadata in front of the packet on this kernel, so none \
     reaches AF_XDP user space (Umem::rx_metadata has nothing to read). Still working: AF_XDP \
     receive and transmit with programs that do not call it, device-bound programs and the \
     RX metadata kfuncs themselves (bpf_xdp_metadata_rx_hash / _rx_timestamp; their results \
     can go to a map), TX metadata (tx_metadata_len), and software timestamps taken when a \
     packet comes off the RX ring (xsk-capture falls back to those). For RX metadata in \
     AF_XDP, run a kernel that offers bpf_xdp_adjust_meta to XDP programs \
     (xsk_runtime::features::unavailable_helpers(ProgramType::Xdp) lists what the running \
     kernel withholds)";

/// Whether the running kernel lets XDP programs make the metadata area that
/// [`ebpf_dsl::xdp::metadata::write_rx_metadata`] fills: `Ok` if it offers
/// `bpf_xdp_adjust_meta` to XDP programs, else [`Error::HelperUnavailable`] naming the helper,
/// `needed_by` and what still works ([`HINT_NO_ADJUST_META`]). Decided by the probe of
/// [`crate::features::unavailable_helpers`] (cached: about 200 tiny loads the first time in
/// a process), never by the kernel's version; its errors (no privileges, no `bpf(2)`) are
/// passed on.
pub fn check_rx_metadata_support(needed_by: &str) -> Result<()> {
    let withheld = crate::features::unavailable_helpers(ProgramType::Xdp)?;
    if withheld.contains(&BPF_FUNC_XDP_ADJUST_META) {
        return Err(Error::HelperUnavailable {
            needed_by: needed_by.to_owned().into(),
            prog_type: ProgramType::Xdp,
            helper: BPF_FUNC_XDP_ADJUST_META,
            hint: HINT_NO_ADJUST_META.into(),
        });
    }
    Ok(())
}

impl Umem {
    /// The RX timestamp and hash [`ebpf_dsl::xdp::metadata::write_rx_metadata`] wrote in
    /// front of `packet` (`None` if the frame has no room for them before the data). Only
    /// meaningful if the XDP program wrote them, which needs `bpf_xdp_adjust_meta`
    /// ([`check_rx_metadata_support`]).
    ///
    /// # Panics
    /// If `packet` belongs to another UMEM.
    pub fn rx_metadata(&self, packet: &RxPacket) -> Option<XdpRxMeta> {
        self.packet_metadata(packet, RX_META_LEN)
            .and_then(XdpRxMeta::parse)
    }
}
