//! `xsk-txmeta`: sends UDP datagrams from an AF_XDP socket with TX metadata
//! (`XDP_TX_METADATA`: a completion timestamp, optionally checksum offload and a launch time)
//! and says what the kernel and the driver did with each request. Before sending it asks
//! (`TxMetadataSupport::probe`): does the kernel take `tx_metadata_len`, which offloads does
//! the driver implement for zero-copy (netdev netlink `xsk-features`), and what does that mean
//! in the socket's mode. `--strict` refuses to send what would not be carried out.
//!
//! It runs in a self-made sandbox (a veth pair in two namespaces): veth has no zero-copy, so
//! the socket is in copy mode, where the timestamp is the kernel's software `CLOCK_TAI` stamp
//! taken when the skb is freed, a checksum request is passed to veth uncomputed unless
//! `--sw-csum` (`XDP_UMEM_TX_SW_CSUM`), and a launch time is handed to veth, which ignores it
//! (a kernel that does not know the launch-time flag, before 6.14, would refuse the
//! descriptor: without `--strict` the datagrams go without it).
//! The far end's UDP socket counts what arrives.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use clap::Parser;
use xsk_examples::args;
use xsk_examples::packet::{self, udp_frame, UdpFlow, ETH_HLEN, IPV4_HLEN};
use xsk_examples::sandbox::Sandbox;
use xsk_examples::signals::Stop;
use xsk_examples::{require_root, run_main, Context, Error, Result};
use xsk_runtime::os::clock_tai_ns;
use xsk_runtime::socket::{BindMode, SocketConfig, XskSocket};
use xsk_runtime::umem::{Umem, UmemConfig};
use xsk_runtime::xsk::tx_metadata::{
    Honoured, TxChecksum, TxMetadataRequest, TxMetadataSupport, TX_METADATA_LEN,
};

const NAME: &str = "xsk-txmeta";
const PORT: u16 = 9500;
/// Where each packet starts in its frame (after the 24 bytes of metadata).
const OFFSET: u32 = 64;

/// send UDP from an AF_XDP socket with TX metadata and report what the kernel did with it
#[derive(Debug, Parser)]
#[command(
    name = NAME,
    after_help = "Examples:\n  sudo xsk-txmeta -c 4\n  sudo xsk-txmeta --checksum --sw-csum\n  sudo xsk-txmeta --checksum --strict   # refused: veth would not compute it"
)]
struct Cli {
    /// datagrams to send
    #[arg(short, long, value_name = "N", default_value = "8")]
    count: u32,
    /// request UDP checksum offload (XDP_TXMD_FLAGS_CHECKSUM)
    #[arg(long)]
    checksum: bool,
    /// let the kernel compute requested checksums in software (XDP_UMEM_TX_SW_CSUM)
    #[arg(long)]
    sw_csum: bool,
    /// request a launch time this many ms ahead on the TAI clock (XDP_TXMD_FLAGS_LAUNCH_TIME)
    #[arg(long, value_name = "MS")]
    launch_in_ms: Option<u64>,
    /// refuse to send if a request would be ignored or only passed on
    #[arg(long)]
    strict: bool,
}

fn main() -> std::process::ExitCode {
    run_main(NAME, run)
}

fn describe(h: Honoured) -> &'static str {
    match h {
        Honoured::ByDevice => "done by the device",
        Honoured::InSoftware => "done by the kernel in software",
        Honoured::PassedToDriver => "only handed to the driver's skb path",
        Honoured::Ignored => "ignored (the driver lacks it)",
        Honoured::Unsupported => "not supported by this kernel",
    }
}

fn run() -> Result<()> {
    let args: Cli = args::parse()?;
    if !(1..=1000).contains(&args.count) {
        return Err(Error::Usage("--count must be 1 to 1000".into()));
    }
    if args.sw_csum && !args.checksum {
        return Err(Error::Usage("--sw-csum needs --checksum".into()));
    }
    require_root(NAME)?;
    let stop = Stop::install()?;
    let sb = Sandbox::new("txmeta", 1)?;
    let r = sandbox_run(&sb, &args, &stop);
    sb.remove();
    r
}

fn sandbox_run(sb: &Sandbox, args: &Cli, stop: &Stop) -> Result<()> {
    let (left, right) = (&sb.pair.left, &sb.pair.right);
    sb.enter_left()?;
    let support = TxMetadataSupport::probe(left.ifindex);
    let mut request = TxMetadataRequest {
        timestamp: true,
        checksum: args.checksum.then_some(TxChecksum {
            start: (ETH_HLEN + IPV4_HLEN) as u16,
            offset: 6,
        }),
        launch_time: args
            .launch_in_ms
            .map(|ms| clock_tai_ns() + ms.saturating_mul(1_000_000)),
    };
    let zero_copy = false; // veth
    println!(
        "{NAME}: TX metadata on {} (copy mode: veth has no zero-copy)",
        left.name
    );
    match &support.kernel {
        Ok(()) => println!("  kernel: takes tx_metadata_len (XDP_UMEM_TX_METADATA_LEN)"),
        Err(e) => println!("  kernel: {e}"),
    }
    match &support.device {
        Ok(d) => println!(
            "  driver (netdev xsk-features): tx-timestamp {}, tx-checksum {}, tx-launch-time-fifo {}",
            d.timestamp, d.checksum, d.launch_time
        ),
        Err(e) => println!("  driver: {e}"),
    }
    println!("  timestamp: {}", describe(support.timestamp(zero_copy)));
    if args.checksum {
        println!(
            "  checksum: {}",
            describe(support.checksum(zero_copy, args.sw_csum))
        );
    }
    if args.launch_time_requested() {
        println!(
            "  launch time: {}",
            describe(support.launch_time(zero_copy))
        );
    }
    if let Err(e) = support.require(&request, zero_copy, args.sw_csum) {
        if args.strict {
            return Err(Error::Failed(format!("--strict: not sending: {e}")));
        }
        println!("{NAME}: note: {e}");
    }
    // A kernel that does not know the launch-time flag refuses the whole descriptor (the
    // runtime refuses it before the ring): without --strict, send without it.
    if request.launch_time.is_some() && support.launch_time(zero_copy) == Honoured::Unsupported {
        request.launch_time = None;
        println!(
            "{NAME}: sending without the launch time (this kernel does not know \
             XDP_TXMD_FLAGS_LAUNCH_TIME)"
        );
    }

    let (umem, mut free) = Umem::new(&UmemConfig {
        frame_size: 2048,
        frame_count: 256,
        tx_metadata_len: TX_METADATA_LEN,
        tx_sw_csum: args.sw_csum,
        ..Default::default()
    })
    .context("registering a UMEM with TX metadata")?;
    let config = SocketConfig {
        rx_size: 64,
        tx_size: 256,
        fill_size: 64,
        completion_size: 256,
        mode: BindMode::Copy,
        ..Default::default()
    };
    let mut sock = XskSocket::bind(&umem, left.ifindex, 0, &config)
        .context(format!("binding an AF_XDP socket to {} queue 0", left.name))?;
    let receiver = right
        .run(|| UdpSocket::bind((right.ipv4, PORT)))
        .context("entering the right namespace")?
        .context("binding the receiving UDP socket")?;
    receiver
        .set_read_timeout(Some(Duration::from_millis(50)))
        .context("SO_RCVTIMEO")?;

    let flow = UdpFlow {
        src_mac: left.mac,
        dst_mac: right.mac,
        src_ip: left.ipv4,
        dst_ip: right.ipv4,
        src_port: 43100,
        dst_port: PORT,
    };
    let mut submitted_at = vec![0u64; args.count as usize];
    let mut stamps: Vec<(usize, Option<u64>)> = Vec::new();
    let mut sent = 0usize;
    let mut received = 0u32;
    let mut buf = [0u8; 2048];
    let deadline = Instant::now() + Duration::from_secs(10);
    while (stamps.len() < args.count as usize || received < args.count)
        && Instant::now() < deadline
        && !stop.is_set()
    {
        let rings = sock.rings();
        let (Some(tx), Some(comp)) = (rings.tx, rings.completion) else {
            return Err(Error::Failed(
                "the socket has no TX or completion ring".into(),
            ));
        };
        if sent < args.count as usize {
            let Some(mut frame) = free.pop() else {
                return Err(Error::Failed("no free frame".into()));
            };
            let mut pkt = udp_frame(&flow, format!("txmeta {sent}").as_bytes());
            if args.checksum {
                // The checksum field holds the pseudo-header sum; the offload adds the rest.
                let udp_len = (pkt.len() - ETH_HLEN - IPV4_HLEN) as u16;
                let mut pseudo = Vec::with_capacity(12);
                pseudo.extend_from_slice(&flow.src_ip.octets());
                pseudo.extend_from_slice(&flow.dst_ip.octets());
                pseudo.extend_from_slice(&[0, packet::IPPROTO_UDP]);
                pseudo.extend_from_slice(&udp_len.to_be_bytes());
                let seed = !packet::csum(&pseudo);
                let at = ETH_HLEN + IPV4_HLEN + 6;
                pkt[at..at + 2].copy_from_slice(&seed.to_be_bytes());
            }
            let o = OFFSET as usize;
            umem.frame_mut(&mut frame)[o..o + pkt.len()].copy_from_slice(&pkt);
            let mut batch = tx.reserve(1);
            if let Err(r) = batch.push_with_metadata(frame, OFFSET, pkt.len() as u32, &request) {
                let _ = free.push(r.frame);
                return Err(r.error.into());
            }
            submitted_at[sent] = clock_tai_ns();
            batch.submit();
            sent += 1;
        }
        tx.kick_if_needed().context("sendto(AF_XDP) TX kick")?;
        let mut done = comp.peek(64);
        for frame in done.by_ref() {
            stamps.push((stamps.len(), umem.tx_timestamp(&frame, OFFSET)));
            let _ = free.push(frame);
        }
        done.release();
        if let Ok((n, _)) = receiver.recv_from(&mut buf) {
            if buf[..n].starts_with(b"txmeta ") {
                received += 1;
            }
        }
    }
    let mut with_ts = 0;
    for &(i, ts) in &stamps {
        match ts {
            Some(t) => {
                with_ts += 1;
                let after = t.saturating_sub(submitted_at[i]);
                println!(
                    "packet {i}: completion timestamp {t} ns (TAI), {:.1} us after submit",
                    after as f64 / 1e3
                );
            }
            None => println!("packet {i}: no completion timestamp"),
        }
    }
    println!(
        "{NAME}: {received} of {} datagrams received by the peer; {with_ts} completion timestamps",
        args.count
    );
    if received < args.count || stamps.len() < args.count as usize {
        return Err(Error::Failed(format!(
            "{received} of {} datagrams arrived, {} of them completed",
            args.count,
            stamps.len()
        )));
    }
    Ok(())
}

impl Cli {
    fn launch_time_requested(&self) -> bool {
        self.launch_in_ms.is_some()
    }
}
