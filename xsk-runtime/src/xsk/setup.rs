//! Setting up a socket: its configuration ([`SocketConfig`], [`BindMode`]), the ring sizes
//! set on its fd and the rings mapped from it (everything of a bind but the bind itself), and
//! the errors a bind can meet, explained.

use std::os::fd::{BorrowedFd, OwnedFd};
use std::sync::Arc;

use super::completion::CompletionRing;
use super::fill::FillRing;
use super::ring::{Consumer, MmapRing, Producer};
use super::rx::RxRing;
use super::tx::TxRing;
use super::umem::{RingSizes, Umem};
use crate::error::{Error, Result};
use crate::sys::mmap::Mmap;
use crate::sys::xdp::{
    self, XdpDesc, SOL_XDP, XDP_PGOFF_RX_RING, XDP_PGOFF_TX_RING, XDP_RX_RING, XDP_TX_RING,
    XDP_UMEM_COMPLETION_RING, XDP_UMEM_FILL_RING, XDP_UMEM_PGOFF_COMPLETION_RING,
    XDP_UMEM_PGOFF_FILL_RING,
};

/// Copy or zero-copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BindMode {
    /// No flag: the kernel uses zero-copy if the driver supports it, else copy mode.
    #[default]
    Auto,
    /// `XDP_COPY`: always copy mode (works on every interface, kernel 5.0).
    Copy,
    /// `XDP_ZEROCOPY`: zero-copy or an error ("driver does not support zero-copy"); veth and
    /// other drivers without AF_XDP zero-copy support refuse it.
    ZeroCopy,
    /// Try `XDP_ZEROCOPY`; if the driver refuses, bind in copy mode. Unlike [`Auto`](Self::Auto),
    /// [`XskSocket::zero_copy_refused`](super::socket::XskSocket::zero_copy_refused) then tells
    /// that this happened.
    ZeroCopyOrCopy,
}

/// How to set up an [`XskSocket`](super::socket::XskSocket). Ring sizes are numbers of entries,
/// powers of two; a size of 0 leaves that ring out (a socket needs RX or TX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketConfig {
    /// RX ring entries (0: no RX ring). Default 2048.
    pub rx_size: u32,
    /// TX ring entries (0: no TX ring). Default 2048.
    pub tx_size: u32,
    /// Fill ring entries. Default 2048. Ignored for a socket that shares the fill ring of a
    /// socket on the same queue.
    pub fill_size: u32,
    /// Completion ring entries. Default 2048. Ignored like `fill_size`.
    pub completion_size: u32,
    /// Copy or zero-copy. Ignored for the second and later sockets of a UMEM (inherited).
    pub mode: BindMode,
    /// Bind with `XDP_USE_NEED_WAKEUP` (kernel 5.4). Default true. Inherited like `mode`.
    pub need_wakeup: bool,
    /// Bind with `XDP_USE_SG`: receive and send packets larger than a frame as several
    /// descriptors (kernel 6.6). Default false. Inherited like `mode`.
    pub multi_buffer: bool,
    /// How long [`XskSocket::bind`](super::socket::XskSocket::bind) keeps trying while the
    /// queue is busy (`EBUSY`) before it fails. The kernel lets go of the queue of a closed
    /// socket asynchronously (its buffer pool is released in deferred work): measured on Linux
    /// 6.18 in a veth namespace, a bind 0.1 ms after the previous socket of the queue was
    /// dropped found it busy for 11 to 24 ms, every time. A program restarted at once, or
    /// one that closes and opens its socket again, would fail without this wait; a queue held
    /// by a live socket (another process's, or one of this process with another UMEM) stays
    /// busy, and the bind fails with `EBUSY` and its hint once this time has passed. Default
    /// 250 ms; `Duration::ZERO` fails at the first `EBUSY`, as
    /// libxdp's `xsk_socket__create` does. Ignored for the second and later sockets of a
    /// UMEM.
    pub busy_wait: std::time::Duration,
}

/// [`SocketConfig::busy_wait`]'s default: ten times the longest release measured.
pub const DEFAULT_BUSY_WAIT: std::time::Duration = std::time::Duration::from_millis(250);

impl Default for SocketConfig {
    fn default() -> Self {
        SocketConfig {
            rx_size: 2048,
            tx_size: 2048,
            fill_size: 2048,
            completion_size: 2048,
            mode: BindMode::Auto,
            need_wakeup: true,
            multi_buffer: false,
            busy_wait: DEFAULT_BUSY_WAIT,
        }
    }
}

impl SocketConfig {
    /// Checks the ring sizes: each a power of two (or 0 for RX/TX), at least one of RX and TX.
    pub fn validate(&self) -> Result<()> {
        for (name, size, optional) in [
            ("RX", self.rx_size, true),
            ("TX", self.tx_size, true),
            ("fill", self.fill_size, false),
            ("completion", self.completion_size, false),
        ] {
            if size == 0 && optional {
                continue;
            }
            if !size.is_power_of_two() {
                return Err(Error::invalid(format!(
                    "{name} ring size {size} is not a power of two (the kernel takes 2^n entries, \
                     e.g. {})",
                    size.checked_next_power_of_two().unwrap_or(1 << 31).max(1)
                )));
            }
        }
        if self.rx_size == 0 && self.tx_size == 0 {
            return Err(Error::invalid(
                "a socket needs an RX ring, a TX ring, or both (rx_size and tx_size are 0)",
            ));
        }
        Ok(())
    }
}

/// The rings of a socket being set up: fill and completion (if `with_fill`), RX, TX.
type SocketRings = (
    Option<FillRing>,
    Option<CompletionRing>,
    Option<RxRing>,
    Option<TxRing>,
);

/// Sets the ring sizes on `fd` and maps the rings (everything of a bind but the bind).
///
/// `sizes` holds what is set on `fd` already (by an earlier bind of the UMEM's own socket that
/// failed) and is updated as rings are set: a ring is set once per socket, so one that is set
/// must be asked for with the same size and is only mapped.
pub(super) fn setup_rings(
    umem: &Umem,
    fd: BorrowedFd<'_>,
    own_fd: Option<&Arc<OwnedFd>>,
    config: &SocketConfig,
    with_fill: bool,
    need_wakeup: bool,
    sizes: &mut RingSizes,
) -> Result<SocketRings> {
    if with_fill {
        ensure_ring_size(fd, XDP_UMEM_FILL_RING, config.fill_size, &mut sizes.fill)?;
        ensure_ring_size(
            fd,
            XDP_UMEM_COMPLETION_RING,
            config.completion_size,
            &mut sizes.completion,
        )?;
    }
    ensure_ring_size(fd, XDP_RX_RING, config.rx_size, &mut sizes.rx)?;
    ensure_ring_size(fd, XDP_TX_RING, config.tx_size, &mut sizes.tx)?;
    let off = xdp::mmap_offsets(fd)?;
    let (fill, completion) = if with_fill {
        let fr = map_ring::<u64>(
            fd,
            &off.fr,
            config.fill_size,
            XDP_UMEM_PGOFF_FILL_RING,
            "mmap(fill ring)",
        )?;
        let cr = map_ring::<u64>(
            fd,
            &off.cr,
            config.completion_size,
            XDP_UMEM_PGOFF_COMPLETION_RING,
            "mmap(completion ring)",
        )?;
        (
            Some(FillRing {
                ring: Producer::new(fr),
                umem: umem.clone(),
                fd: own_fd.cloned(),
                need_wakeup,
                filled: 0,
                rolled_back: Vec::new(),
            }),
            Some(CompletionRing {
                ring: Consumer::new(cr),
                umem: umem.clone(),
                completed: 0,
                invalid: 0,
            }),
        )
    } else {
        (None, None)
    };
    let rx = if config.rx_size > 0 {
        let r = map_ring::<XdpDesc>(
            fd,
            &off.rx,
            config.rx_size,
            XDP_PGOFF_RX_RING,
            "mmap(RX ring)",
        )?;
        Some(RxRing {
            ring: Consumer::new(r),
            umem: umem.clone(),
            received: 0,
            invalid: 0,
        })
    } else {
        None
    };
    let tx = if config.tx_size > 0 {
        let r = map_ring::<XdpDesc>(
            fd,
            &off.tx,
            config.tx_size,
            XDP_PGOFF_TX_RING,
            "mmap(TX ring)",
        )?;
        Some(TxRing {
            ring: Producer::new(r),
            umem: umem.clone(),
            fd: own_fd.cloned(),
            need_wakeup,
            transmitted: 0,
            rolled_back: Vec::new(),
        })
    } else {
        None
    };
    Ok((fill, completion, rx, tx))
}

/// Sets ring `opt` to `want` entries (0: no ring) unless `set` says it has that size already.
fn ensure_ring_size(fd: BorrowedFd<'_>, opt: i32, want: u32, set: &mut u32) -> Result<()> {
    let name = match opt {
        XDP_UMEM_FILL_RING => "fill",
        XDP_UMEM_COMPLETION_RING => "completion",
        XDP_RX_RING => "RX",
        _ => "TX",
    };
    if *set == want {
        return Ok(());
    }
    if *set != 0 {
        return Err(Error::invalid(format!(
            "an earlier bind with this UMEM failed after setting the {name} ring of the UMEM's \
             own socket to {} entries, which the kernel does not let change: bind again with \
             a {name} ring of {} entries, or create a new Umem",
            *set, *set
        )));
    }
    set_ring_size(fd, opt, want, name)?;
    *set = want;
    Ok(())
}

fn set_ring_size(fd: BorrowedFd<'_>, opt: i32, size: u32, name: &'static str) -> Result<()> {
    let op = match opt {
        XDP_UMEM_FILL_RING => "setsockopt(XDP_UMEM_FILL_RING)",
        XDP_UMEM_COMPLETION_RING => "setsockopt(XDP_UMEM_COMPLETION_RING)",
        XDP_RX_RING => "setsockopt(XDP_RX_RING)",
        _ => "setsockopt(XDP_TX_RING)",
    };
    xdp::setsockopt_u32(fd, SOL_XDP, opt, size, op).map_err(|e| match e.errno() {
        Some(libc::EINVAL) => Error::io_hint(
            op,
            libc::EINVAL,
            format!(
                "the kernel refused a {name} ring of {size} entries: it must be a power of two, \
                 and set only once per socket"
            ),
        ),
        Some(libc::ENOMEM) => Error::io_hint(
            op,
            libc::ENOMEM,
            format!("no memory for a {name} ring of {size} entries: use a smaller ring"),
        ),
        _ => e,
    })
}

fn map_ring<T: Copy>(
    fd: BorrowedFd<'_>,
    off: &xdp::XdpRingOffset,
    entries: u32,
    pgoff: i64,
    op: &'static str,
) -> Result<MmapRing<T>> {
    let len = MmapRing::<T>::map_len(off, entries);
    let map = Mmap::ring(fd, len, pgoff, op)?;
    MmapRing::new(map, off, entries)
}

pub(super) fn bind_error(
    umem: &Umem,
    errno: i32,
    ifindex: u32,
    queue: u32,
    config: &SocketConfig,
    shared: bool,
) -> Error {
    // Interface names and queue counts as the socket's namespace sees them.
    let (name, counts) = umem.in_netns(|| {
        let name = crate::sys::if_indextoname(ifindex).ok();
        let counts = name
            .as_deref()
            .and_then(crate::sys::ethtool::channel_counts);
        (name, counts)
    });
    let iface = match &name {
        Some(n) => format!("`{n}` (ifindex {ifindex})"),
        None => format!("ifindex {ifindex}"),
    };
    let hint: String = match errno {
        libc::ENODEV => {
            format!("no interface {iface} in this network namespace")
        }
        libc::EINVAL => match counts {
            // The queue exists: the kernel refused the flags (XDP_USE_SG before 6.6, seen on
            // Debian's 6.1, was reported as a missing queue).
            Some((rx, tx, combined)) if queue < rx.max(combined) && queue < tx.max(combined) => {
                if config.multi_buffer {
                    format!(
                        "queue {queue} exists on {iface}: this kernel does not know \
                         XDP_USE_SG (multi-buffer AF_XDP needs Linux 6.6), or another bind \
                         flag is invalid for it"
                    )
                } else {
                    format!("queue {queue} exists on {iface}: the bind flags are invalid for this kernel")
                }
            }
            Some((rx, tx, combined)) => format!(
                "queue {queue} does not exist on {iface}: it has {} RX and {} TX queues \
                     ({rx} rx, {tx} tx, {combined} combined; see `ethtool -l`); queues are \
                     numbered from 0",
                rx.max(combined),
                tx.max(combined)
            ),
            None => format!(
                "queue {queue} does not exist on {iface} (see `ethtool -l`), or the flags are \
                     invalid for this kernel"
            ),
        },
        libc::EOPNOTSUPP if config.mode == BindMode::ZeroCopy && !shared => format!(
            "the driver of {iface} does not support zero-copy AF_XDP (veth never does): bind with \
             BindMode::Copy, or BindMode::ZeroCopyOrCopy to fall back"
        ),
        libc::EOPNOTSUPP if config.multi_buffer && !shared => format!(
            "{iface} or this kernel does not support multi-buffer AF_XDP (XDP_USE_SG, kernel 6.6)"
        ),
        libc::EBUSY if !shared => format!(
            "queue {queue} of {iface} already has an AF_XDP socket with another UMEM (or XDP \
             program mode conflicts); close it or share its UMEM. It stayed busy for the {} ms \
             of SocketConfig::busy_wait (a closed socket's queue is released asynchronously, \
             within ~25 ms), so a live socket holds it",
            config.busy_wait.as_millis()
        ),
        libc::EBUSY => format!(
            "queue {queue} of {iface} already has an AF_XDP socket with another UMEM (or XDP \
             program mode conflicts); close it or share its UMEM"
        ),
        libc::EBADF if shared => {
            "the UMEM's first socket is not bound: bind it before sharing the UMEM".to_string()
        }
        libc::EPERM | libc::EACCES => {
            "AF_XDP sockets need CAP_NET_RAW (and CAP_NET_ADMIN for XDP), or root".to_string()
        }
        _ => format!("binding to queue {queue} of {iface} failed"),
    };
    Error::io_hint("bind(AF_XDP)", errno, hint)
}
