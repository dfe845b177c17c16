//! `xsk-rxmeta`: hands the kernel's RX metadata of every packet to AF_XDP user space and
//! prints it. A device-bound XDP program (`LoadOptions::device_bound`) calls the metadata
//! kfuncs `bpf_xdp_metadata_rx_timestamp` and `bpf_xdp_metadata_rx_hash` (their BTF ids read
//! from `/sys/kernel/btf/vmlinux` at load), writes the results in front of the packet
//! (`ebpf_dsl::xdp::metadata::write_rx_metadata`, `bpf_xdp_adjust_meta`) and redirects it to
//! the AF_XDP socket of its queue; user space reads them with `Umem::rx_metadata`.
//!
//! It runs in a self-made sandbox (a veth pair in two namespaces) and sends UDP from the far
//! end in two flows. veth gives the skb's flow hash (the same for every packet of a flow) and
//! the skb's hardware timestamp (0: nothing stamps packets between namespaces).
//!
//! A kernel built or patched to withhold `bpf_xdp_adjust_meta` from XDP programs lets no
//! program put metadata in front of the packet: asked first (the probe of
//! `xsk_runtime::features::unavailable_helpers`, `check_rx_metadata_support`), such a kernel
//! makes `xsk-rxmeta` stop before it builds anything, with an error naming the helper and what
//! still works (exit status 1), instead of a verifier log.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use clap::Parser;
use ebpf_dsl::dsl::Program;
use ebpf_dsl::ir::build::ldxw;
use ebpf_dsl::xdp::metadata::write_rx_metadata;
use ebpf_dsl::xdp::{redirect_to_xsk, DEFAULT_XSK_FLAGS};
use ebpf_dsl::{MapSpec, MapType, Reg};
use xsk_examples::args;
use xsk_examples::packet::{parse, Parsed};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};
use xsk_runtime::attach::{AttachOptions, XdpMode};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::xsk::metadata::check_rx_metadata_support;
use xsk_runtime::xsk::{Queues, RedirectProgram, XskInterfaceConfig};
use xsk_runtime::XskInterface;

const NAME: &str = "xsk-rxmeta";
const PORT: u16 = 9400;

/// print the RX hash and timestamp the kernel gives each packet, received on AF_XDP
#[derive(Debug, Parser)]
#[command(name = NAME, after_help = "Example:\n  sudo xsk-rxmeta --count 6")]
struct Cli {
    /// packets to send and print (in two flows)
    #[arg(short, long, value_name = "N", default_value = "10")]
    count: u32,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    if !(1..=10_000).contains(&args.count) {
        return Err(Error::Usage("--count must be 1 to 10000".into()));
    }
    require_root(NAME)?;
    // A kernel that withholds bpf_xdp_adjust_meta refuses the program below: say so, and why,
    // before making anything.
    check_rx_metadata_support("xsk-rxmeta (the RX hash and timestamp in front of each packet)")
        .context("RX metadata to AF_XDP")?;
    let stop = Stop::install()?;
    let sb = Sandbox::new("rxmeta", 1)?;
    let r = sandbox_run(&sb, args.count, &stop);
    sb.remove();
    r
}

fn sandbox_run(sb: &Sandbox, count: u32, stop: &Stop) -> Result<()> {
    let mut p = Program::xdp("xdp_rx_meta");
    p.license("GPL");
    p.map(MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    });
    p.extend(write_rx_metadata("meta_done"));
    p.push(ldxw(Reg::R2, Reg::R6, 16)); // ctx->rx_queue_index (r6 = ctx)
    p.extend(redirect_to_xsk("xsks", Reg::R2, DEFAULT_XSK_FLAGS));
    let spec = p
        .build_verified()
        .map_err(|e| Error::Failed(format!("the metadata program: {e}")))?;
    sb.enter_left()?;
    let config = XskInterfaceConfig {
        queues: Queues::List(vec![0]),
        program: RedirectProgram::Custom(spec),
        // The metadata kfuncs need a program bound to the device it runs on.
        load: LoadOptions::device_bound(sb.pair.left.ifindex),
        attach: AttachOptions {
            mode: XdpMode::Driver,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut xdp = XskInterface::open(&sb.pair.left.name, &config)
        .context("setting up AF_XDP with the device-bound metadata program")?;
    println!(
        "{NAME}: device-bound program on {}; sending {count} UDP datagrams to port {PORT} in two flows",
        sb.pair.left.name
    );
    let (left, right) = (sb.pair.left.ipv4, sb.pair.right.ipv4);
    let sender = sb.pair.right.ns.spawn(move || -> std::io::Result<()> {
        let a = UdpSocket::bind((right, 43000))?;
        let b = UdpSocket::bind((right, 43001))?;
        for i in 0..count {
            let s = if i % 2 == 0 { &a } else { &b };
            s.send_to(format!("rxmeta {i}").as_bytes(), (left, PORT))?;
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(())
    });
    let umem = xdp.umem().clone();
    let mut seen = 0u32;
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen < count && Instant::now() < deadline && !stop.is_set() {
        let q = &mut xdp.queues_mut()[0];
        let rings = q.socket.rings();
        let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else {
            return Err(Error::Failed("the socket has no fill or RX ring".into()));
        };
        let mut n = 0;
        {
            let mut b = rx.recv(64);
            for pkt in b.by_ref() {
                n += 1;
                if let Parsed::Udp {
                    src, sport, dport, ..
                } = parse(umem.packet(&pkt))
                {
                    if dport == PORT {
                        seen += 1;
                        let line = match umem.rx_metadata(&pkt) {
                            Some(m) => format!(
                                "hash={} timestamp={}",
                                m.rx_hash()
                                    .map_or(format!("error {}", m.hash_err), |(h, t)| {
                                        format!("{h:#010x} (type {t:#x})")
                                    }),
                                m.rx_timestamp()
                                    .map_or(format!("error {}", m.timestamp_err), |t| {
                                        format!("{t} ns")
                                    })
                            ),
                            None => "no room for metadata".into(),
                        };
                        println!("{src}:{sport} -> :{dport} len {}: {line}", pkt.len());
                    }
                }
                let _ = q.free.push(pkt.into_frame());
            }
            b.release();
        }
        fill.fill_from(&mut q.free, 64);
        fill.wake_if_needed().context("recvfrom(AF_XDP) wake-up")?;
        if n == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    let _ = sender.join();
    drop(xdp);
    if seen < count && !stop.is_set() {
        return Err(Error::Failed(format!(
            "received {seen} of {count} datagrams"
        )));
    }
    println!("{NAME}: {seen} packets with their RX metadata");
    Ok(())
}
