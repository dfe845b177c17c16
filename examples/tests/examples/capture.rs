//! `xsk-capture`: the pcap of what the filter selects.

use std::path::PathBuf;
use std::process::Command;

use crate::common::{run, ONE_AT_A_TIME};

pub fn capture_writes_a_pcap_of_what_the_filter_selects() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let path: PathBuf =
        std::env::temp_dir().join(format!("xsk-capture-test-{}.pcap", std::process::id()));
    let p = path.to_str().unwrap();
    let r = run(
        env!("CARGO_BIN_EXE_xsk-capture"),
        &["-w", p, "--filter", "udp-port=9000", "--duration", "8"],
    );
    r.ok().sandbox_removed();
    // Our own reader: 25 records, each a UDP datagram to port 9000.
    let file = xsk_examples::pcap::read(&path).unwrap();
    assert_eq!((file.version, file.linktype), ((2, 4), 1));
    assert_eq!(file.records.len(), 25);
    for rec in &file.records {
        match xsk_examples::packet::parse(&rec.data) {
            xsk_examples::packet::Parsed::Udp { dport, payload, .. } => {
                assert_eq!(dport, 9000);
                assert!(payload.starts_with(b"capture test "));
            }
            other => panic!("not UDP: {other:?}"),
        }
    }
    // And the tools users read it with, where installed (CI installs tshark).
    if let Ok(out) = Command::new("tshark")
        .args(["-r", p, "-T", "fields", "-e", "udp.dstport"])
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ports = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            ports.lines().filter(|l| l.trim() == "9000").count(),
            25,
            "{ports}"
        );
    } else if let Ok(out) = Command::new("tcpdump").args(["-n", "-r", p]).output() {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            text.lines().filter(|l| l.contains(".9000: UDP")).count(),
            25,
            "{text}"
        );
    } else {
        println!("neither tshark nor tcpdump is installed: checked with our reader only");
    }
    let _ = std::fs::remove_file(&path);
}
