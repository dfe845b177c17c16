//! `xsk-capture` writes pcapng with a timestamp per packet that tshark reads: in its sandbox
//! (two namespaces joined by a veth pair, made and removed by the example) it captures the 25
//! UDP datagrams it sends to port 9000, and the test checks with tshark and with our reader that
//! every packet is there with the payload that was sent, in order, with timestamps that never go
//! backwards and lie within the run's time window. veth's answer to
//! `bpf_xdp_metadata_rx_timestamp` is the skb's hardware timestamp, which nothing sets between
//! namespaces (the kfunc returns 0 with a timestamp of 0): so on veth every timestamp is the
//! software one, and the packet comments say so, next to the RX hash veth does give.
//!
//! On a kernel that withholds `bpf_xdp_adjust_meta` (#54) from XDP programs (asked of the
//! running kernel: `xsk_runtime::features::unavailable_helpers`), no RX metadata program can
//! run: the test then checks the fallback instead (xsk-capture names the helper, runs the
//! plain filter, and every packet still arrives with its payload and a software timestamp in
//! the run's window), and prints which branch it took.
//! Privileged: skipped with a printed reason when not root and `CI` is not `true`.

use xsk_testkit::kernel_tests;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use xsk_examples::packet::{parse, Parsed};

/// The examples' tests one at a time (each builds namespaces and runs traffic).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("xsk-capture-{name}-{}", std::process::id()))
}

/// Runs xsk-capture with `args`; returns (exit code, stdout).
fn capture(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xsk-capture"))
        .args(args)
        .output()
        .expect("starting xsk-capture");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    println!(
        "$ xsk-capture {}\n{stdout}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), stdout)
}

/// `frame.time_epoch` ("S.NNNNNNNNN") in nanoseconds.
fn epoch_ns(s: &str) -> u64 {
    let (sec, frac) = s.split_once('.').unwrap_or((s, "0"));
    let frac = format!("{frac:0<9}");
    sec.parse::<u64>().unwrap() * 1_000_000_000 + frac[..9].parse::<u64>().unwrap()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// tshark's view of the file: (time in ns, comment, UDP payload) per packet.
fn tshark(path: &Path) -> Vec<(u64, String, Vec<u8>)> {
    let out = Command::new("tshark")
        .arg("-r")
        .arg(path)
        .args(["-T", "fields", "-E", "separator=|"])
        .args([
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.comment",
            "-e",
            "udp.payload",
        ])
        .output()
        .expect("tshark is needed for this test (apt-get install tshark)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('|').collect();
            assert_eq!(f.len(), 3, "{l}");
            (epoch_ns(f[0]), f[1].to_owned(), unhex(f[2]))
        })
        .collect()
}

/// `bpf_xdp_adjust_meta`, which the RX metadata program calls.
const ADJUST_META: u32 = 54;

fn pcapng_timestamps_and_payloads_read_back_with_tshark() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let withheld = xsk_runtime::features::unavailable_helpers(ebpf_dsl::ProgramType::Xdp)
        .expect("probe the helpers the kernel withholds from XDP programs")
        .contains(&ADJUST_META);
    // The RX metadata kfuncs (6.3) the program calls: where the kernel's BTF lacks them, the
    // program cannot load and xsk-capture falls back to the plain filter.
    let kfuncs = xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids().expect("the kernel's kfunc ids");
    let lacking: Vec<&str> = ["bpf_xdp_metadata_rx_timestamp", "bpf_xdp_metadata_rx_hash"]
        .into_iter()
        .filter(|k| !kfuncs.contains_key(k))
        .collect();
    let fallback = withheld || !lacking.is_empty();
    let path = temp("ts.pcapng");
    let p = path.to_str().unwrap();
    let t0 = now_ns();
    let (code, stdout) = capture(&["-w", p, "--filter", "udp-port=9000", "--duration", "8"]);
    let t1 = now_ns();
    assert_eq!(code, Some(0));
    if withheld {
        println!(
            "branch: the running kernel withholds bpf_xdp_adjust_meta (#54) from XDP programs: \
             checking the fallback (plain filter, software timestamps)"
        );
        // It says why, naming the helper (the probe's typed error, not a verifier log).
        let err = xsk_runtime::xsk::metadata::check_rx_metadata_support(
            "xsk-capture's RX metadata program",
        )
        .expect_err("the probe says the kernel withholds the helper");
        assert!(
            matches!(
                err,
                xsk_runtime::Error::HelperUnavailable {
                    helper: ADJUST_META,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            stdout.contains(&format!(
                "the RX metadata program is not used (XDP RX metadata: {err}); falling back to \
                 the plain filter: every timestamp is software"
            )),
            "{stdout}"
        );
        assert!(!stdout.contains("verifier log"), "{stdout}");
        assert!(stdout.contains("xsk_udp_port on "), "{stdout}");
        assert!(
            stdout.contains(
                "timestamps: 0 hardware, 25 software (in ns, each noted in the packet's \
                 comment); RX metadata program: no (fallback: the running kernel withholds \
                 bpf_xdp_adjust_meta (helper #54) from XDP programs)"
            ),
            "{stdout}"
        );
    } else if !lacking.is_empty() {
        println!(
            "branch: the running kernel's BTF lacks the RX metadata kfuncs {lacking:?}: \
             checking the fallback (plain filter, software timestamps)"
        );
        assert!(
            stdout.contains("the RX metadata program is not used (")
                && lacking
                    .iter()
                    .any(|k| stdout.contains(&format!("calls `{k}`")))
                && stdout.contains("which the running kernel does not have"),
            "{stdout}"
        );
        assert!(stdout.contains("xsk_udp_port on "), "{stdout}");
        assert!(
            stdout.contains(
                "timestamps: 0 hardware, 25 software (in ns, each noted in the packet's \
                 comment); RX metadata program: no (fallback: the device-bound RX metadata \
                 program could not be set up)"
            ),
            "{stdout}"
        );
    } else {
        println!(
            "branch: the running kernel offers bpf_xdp_adjust_meta to XDP programs and has \
             the RX metadata kfuncs: checking the RX metadata program's capture"
        );
        // The device-bound metadata program ran; veth gave no hardware timestamp (0).
        assert!(stdout.contains("RX metadata program: yes"), "{stdout}");
        assert!(
            stdout.contains("timestamps: 0 hardware, 25 software"),
            "{stdout}"
        );
    }
    let sent: Vec<Vec<u8>> = (0..25)
        .map(|i| format!("capture test {i} to port 9000").into_bytes())
        .collect();

    // Our reader: nanosecond resolution, the same bytes, the comments.
    let file = xsk_examples::pcapng::read(&path).unwrap();
    assert_eq!(file.version, (1, 0));
    assert_eq!(file.interfaces.len(), 1);
    assert_eq!(
        (file.interfaces[0].linktype, file.interfaces[0].tsresol),
        (1, 9)
    );
    // The file says where its timestamps come from.
    let why = if withheld {
        "timestamps: software (CLOCK_REALTIME when taken off the AF_XDP RX ring); no RX \
         metadata program: the running kernel withholds bpf_xdp_adjust_meta (helper #54) from \
         XDP programs"
    } else if fallback {
        "timestamps: software (CLOCK_REALTIME when taken off the AF_XDP RX ring); no RX \
         metadata program: the device-bound RX metadata program could not be set up"
    } else {
        "timestamps: the driver's hardware RX timestamp (XDP RX metadata) where it gave a \
         non-zero one, else software (CLOCK_REALTIME when taken off the AF_XDP RX ring); each \
         packet's comment says which"
    };
    assert_eq!(file.interfaces[0].comments, [why]);
    assert_eq!(file.records.len(), 25);
    for (rec, want) in file.records.iter().zip(&sent) {
        match parse(&rec.data) {
            Parsed::Udp { dport, payload, .. } => {
                assert_eq!(dport, 9000);
                assert_eq!(payload, &want[..]);
            }
            other => panic!("not UDP: {other:?}"),
        }
        assert_eq!(rec.comments.len(), 1);
        if fallback {
            assert_eq!(rec.comments, ["ts=sw (no RX metadata program)"]);
        } else {
            assert!(
                rec.comments[0].starts_with("ts=sw (hw timestamp 0) rx_hash=0x"),
                "{:?}",
                rec.comments
            );
        }
    }

    // tshark: every packet, its payload, a plausible timestamp, the comment.
    let seen = tshark(&path);
    assert_eq!(seen.len(), 25, "{seen:?}");
    let mut last = t0;
    for (i, ((ts, comment, payload), want)) in seen.iter().zip(&sent).enumerate() {
        assert_eq!(payload, want, "packet {i}");
        assert!(
            (last..=t1).contains(ts),
            "packet {i}: timestamp {ts} not in [{last}, {t1}] (run from {t0})"
        );
        last = *ts;
        assert_eq!(comment, &file.records[i].comments[0]);
        assert_eq!(*ts, file.records[i].timestamp_ns);
    }
    let _ = std::fs::remove_file(&path);
}

fn without_the_metadata_program_and_as_classic_pcap() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // pcapng with the plain filter: software timestamps, and the comments say why.
    let path = temp("plain.pcapng");
    let p = path.to_str().unwrap();
    let t0 = now_ns();
    let (code, stdout) = capture(&[
        "-w",
        p,
        "--filter",
        "udp",
        "--no-rx-meta",
        "--duration",
        "8",
    ]);
    let t1 = now_ns();
    assert_eq!(code, Some(0));
    assert!(stdout.contains("xsk_udp_only on"), "{stdout}");
    assert!(stdout.contains("RX metadata program: no"), "{stdout}");
    let file = xsk_examples::pcapng::read(&path).unwrap();
    assert_eq!(file.records.len(), 50);
    for r in &file.records {
        assert_eq!(r.comments, ["ts=sw (no RX metadata program)"]);
        assert!((t0..=t1).contains(&r.timestamp_ns));
    }
    assert_eq!(tshark(&path).len(), 50);
    let _ = std::fs::remove_file(&path);

    // --format pcap: the classic file, whatever the name.
    let path = temp("classic.cap");
    let p = path.to_str().unwrap();
    let (code, _) = capture(&[
        "-w",
        p,
        "--format",
        "pcap",
        "--filter",
        "udp-port=9001",
        "--duration",
        "8",
    ]);
    assert_eq!(code, Some(0));
    let file = xsk_examples::pcap::read(&path).unwrap();
    assert_eq!((file.version, file.records.len()), ((2, 4), 25));
    let _ = std::fs::remove_file(&path);
}

fn a_bad_format_is_a_usage_error() {
    let (code, _) = capture(&["--format", "erf"]);
    assert_eq!(code, Some(2));
}

kernel_tests! {
    privileged: [
        pcapng_timestamps_and_payloads_read_back_with_tshark,
        without_the_metadata_program_and_as_classic_pcap,
    ],
    plain: [a_bad_format_is_a_usage_error],
}
