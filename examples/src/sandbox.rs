//! The examples' standalone network: two fresh network namespaces joined by a veth pair
//! (`xsk_testkit::netns::VethPair`, unique names with the pid, deleted on drop — also after
//! Ctrl-C, because every example turns SIGINT into a flag and returns normally), and counting
//! `XDP_DROP` sinks for the far end.
//!
//! SIGKILL skips all of that: the namespaces stay. Their names record the owner's pid and
//! start time, so the next run of any example (or test) sees that the owner is gone and
//! removes them, with one line on stderr (`xsk_testkit::netns::remove_stale_sandboxes`).
//! Everything attached inside goes with them, netlink XDP attachments included.
//!
//! The left end is where the example's XDP program and AF_XDP sockets live; the right end is
//! the traffic side. No packet ever leaves the two namespaces.

use xsk_runtime::attach::{AttachOptions, XdpAttachment, XdpMode};
use xsk_runtime::maps::Map;
use xsk_runtime::{Loader, Program};
use xsk_testkit::netns::{VethEnd, VethPair};

use crate::error::{Context, Result};
use crate::programs::{read_counter, SINK_COUNT, SINK_DROP};

/// Two namespaces joined by a veth pair with `queues` RX/TX queues per end.
#[derive(Debug)]
pub struct Sandbox {
    /// The pair; `left` for the example, `right` for traffic.
    pub pair: VethPair,
}

impl Sandbox {
    /// Builds the sandbox (`tag` goes into the namespace names) and prints what it made.
    pub fn new(tag: &str, queues: u32) -> Result<Sandbox> {
        let pair = VethPair::builder()
            .tag(tag)
            .queues(queues)
            .build()
            .context("building the sandbox (two network namespaces and a veth pair)")?;
        eprintln!(
            "sandbox: {} ({}, {}) <-> {} ({}, {}) in namespaces {} and {}, {} queue(s)",
            pair.left.name,
            pair.left.ipv4,
            crate::packet::mac_string(&pair.left.mac),
            pair.right.name,
            pair.right.ipv4,
            crate::packet::mac_string(&pair.right.mac),
            pair.left.ns.name(),
            pair.right.ns.name(),
            pair.queues
        );
        Ok(Sandbox { pair })
    }

    /// Moves the calling thread into the left namespace for good, so that interface names,
    /// AF_XDP sockets and attachments of the rest of the program see the left end.
    pub fn enter_left(&self) -> Result<()> {
        self.pair
            .left
            .ns
            .enter_current_thread()
            .context("entering the sandbox's left namespace")
    }

    /// Removes the namespaces (and with them the veth pair and everything attached), printing
    /// that it did.
    pub fn remove(self) {
        let names = format!(
            "{} and {}",
            self.pair.left.ns.name(),
            self.pair.right.ns.name()
        );
        drop(self.pair);
        eprintln!("sandbox removed (namespaces {names})");
    }
}

/// An `XDP_DROP` program on one end that counts what arrives there.
#[derive(Debug)]
pub struct Sink {
    _attachment: XdpAttachment,
    _program: Program,
    count: Map,
}

impl Sink {
    /// Attaches a counting drop program to `end` (native mode).
    pub fn attach(end: &VethEnd) -> Result<Sink> {
        let mut loaded = Loader::new()
            .program(SINK_DROP)
            .load()
            .context("loading the sink program")?;
        let program = loaded
            .take_program(SINK_DROP.name.as_ref())
            .context("the sink program")?;
        let count = loaded
            .map::<Map>(SINK_COUNT.name_str())
            .context("the sink's counter map")?;
        let ifindex = end.ifindex;
        let opts = AttachOptions {
            mode: XdpMode::Driver,
            ..Default::default()
        };
        let prog = &program;
        let attachment = end
            .run(move || XdpAttachment::attach(prog, ifindex, opts))
            .context("entering the sink's namespace")?
            .context(format!("attaching the sink to {}", end.name))?;
        Ok(Sink {
            _attachment: attachment,
            _program: program,
            count,
        })
    }

    /// Frames dropped so far.
    pub fn count(&self) -> u64 {
        read_counter(&self.count).unwrap_or(0)
    }
}
