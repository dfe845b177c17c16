//! The AF_XDP setup of the guides, step by step, for the examples whose program has maps of
//! its own besides the XSKMAP (counters) — `xsk_runtime::xsk::XskInterface` does the same in
//! one call for the plain redirect programs.
//!
//! 1. one UMEM, shared by one socket per queue (each with its own fill and completion ring
//!    and its share of the frames, half of them on the fill ring);
//! 2. the program and all its maps created by the `Loader`, the sockets entered into the
//!    program's XSKMAP (`xsks`) at their queue index;
//! 3. the program attached (bpf_link first); dropping [`AfXdp`] detaches it before the
//!    sockets close.

use ebpf_dsl::ProgramSpec;
use xsk_runtime::attach::{AttachOptions, XdpAttachment, XdpMode};
use xsk_runtime::maps::{Map, XskMap};
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::{FreeList, Umem, UmemConfig};
use xsk_runtime::{Loaded, Loader};

use crate::error::{Context, Error, Result};
use crate::programs::read_counter;
use crate::sandbox::Sandbox;

/// The queues to open on a user's interface: `queue` if one was asked for, else every RX
/// queue ([`crate::iface_rx_queues`]).
pub fn queues_of(iface: &str, queue: Option<u32>) -> Vec<u32> {
    match queue {
        Some(q) => vec![q],
        None => (0..crate::iface_rx_queues(iface)).collect(),
    }
}

/// One socket and the frames it owns.
#[derive(Debug)]
pub struct Queue {
    /// The socket.
    pub socket: XskSocket,
    /// Its frames that are in no ring.
    pub free: FreeList,
}

/// Sockets on several queues of one interface, with an attached program.
#[derive(Debug)]
pub struct AfXdp {
    // Drop order: detach first, then the sockets, the maps and program, the UMEM.
    attachment: Option<XdpAttachment>,
    /// The sockets, in the order of the queues given to [`AfXdp::open`].
    pub queues: Vec<Queue>,
    loaded: Loaded,
    /// The UMEM all sockets share.
    pub umem: Umem,
    /// The program's name.
    pub program_name: String,
    /// Instructions of the program.
    pub program_insns: usize,
}

impl AfXdp {
    /// [`AfXdp::open`] on a user's interface: default attach options, the bind mode left to
    /// the kernel.
    pub fn open_iface(
        iface: &str,
        queues: &[u32],
        program: ProgramSpec,
        frames_per_queue: u32,
    ) -> Result<AfXdp> {
        AfXdp::open(
            iface,
            queues,
            program,
            AttachOptions::default(),
            BindMode::Auto,
            frames_per_queue,
        )
    }

    /// [`AfXdp::open`] on the left end of the sandbox `sb`: enters its left namespace, attaches
    /// in native (driver) mode, which veth has; the bind mode is left to the kernel.
    pub fn open_sandbox(
        sb: &Sandbox,
        queues: &[u32],
        program: ProgramSpec,
        frames_per_queue: u32,
    ) -> Result<AfXdp> {
        sb.enter_left()?;
        let attach = AttachOptions {
            mode: XdpMode::Driver,
            ..Default::default()
        };
        AfXdp::open(
            &sb.pair.left.name,
            queues,
            program,
            attach,
            BindMode::Auto,
            frames_per_queue,
        )
    }

    /// Sets up sockets on `queues` of `ifname` (calling thread's namespace) with `program`,
    /// which must name its XSKMAP `xsks`. `frames_per_queue` frames of 4096 bytes each.
    pub fn open(
        ifname: &str,
        queues: &[u32],
        program: ProgramSpec,
        attach: AttachOptions,
        mode: BindMode,
        frames_per_queue: u32,
    ) -> Result<AfXdp> {
        if queues.is_empty() {
            return Err(Error::Usage("no queue to open a socket on".into()));
        }
        let ifindex =
            xsk_runtime::os::if_nametoindex(ifname).context(format!("interface {ifname}"))?;
        let (umem, mut all_free) = Umem::new(&UmemConfig {
            frame_count: frames_per_queue * queues.len() as u32,
            ..Default::default()
        })
        .context("creating the UMEM")?;
        let config = SocketConfig {
            mode,
            ..Default::default()
        };
        let mut opened = Vec::new();
        for (i, &q) in queues.iter().enumerate() {
            let mut socket = XskSocket::bind(&umem, ifindex, q, &config)
                .context(format!("binding an AF_XDP socket to {ifname} queue {q}"))?;
            let mut free = if i + 1 == queues.len() {
                let n = all_free.len();
                all_free.take(n)
            } else {
                all_free.take(frames_per_queue as usize)
            };
            if let Some(fill) = socket.fill() {
                fill.fill_from(&mut free, (frames_per_queue / 2).min(config.fill_size));
            }
            opened.push(Queue { socket, free });
        }
        let name = program.name.to_string();
        let program_insns = program.insns.len();
        let loaded = Loader::new()
            .program(program)
            .load()
            .context(format!("loading the XDP program {name}"))?;
        let xsks: XskMap = loaded.map("xsks").context("the program's XSKMAP `xsks`")?;
        for q in &opened {
            xsks.set(q.socket.queue(), q.socket.fd()).context(format!(
                "entering the socket of queue {} into the XSKMAP",
                q.socket.queue()
            ))?;
        }
        let prog = loaded.program(&name).context("the loaded program")?;
        let attachment = XdpAttachment::attach(prog, ifindex, attach)
            .context(format!("attaching {name} to {ifname}"))?;
        Ok(AfXdp {
            attachment: Some(attachment),
            queues: opened,
            loaded,
            umem,
            program_name: name,
            program_insns,
        })
    }

    /// The value of counter map `name` (summed over CPUs for per-CPU maps).
    pub fn counter(&self, name: &str) -> Result<u64> {
        let m: &Map = self.loaded.map_ref(name).context(format!("map {name}"))?;
        read_counter(m)
    }

    /// How the program is attached, for the log.
    pub fn attach_info(&self) -> String {
        match &self.attachment {
            Some(a) if a.method() == xsk_runtime::attach::AttachMethod::Netlink => format!(
                "{:?} mode via Netlink: a SIGKILL would leave it attached to ifindex {} (remove \
                 it with `ip link set dev IFACE xdp off`)",
                a.mode(),
                a.ifindex()
            ),
            Some(a) => format!("{:?} mode via {:?}", a.mode(), a.method()),
            None => "detached".into(),
        }
    }

    /// Receives up to `batch` packets on every queue, calls `f(queue_index, bytes)` for each,
    /// recycles the frames to the fill rings, and wakes the kernel when it asks. Returns the
    /// packets handled.
    pub fn receive(&mut self, batch: u32, mut f: impl FnMut(usize, &[u8])) -> Result<u32> {
        let mut total = 0;
        let umem = self.umem.clone();
        for (i, q) in self.queues.iter_mut().enumerate() {
            let rings = q.socket.rings();
            let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
                continue;
            };
            let mut n = 0;
            {
                let mut b = rx.recv(batch);
                for pkt in b.by_ref() {
                    f(i, umem.packet(&pkt));
                    let _ = q.free.push(pkt.into_frame());
                    n += 1;
                }
                b.release();
            }
            fill.fill_from(&mut q.free, n.max(batch));
            fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
            total += n;
        }
        Ok(total)
    }
}
