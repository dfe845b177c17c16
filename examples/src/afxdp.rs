//! The examples' use of [`XskInterface`] (the library's whole AF_XDP setup in one call: one
//! UMEM shared by one socket per queue, each with its share of the frames, half of them on the
//! fill ring; the program's maps created and the sockets entered into its XSKMAP `xsks`; the
//! program attached, bpf_link first; torn down on drop, program detached first), for programs
//! with maps of their own besides the XSKMAP (counters): opening it on a user's interface or
//! in the sandbox, reading a counter, and a receive loop over every queue.

use ebpf_dsl::ProgramSpec;
use xsk_runtime::attach::{AttachMethod, AttachOptions, XdpMode};
use xsk_runtime::socket::{BindMode, SocketConfig};
use xsk_runtime::umem::UmemConfig;
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterface, XskInterfaceConfig};

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

/// [`open`] on a user's interface: default attach options, the bind mode left to the kernel.
pub fn open_iface(
    iface: &str,
    queues: &[u32],
    program: ProgramSpec,
    frames_per_queue: u32,
) -> Result<XskInterface> {
    open(
        iface,
        queues,
        program,
        AttachOptions::default(),
        BindMode::Auto,
        frames_per_queue,
    )
}

/// [`open_iface`] with every frame on the fill ring from the start: `frames_per_queue` frames
/// (a power of two) per queue and a fill ring as large, the rest of the rings at their
/// defaults (2,048 entries). The setup of libxdp's samples and of the benchmark's C reference
/// (`bench/c/xsk_ref.c`: 4,096 frames, a fill ring of 4,096, all filled), for a server that
/// sends from the frames it receives into and so keeps none back for TX.
pub fn open_iface_all_filled(
    iface: &str,
    queues: &[u32],
    program: ProgramSpec,
    frames_per_queue: u32,
) -> Result<XskInterface> {
    if !frames_per_queue.is_power_of_two() {
        return Err(Error::Usage(format!(
            "{frames_per_queue} frames per queue: the fill ring holds them all, so it must be a \
             power of two"
        )));
    }
    let socket = SocketConfig {
        fill_size: frames_per_queue,
        ..Default::default()
    };
    open_with(
        iface,
        queues,
        program,
        AttachOptions::default(),
        socket,
        frames_per_queue,
        Some(frames_per_queue),
    )
}

/// [`open`] on the left end of the sandbox `sb`: enters its left namespace, attaches in
/// native (driver) mode, which veth has; the bind mode is left to the kernel.
pub fn open_sandbox(
    sb: &Sandbox,
    queues: &[u32],
    program: ProgramSpec,
    frames_per_queue: u32,
) -> Result<XskInterface> {
    sb.enter_left()?;
    let attach = AttachOptions {
        mode: XdpMode::Driver,
        ..Default::default()
    };
    open(
        &sb.pair.left.name,
        queues,
        program,
        attach,
        BindMode::Auto,
        frames_per_queue,
    )
}

/// [`open_sandbox`] with another attach method (e.g. joining libxdp's multi-program
/// dispatcher: [`AttachMethod::Multiprog`]).
pub fn open_sandbox_with(
    sb: &Sandbox,
    queues: &[u32],
    program: ProgramSpec,
    frames_per_queue: u32,
    method: AttachMethod,
) -> Result<XskInterface> {
    sb.enter_left()?;
    let attach = AttachOptions {
        mode: XdpMode::Driver,
        method,
    };
    open(
        &sb.pair.left.name,
        queues,
        program,
        attach,
        BindMode::Auto,
        frames_per_queue,
    )
}

/// Sets up sockets on `queues` of `ifname` (calling thread's namespace) with `program`, which
/// must name its XSKMAP `xsks`. `frames_per_queue` frames of 4096 bytes each.
pub fn open(
    ifname: &str,
    queues: &[u32],
    program: ProgramSpec,
    attach: AttachOptions,
    mode: BindMode,
    frames_per_queue: u32,
) -> Result<XskInterface> {
    let socket = SocketConfig {
        mode,
        ..Default::default()
    };
    open_with(
        ifname,
        queues,
        program,
        attach,
        socket,
        frames_per_queue,
        None,
    )
}

/// [`open`] with the sockets' configuration and the frames put on each fill ring at the start
/// (`prefill`, capped by the fill ring's size; `None`: half of each queue's frames) given.
fn open_with(
    ifname: &str,
    queues: &[u32],
    program: ProgramSpec,
    attach: AttachOptions,
    socket: SocketConfig,
    frames_per_queue: u32,
    prefill: Option<u32>,
) -> Result<XskInterface> {
    if queues.is_empty() {
        return Err(Error::Usage("no queue to open a socket on".into()));
    }
    let name = program.name.to_string();
    let frame_count = u32::try_from(queues.len())
        .ok()
        .and_then(|n| frames_per_queue.checked_mul(n))
        .ok_or_else(|| {
            Error::Usage(format!(
                "{frames_per_queue} frames for each of {} queues is too many",
                queues.len()
            ))
        })?;
    let config = XskInterfaceConfig {
        queues: Queues::List(queues.to_vec()),
        program: RedirectProgram::Custom(program),
        attach,
        umem: UmemConfig {
            frame_count,
            ..Default::default()
        },
        socket,
        prefill,
        ..Default::default()
    };
    XskInterface::open(ifname, &config).context(format!(
        "setting up AF_XDP on {ifname} queue(s) {queues:?} with the XDP program {name}"
    ))
}

/// The value of counter map `name` of the interface's program (summed over CPUs for per-CPU
/// maps).
pub fn counter(xsk: &XskInterface, name: &str) -> Result<u64> {
    let map: xsk_runtime::maps::Map = xsk.map(name).context(format!("map {name}"))?;
    read_counter(&map)
}

/// How the program is attached, for the log.
pub fn attach_info(xsk: &XskInterface) -> String {
    match xsk.attachment() {
        Some(a) if a.method() == AttachMethod::Netlink => format!(
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
pub fn receive(xsk: &mut XskInterface, batch: u32, mut f: impl FnMut(usize, &[u8])) -> Result<u32> {
    let mut total = 0;
    let umem = xsk.umem().clone();
    for (i, q) in xsk.queues_mut().iter_mut().enumerate() {
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
