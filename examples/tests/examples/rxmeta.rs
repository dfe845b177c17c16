//! `xsk-rxmeta`: a stable hash per flow, or the typed error of a kernel that lacks a part of
//! RX metadata.

use crate::common::run;

/// On a kernel that withholds `bpf_xdp_adjust_meta` (#54) from XDP programs (the probe says
/// so, not the version), xsk-rxmeta stops before it makes anything, with the typed error that
/// names the helper and what still works; elsewhere it prints a stable hash per flow.
pub fn rxmeta_prints_a_stable_hash_per_flow() {
    let withheld = xsk_runtime::features::unavailable_helpers(ebpf_dsl::ProgramType::Xdp)
        .expect("probe the helpers the kernel withholds from XDP programs")
        .contains(&54);
    let r = run(env!("CARGO_BIN_EXE_xsk-rxmeta"), &["--count", "6"]);
    if withheld {
        println!(
            "branch: the running kernel withholds bpf_xdp_adjust_meta (#54) from XDP programs: \
             checking xsk-rxmeta's typed error"
        );
        let err = xsk_runtime::xsk::metadata::check_rx_metadata_support(
            "xsk-rxmeta (the RX hash and timestamp in front of each packet)",
        )
        .expect_err("the probe says the kernel withholds the helper");
        assert!(
            matches!(
                err,
                xsk_runtime::Error::HelperUnavailable { helper: 54, .. }
            ),
            "{err:?}"
        );
        assert_eq!(r.code, Some(1), "exit status; stderr:\n{}", r.stderr);
        // The last line (a run may first say which stale sandboxes it removed).
        assert_eq!(
            r.stderr.lines().last(),
            Some(format!("xsk-rxmeta: error: RX metadata to AF_XDP: {err}").as_str()),
        );
        assert!(
            r.stderr
                .contains("needs bpf_xdp_adjust_meta (helper #54), which the running kernel withholds from xdp programs"),
            "{}",
            r.stderr
        );
        assert!(
            r.stderr
                .contains(xsk_runtime::xsk::metadata::HINT_NO_ADJUST_META),
            "{}",
            r.stderr
        );
        // Nothing was made: no sandbox, no packets.
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        return;
    }
    // The RX metadata kfuncs (6.3): where the kernel's BTF lacks them, xsk-rxmeta's program
    // cannot load, and it says which kfunc is missing.
    let kfuncs = xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids().expect("the kernel's kfunc ids");
    let missing: Vec<&str> = ["bpf_xdp_metadata_rx_timestamp", "bpf_xdp_metadata_rx_hash"]
        .into_iter()
        .filter(|k| !kfuncs.contains_key(k))
        .collect();
    if !missing.is_empty() {
        println!(
            "branch: the running kernel lacks the RX metadata kfuncs {missing:?}: checking \
             xsk-rxmeta's error"
        );
        assert_eq!(r.code, Some(1), "exit status; stderr:\n{}", r.stderr);
        let last = r.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("xsk-rxmeta: error: ")
                && missing
                    .iter()
                    .any(|k| last.contains(&format!("calls `{k}`")))
                && last.contains("which the running kernel does not have"),
            "{}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        r.sandbox_removed();
        return;
    }
    println!(
        "branch: the running kernel offers bpf_xdp_adjust_meta to XDP programs: checking the \
         hashes xsk-rxmeta prints"
    );
    r.ok().sandbox_removed();
    let mut by_flow = std::collections::BTreeMap::<String, Vec<String>>::new();
    for line in r.stdout.lines().filter(|l| l.contains(" hash=")) {
        let flow = line.split(" -> ").next().unwrap_or_default().to_string();
        let hash = line.split("hash=").nth(1).unwrap_or_default();
        by_flow
            .entry(flow)
            .or_default()
            .push(hash.split(' ').next().unwrap_or_default().to_string());
    }
    assert_eq!(by_flow.len(), 2, "two flows: {}", r.stdout);
    for hashes in by_flow.values() {
        assert_eq!(hashes.len(), 3, "{}", r.stdout);
        assert!(
            hashes[0].starts_with("0x") && hashes[0] != "0x00000000",
            "{}",
            r.stdout
        );
        assert!(hashes.iter().all(|h| *h == hashes[0]), "{}", r.stdout);
    }
    assert!(r.stdout.contains("6 packets with their RX metadata"));
}
