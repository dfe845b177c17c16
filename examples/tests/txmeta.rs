//! `xsk-txmeta` in its sandbox: datagrams sent from an AF_XDP socket with TX metadata arrive at
//! the far end, each completion carries the kernel's software timestamp (veth: copy mode), the
//! probe's report is printed, and `--strict` refuses requests veth would not carry out (a
//! checksum without `--sw-csum`, a launch time). Privileged: skipped with a printed reason when
//! not root and `CI` is not `true`.

use xsk_testkit::kernel_tests;

use std::process::Command;

/// The examples' tests one at a time (each builds namespaces and runs traffic).
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs xsk-txmeta; returns (exit code, stdout, stderr).
fn txmeta(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xsk-txmeta"))
        .args(args)
        .output()
        .expect("starting xsk-txmeta");
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    println!("$ xsk-txmeta {}\n{o}{e}", args.join(" "));
    (out.status.code(), o, e)
}

/// The branch of a kernel that refuses `tx_metadata_len` (the probe's own UMEM registration
/// says so; TX metadata is 6.8, the flag 6.11): xsk-txmeta stops with the UMEM's error and
/// its hint, or with --strict before that, saying the kernel does not support the requests.
/// True when this kernel took it (checked, printed).
fn kernel_refuses_tx_metadata(args: &[&str]) -> bool {
    let s = xsk_runtime::xsk::tx_metadata::TxMetadataSupport::probe(0);
    let Err(why) = &s.kernel else {
        return false;
    };
    println!("branch: the kernel refuses tx_metadata_len ({why}): checking xsk-txmeta's error");
    let (code, out, err) = txmeta(args);
    assert_eq!(code, Some(1), "{err}");
    assert!(!out.contains("datagrams received"), "{out}");
    if args.contains(&"--strict") {
        assert!(
            err.contains("--strict: not sending: ")
                && err.contains("this kernel does not support it"),
            "{err}"
        );
    } else {
        assert!(
            err.contains("error: registering a UMEM with TX metadata: ")
                && err.contains("hint: ")
                && err.contains("XDP_UMEM_TX_METADATA_LEN"),
            "{err}"
        );
    }
    true
}

fn timestamps_and_software_checksums_arrive() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if kernel_refuses_tx_metadata(&["-c", "6", "--checksum", "--sw-csum"]) {
        return;
    }
    let (code, out, _) = txmeta(&["-c", "6", "--checksum", "--sw-csum"]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("driver (netdev xsk-features): tx-timestamp false, tx-checksum false"),
        "{out}"
    );
    assert!(
        out.contains("timestamp: done by the kernel in software"),
        "{out}"
    );
    assert!(
        out.contains("checksum: done by the kernel in software"),
        "{out}"
    );
    assert!(
        out.contains("6 of 6 datagrams received by the peer; 6 completion timestamps"),
        "{out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("packet ") && l.contains("completion timestamp"))
            .count(),
        6
    );
}

fn strict_refuses_what_veth_would_not_do() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    if kernel_refuses_tx_metadata(&["--checksum", "--strict"])
        && kernel_refuses_tx_metadata(&["-c", "2", "--launch-in-ms", "10"])
    {
        return;
    }
    let (code, _, err) = txmeta(&["--checksum", "--strict"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("TX checksum: in copy mode it is only handed to the driver's skb path"),
        "{err}"
    );
    let (code, _, err) = txmeta(&["--launch-in-ms", "10", "--strict"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("launch time"), "{err}");
    // Without --strict the same requests are sent, with a note; a kernel that does not know
    // the launch-time flag (its BTF says) would refuse the descriptor, so they go without it.
    let (code, out, err) = txmeta(&["-c", "2", "--launch-in-ms", "10"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("note: ") && out.contains("2 of 2 datagrams"),
        "{out}"
    );
    let without = out.contains("sending without the launch time");
    if xsk_runtime::xsk::tx_metadata::kernel_knows_launch_time() {
        println!("branch: the kernel knows the launch-time flag: sent with it");
        assert!(!without, "{out}");
    } else {
        println!("branch: the kernel does not know the launch-time flag: sent without it");
        assert!(without, "{out}");
    }
}

fn usage_errors_exit_2() {
    for args in [&["--sw-csum"][..], &["-c", "0"][..]] {
        let (code, _, _) = txmeta(args);
        assert_eq!(code, Some(2), "{args:?}");
    }
}

kernel_tests! {
    privileged: [
        timestamps_and_software_checksums_arrive,
        strict_refuses_what_veth_would_not_do,
    ],
    plain: [usage_errors_exit_2],
}
