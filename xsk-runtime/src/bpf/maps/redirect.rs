//! The maps `bpf_redirect_map` redirects through: [`XskMap`] (AF_XDP sockets), [`DevMap`]
//! (interfaces), [`CpuMap`] (CPUs). Their slots hold a `u32` (see the slot plumbing in the
//! parent module).

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use ebpf_dsl::MapType;

use super::{fd_map_spec, Map};
use crate::error::{Error, Result};
use crate::pod::from_bytes;

/// A `BPF_MAP_TYPE_XSKMAP` (kernel 4.18): AF_XDP sockets by index, the target of
/// `bpf_redirect_map(&xsks, ctx->rx_queue_index, 0)`.
///
/// Kernel semantics: the key is (by convention) the RX queue index; the value written from user
/// space is the fd of an AF_XDP socket, which should already be bound to an interface and
/// queue. A descriptor that is not a socket fails with ENOTSOCK, a socket of another family
/// with EOPNOTSUPP (both reported with a hint).
///
/// An AF_XDP socket that is not bound yet: kernels 4.18 to 5.9 refuse it with EOPNOTSUPP
/// unless its RX ring and UMEM are set up (the error's hint says to bind it first); since
/// 5.10 the kernel accepts any AF_XDP socket, and a packet redirected to one that is not bound
/// (or bound to another queue or interface) is dropped — checked per packet, not at update
/// time (tested on 6.18: the update succeeds). No kernel answers EINVAL for that; an EINVAL
/// on an update (bad flags) still carries the "must be bound" hint
/// ([`HINT_XSKMAP_UNBOUND`](crate::error::HINT_XSKMAP_UNBOUND)) because old guides say so.
///
/// User space cannot read the map back (lookup fails with EOPNOTSUPP, which [`XskMap::get`]
/// explains); delete works. A socket's entry disappears when the socket is closed.
#[derive(Debug)]
pub struct XskMap {
    map: Map,
}
typed_common!(XskMap);

impl TryFrom<Map> for XskMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        map.expect(&[MapType::Xskmap], 4, 4)?;
        Ok(XskMap { map })
    }
}

impl XskMap {
    /// Creates an XSKMAP with `max_entries` slots (one per queue you will use).
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::Xskmap, max_entries, 4))?.try_into()
    }

    /// Puts the AF_XDP socket `xsk` (bound already) at `queue`.
    pub fn set(&self, queue: u32, xsk: BorrowedFd<'_>) -> Result<()> {
        self.map.set_slot_fd(queue, xsk)
    }

    /// Removes the socket at `queue`. The kernel reports success for an empty slot too, so
    /// there is nothing to return.
    pub fn remove(&self, queue: u32) -> Result<()> {
        self.map.clear_slot(queue).map(|_| ())
    }

    /// Reads slot `queue` from user space, which the kernel does not support: always an
    /// [`Error::MapOp`] with errno EOPNOTSUPP and a hint saying so (kept so the behaviour is
    /// visible and tested rather than surprising).
    pub fn get(&self, queue: u32) -> Result<u32> {
        let v = self.map.lookup(&queue.to_ne_bytes())?;
        v.as_deref()
            .and_then(from_bytes)
            .ok_or_else(|| self.map.err("BPF_MAP_LOOKUP_ELEM", libc::ENOENT))
    }

    /// Number of slots.
    pub fn len(&self) -> u32 {
        self.map.max_entries()
    }

    /// True if there are no slots.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A `BPF_MAP_TYPE_DEVMAP` (kernel 4.14) or `DEVMAP_HASH` (5.4): interfaces to
/// `bpf_redirect_map` to. Values are an ifindex (4 bytes) or `struct bpf_devmap_val`
/// (ifindex + program fd, 8 bytes, kernel 5.8).
#[derive(Debug)]
pub struct DevMap {
    map: Map,
}
typed_common!(DevMap);

impl TryFrom<Map> for DevMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let vs = if map.value_size() == 8 { 8 } else { 4 };
        map.expect(&[MapType::Devmap, MapType::DevmapHash], 4, vs)?;
        Ok(DevMap { map })
    }
}

impl DevMap {
    /// Creates a DEVMAP with 4-byte values (ifindex only).
    pub fn create(name: &str, max_entries: u32) -> Result<Self> {
        Map::create(&fd_map_spec(name, MapType::Devmap, max_entries, 4))?.try_into()
    }

    /// Sets slot `index` to interface `ifindex` (with `prog`, an XDP program of expected attach
    /// type `BPF_XDP_DEVMAP` to run on the egress device, if the map has 8-byte values).
    pub fn set(&self, index: u32, ifindex: u32, prog: Option<BorrowedFd<'_>>) -> Result<()> {
        let mut v = ifindex.to_ne_bytes().to_vec();
        if self.map.value_size() == 8 {
            let fd: i32 = prog.map_or(-1, |p| p.as_raw_fd());
            v.extend_from_slice(&fd.to_ne_bytes());
        } else if prog.is_some() {
            return Err(Error::invalid(
                "a program per device needs a devmap with 8-byte values (struct bpf_devmap_val)",
            ));
        }
        self.map.set_slot(index, &v)
    }

    /// The ifindex at `index`, or `None` if the slot is empty.
    pub fn get(&self, index: u32) -> Result<Option<u32>> {
        self.map.slot_u32(index)
    }

    /// Empties slot `index`.
    pub fn remove(&self, index: u32) -> Result<bool> {
        self.map.clear_slot(index)
    }
}

/// A `BPF_MAP_TYPE_CPUMAP` (kernel 4.15): CPUs to `bpf_redirect_map` to, keyed by CPU number.
/// Values are the queue size (4 bytes) or `struct bpf_cpumap_val` (queue size + program fd, 8
/// bytes, kernel 5.9).
#[derive(Debug)]
pub struct CpuMap {
    map: Map,
}
typed_common!(CpuMap);

impl TryFrom<Map> for CpuMap {
    type Error = Error;
    fn try_from(map: Map) -> Result<Self> {
        let vs = if map.value_size() == 8 { 8 } else { 4 };
        map.expect(&[MapType::Cpumap], 4, vs)?;
        Ok(CpuMap { map })
    }
}

impl CpuMap {
    /// Creates a CPUMAP with 4-byte values and one slot per possible CPU.
    pub fn create(name: &str) -> Result<Self> {
        let cpus = crate::sys::possible_cpus()?;
        Map::create(&fd_map_spec(name, MapType::Cpumap, cpus, 4))?.try_into()
    }

    /// Enables redirecting to `cpu` with a kthread queue of `queue_size` frames.
    pub fn set(&self, cpu: u32, queue_size: u32) -> Result<()> {
        let mut v = queue_size.to_ne_bytes().to_vec();
        if self.map.value_size() == 8 {
            v.extend_from_slice(&0i32.to_ne_bytes());
        }
        self.map.set_slot(cpu, &v)
    }

    /// The queue size of `cpu`, or `None` if it is not enabled.
    pub fn get(&self, cpu: u32) -> Result<Option<u32>> {
        self.map.slot_u32(cpu)
    }

    /// Disables `cpu`.
    pub fn remove(&self, cpu: u32) -> Result<bool> {
        self.map.clear_slot(cpu)
    }
}
