//! The whole AF_XDP setup of the guides in one call: [`XskInterface`].
//!
//! The step-by-step section of the AF_XDP guides, in order:
//!
//! 1. create a UMEM and register it (`XDP_UMEM_REG`) — [`Umem::new`];
//! 2. create one AF_XDP socket per receive queue, sharing the UMEM, with its rings, bound to
//!    (interface, queue) — [`XskSocket::bind`];
//! 3. give each socket's fill ring empty frames — [`crate::xsk::socket::FillRing::fill_from`];
//! 4. create an XSKMAP and enter each socket at its queue index — [`XskMap::set`];
//! 5. load an XDP program that redirects packets to the XSKMAP by `rx_queue_index`;
//! 6. attach it to the interface (bpf_link first) — [`XdpAttachment::attach`].
//!
//! [`XskInterface::open`] does all six; dropping the [`XskInterface`] undoes them in reverse
//! (detaches the program first, so no packet is redirected to a closing socket, then closes
//! the sockets, the map, the program and the UMEM).
//!
//! ```no_run
//! use xsk_runtime::xsk::{RedirectProgram, XskInterface, XskInterfaceConfig};
//!
//! let config = XskInterfaceConfig { program: RedirectProgram::Udp, ..Default::default() };
//! let mut xsk = XskInterface::open("eth0", &config)?;
//! let umem = xsk.umem().clone();
//! loop {
//!     for q in xsk.queues_mut() {
//!         let queue = q.queue();
//!         let rings = q.socket.rings();
//!         let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else { continue };
//!         fill.fill_from(&mut q.free, 64);
//!         fill.wake_if_needed()?;
//!         let mut batch = rx.recv(64);
//!         for packet in batch.by_ref() {
//!             println!("queue {queue}: {} bytes", umem.packet(&packet).len());
//!             let _ = q.free.push(packet.into_frame());
//!         }
//!         batch.release();
//!     }
//! #   break;
//! }
//! # Ok::<(), xsk_runtime::Error>(())
//! ```
//!
//! # AF_XDP in one page
//!
//! - **UMEM**: user memory cut into frames, shared with the kernel; rings carry offsets into
//!   it ([`crate::xsk::umem`]).
//! - **Four rings**: fill (frames for the kernel to receive into), RX (received packets), TX
//!   (packets to send), completion (sent frames coming back) — single-producer/single-consumer
//!   queues in shared memory, driven by the protocol in [`crate::xsk::ring`].
//! - **XSKMAP**: the map an XDP program redirects into; key = queue index, value = socket.
//! - **Copy vs zero-copy**: with driver support the NIC writes into the UMEM directly
//!   (zero-copy); otherwise (veth, most virtual NICs) the kernel copies
//!   ([`crate::xsk::socket::BindMode`]).
//! - **need_wakeup**: the kernel says when it needs a syscall; otherwise the data path makes
//!   none ([`crate::xsk::socket`]).
//!
//! | feature | minimum kernel |
//! |---|---|
//! | AF_XDP, XSKMAP, copy mode, shared UMEM on one queue | 4.18 |
//! | zero-copy, `XDP_COPY`/`XDP_ZEROCOPY` | 5.0 |
//! | `XDP_OPTIONS` | 5.3 |
//! | need_wakeup, unaligned chunks | 5.4 |
//! | bpf_link for XDP | 5.9 |
//! | shared UMEM across queues and interfaces | 5.10 |
//! | busy polling for AF_XDP | 5.11 |
//! | multi-buffer (`XDP_USE_SG`) | 6.6 |
//! | `XDP_MAX_TX_SKB_BUDGET` | 6.17 |

use ebpf_dsl::{Item, ProgramSpec, ProgramType};

use crate::bpf::attach::{AttachOptions, XdpAttachment};
use crate::bpf::loader::{Loaded, Loader};
use crate::bpf::maps::typed::MapSelector;
use crate::bpf::maps::XskMap;
use crate::bpf::program::{LoadOptions, Program};
use crate::error::{Error, Result};
use crate::sys::ethtool::channel_counts;
use crate::xsk::socket::{SocketConfig, XskSocket};
use crate::xsk::umem::{FreeList, Umem, UmemConfig};

/// The name of the XSKMAP the redirect programs use (and a custom program must use).
pub const XSKMAP_NAME: &str = "xsks";

/// Which XDP program sends packets to the sockets.
#[derive(Debug, Clone, Default)]
pub enum RedirectProgram {
    /// Every packet to the socket of its receive queue (`ebpf_dsl::seeds::redirect_all`).
    #[default]
    All,
    /// Only IPv4 UDP; the rest goes to the kernel stack (`ebpf_dsl::seeds::redirect_udp`).
    Udp,
    /// Your own program, e.g. from `defprogram!`: it must reference the XSKMAP as `xsks`
    /// ([`XSKMAP_NAME`]); the map is created here and shared with it.
    Custom(ProgramSpec),
}

/// Which queues get a socket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Queues {
    /// Every RX queue the driver reports (`ethtool -l`; 1 if it reports none).
    #[default]
    All,
    /// These queue indexes.
    List(Vec<u32>),
}

/// How to set up an [`XskInterface`].
#[derive(Debug, Clone)]
pub struct XskInterfaceConfig {
    /// The queues to open sockets on.
    pub queues: Queues,
    /// The redirect program.
    pub program: RedirectProgram,
    /// Load options of the program (e.g. `BPF_F_XDP_HAS_FRAGS` for multi-buffer).
    pub load: LoadOptions,
    /// How to attach it.
    pub attach: AttachOptions,
    /// The UMEM, shared by all sockets. `frame_count` is the total; each queue gets an equal
    /// share of the frames on its own [`FreeList`].
    pub umem: UmemConfig,
    /// The rings and bind options of every socket.
    pub socket: SocketConfig,
    /// How many frames of each queue's share to put on its fill ring at once (capped by the
    /// ring size); `None` puts half of the share there, keeping the rest for TX.
    pub prefill: Option<u32>,
}

impl Default for XskInterfaceConfig {
    fn default() -> Self {
        XskInterfaceConfig {
            queues: Queues::All,
            program: RedirectProgram::All,
            load: LoadOptions::default(),
            attach: AttachOptions::default(),
            umem: UmemConfig::default(),
            socket: SocketConfig::default(),
            prefill: None,
        }
    }
}

/// One socket of an [`XskInterface`] with the frames it owns.
#[derive(Debug)]
pub struct XskQueue {
    /// The socket, bound to [`XskQueue::queue`].
    pub socket: XskSocket,
    /// Its share of the UMEM's frames that are not in a ring.
    pub free: FreeList,
}

impl XskQueue {
    /// The queue index.
    pub fn queue(&self) -> u32 {
        self.socket.queue()
    }
}

/// AF_XDP on one interface: UMEM, one socket per queue, XSKMAP, redirect program, attachment.
/// Torn down on drop (program detached first).
#[derive(Debug)]
pub struct XskInterface {
    // Field order is drop order: detach, then sockets, then map and program, then UMEM.
    attachment: Option<XdpAttachment>,
    queues: Vec<XskQueue>,
    xsks: XskMap,
    program: Program,
    /// The program's maps (the XSKMAP and any other the custom program names).
    loaded: Loaded,
    umem: Umem,
    ifindex: u32,
    ifname: String,
}

impl XskInterface {
    /// Sets up AF_XDP on interface `ifname` of the calling thread's network namespace (see the
    /// module docs for the steps).
    pub fn open(ifname: &str, config: &XskInterfaceConfig) -> Result<XskInterface> {
        let ifindex = crate::sys::if_nametoindex(ifname)?;
        let queues: Vec<u32> = match &config.queues {
            Queues::All => {
                let n = channel_counts(ifname)
                    .map(|(rx, _, combined)| rx.max(combined))
                    .unwrap_or(1)
                    .max(1);
                (0..n).collect()
            }
            Queues::List(l) if l.is_empty() => {
                return Err(Error::invalid("XskInterface needs at least one queue"))
            }
            Queues::List(l) => {
                let mut l = l.clone();
                l.sort_unstable();
                l.dedup();
                l
            }
        };
        let nq = queues.len() as u32;
        if config.umem.frame_count < nq {
            return Err(Error::invalid(format!(
                "UMEM too small: {} frames for {nq} queues",
                config.umem.frame_count
            )));
        }
        config.socket.validate()?;

        // 1. The UMEM.
        let (umem, mut all_free) = Umem::new(&config.umem)?;
        // 2. + 3. One socket per queue, each with its share of the frames on its fill ring.
        let share = all_free.len() / queues.len();
        let mut opened = Vec::with_capacity(queues.len());
        for (i, &q) in queues.iter().enumerate() {
            let mut socket = XskSocket::bind(&umem, ifindex, q, &config.socket)?;
            let mut free = if i + 1 == queues.len() {
                all_free.take(all_free.len())
            } else {
                all_free.take(share)
            };
            let want = config
                .prefill
                .unwrap_or((free.len() / 2) as u32)
                .min(config.socket.fill_size);
            if let Some(fill) = socket.fill() {
                fill.fill_from(&mut free, want);
            }
            opened.push(XskQueue { socket, free });
        }
        // 4. The XSKMAP, with every socket at its queue.
        let max_queue = queues.iter().copied().max().unwrap_or(0);
        let xsks = XskMap::create(XSKMAP_NAME, max_queue + 1)?;
        for q in &opened {
            xsks.set(q.queue(), q.socket.fd())?;
        }
        // 5. The program.
        let spec = match &config.program {
            RedirectProgram::All => {
                seed_spec("xsk_redir_all", ebpf_dsl::seeds::redirect_all(XSKMAP_NAME))?
            }
            RedirectProgram::Udp => {
                seed_spec("xsk_redir_udp", ebpf_dsl::seeds::redirect_udp(XSKMAP_NAME))?
            }
            RedirectProgram::Custom(spec) => spec.clone(),
        };
        let name = spec.name.to_string();
        let mut loaded = Loader::new()
            .use_map(xsks.map().try_clone()?)
            .program_with(spec, config.load.clone())
            .load()?;
        let program = loaded.take_program(&name)?;
        // 6. Attach.
        let attachment = XdpAttachment::attach(&program, ifindex, config.attach)?;
        Ok(XskInterface {
            attachment: Some(attachment),
            queues: opened,
            xsks,
            program,
            loaded,
            umem,
            ifindex,
            ifname: ifname.to_owned(),
        })
    }

    /// One of the program's maps, as [`Loaded::map`] gives it: by its `defmap!` item
    /// (`xsk.map(&COUNTS)`, typed from the item) or by name.
    pub fn map<T>(&self, which: impl MapSelector<T>) -> Result<T> {
        self.loaded.map(which)
    }

    /// The program's maps and what else [`Loader::load`] made (the program itself is
    /// [`Self::program`]).
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The sockets, one per queue, in queue order.
    pub fn queues(&self) -> &[XskQueue] {
        &self.queues
    }

    /// The sockets, mutable (to receive and send).
    pub fn queues_mut(&mut self) -> &mut [XskQueue] {
        &mut self.queues
    }

    /// Takes the sockets out, e.g. to move each to its own thread. The program stays attached
    /// until the `XskInterface` is dropped. When one of those sockets is dropped earlier, its
    /// XSKMAP entry disappears with it and the seed programs pass that queue's packets to the
    /// stack (a custom program decides for itself) — except on the first queue: its socket is
    /// the UMEM's own, which the kernel keeps bound and in the map until the UMEM's last
    /// handle is gone, so packets for it are lost until then.
    pub fn take_queues(&mut self) -> Vec<XskQueue> {
        std::mem::take(&mut self.queues)
    }

    /// The UMEM.
    pub fn umem(&self) -> &Umem {
        &self.umem
    }

    /// The XSKMAP.
    pub fn xskmap(&self) -> &XskMap {
        &self.xsks
    }

    /// The XDP program.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The attachment (until [`detach`](XskInterface::detach)).
    pub fn attachment(&self) -> Option<&XdpAttachment> {
        self.attachment.as_ref()
    }

    /// The interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The interface name.
    pub fn ifname(&self) -> &str {
        &self.ifname
    }

    /// Tears everything down in drop's order (program detached first, then the sockets, the
    /// map, the program) and returns every frame of the UMEM on one [`FreeList`]: the queues'
    /// lists, and the frames that were in the sockets' rings (see [`Umem::reclaim`] and
    /// [`Umem::close`]). If a clone of the [`Umem`] handle is still alive elsewhere, the UMEM
    /// stays open and the frames on its own socket's rings stay with it: the list is then not
    /// complete ([`FreeList::is_complete`]).
    pub fn close(self) -> FreeList {
        let XskInterface {
            attachment,
            queues,
            xsks,
            program,
            loaded,
            umem,
            ..
        } = self;
        drop(attachment);
        let mut free: Option<FreeList> = None;
        for q in queues {
            drop(q.socket);
            let mut list = q.free;
            match free.as_mut() {
                // Same UMEM: cannot fail.
                Some(all) => {
                    let _ = all.append(&mut list);
                }
                None => free = Some(list),
            }
        }
        drop((xsks, program, loaded));
        // `open` gives every interface at least one queue.
        let mut free = free.unwrap_or_else(|| FreeList::empty_of(&umem));
        if let Err(umem) = umem.close(&mut free) {
            umem.reclaim(&mut free);
        }
        free
    }

    /// Detaches the program now, reporting errors (drop detaches too, silently).
    pub fn detach(&mut self) -> Result<()> {
        match self.attachment.take() {
            Some(a) => a.detach(),
            None => Ok(()),
        }
    }
}

fn seed_spec(name: &'static str, items: Vec<Item>) -> Result<ProgramSpec> {
    let asm = ebpf_dsl::asm::resolve(&items).map_err(|errs| {
        let text: Vec<String> = errs.iter().map(|e| e.to_string()).collect();
        Error::invalid(format!(
            "seed program {name} does not assemble: {}",
            text.join("; ")
        ))
    })?;
    Ok(asm.into_program_spec(name, ProgramType::Xdp, "GPL", Vec::new()))
}
