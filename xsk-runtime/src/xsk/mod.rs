//! The AF_XDP half of the runtime: packet memory shared with the kernel, the rings, the
//! sockets, and the whole setup of an interface in one call.
//!
//! The layers, each using only those above it ("UMEM → queue → rings → socket"):
//!
//! ```text
//!  ring        the single-producer/single-consumer ring protocol (libxdp's), as RAII batches
//!  frame       the UMEM's memory as owned Frame tokens
//!  queue       DeviceQueue: per (ifindex, queue) the owner of a UMEM's fill + completion rings
//!  umem        Umem: the memory and its registration (XDP_UMEM_REG), its queues; FreeList
//!  batch       what the typed rings share (batch methods, wake-ups)
//!  rx, completion, fill, tx
//!              the four typed rings: Frames move by value
//!  setup       SocketConfig, BindMode, ring sizes and mappings, bind errors explained
//!  socket      XskSocket: bind to (ifindex, queue), wake-ups, statistics, shared UMEM
//!  wait        PollHandle, XskEpoll: waiting on sockets while their rings stay borrowed
//!  reclaim     closing: a dropped socket's frames come back (Umem::reclaim / close)
//!  interface   XskInterface: UMEM + a socket per queue + XSKMAP + program + attachment
//!  workers     Workers: one pinned thread per queue, stop handle, per-queue statistics
//!  metadata, tx_metadata
//!              XDP RX metadata in front of received packets; TX metadata requests + probe
//! ```

mod batch;
mod completion;
mod fill;
pub mod frame;
pub mod interface;
pub mod metadata;
mod queue;
mod reclaim;
pub mod ring;
mod rx;
mod setup;
pub mod socket;
mod tx;
pub mod tx_metadata;
pub mod umem;
pub mod wait;
pub mod workers;

pub use interface::{
    Queues, RedirectProgram, XskInterface, XskInterfaceConfig, XskQueue, XSKMAP_NAME,
};
pub use workers::{Finished, QueueStats, StopHandle, WorkerContext, Workers, WorkersConfig};
