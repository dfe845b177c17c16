//! The `ebpf-dsl load` and `run` subcommands against the real kernel.

use xsk_testkit::kernel_tests;

mod support;
use support::run;

fn write_src(name: &str, text: &str) -> std::path::PathBuf {
    support::write_file("kernel", name, text)
}

fn run_prints_action_packet_and_duration() {
    // Overwrite the first two bytes of the packet (idempotent over repeats), then XDP_TX.
    let src = "
        r2 = *(u32 *)(r1 + 0)
        r3 = *(u32 *)(r1 + 4)
        r4 = r2
        r4 += 14
        if r4 > r3 goto out
        r5 = 0xcc
        *(u8 *)(r2 + 0) = r5
        *(u8 *)(r2 + 1) = r5
        r0 = XDP_TX
        exit
    out:
        r0 = XDP_ABORTED
        exit
    ";
    let f = write_src("tx.s", src);
    let (code, out, err) = run(&[
        "run",
        f.to_str().unwrap(),
        "--type",
        "xdp",
        "--packet",
        "aabb0000000000000000000000000102",
        "--repeat",
        "10",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("action: XDP_TX (retval 3)"), "{out}");
    assert!(
        out.contains("packet out (16 bytes): cccc0000000000000000000000000102"),
        "{out}"
    );
    assert!(out.contains("ns/run over 10 runs"), "{out}");
    // Bad usage: a missing --packet.
    let (code, _, err) = run(&["run", f.to_str().unwrap(), "--type", "xdp"]);
    assert_eq!(code, 2);
    assert!(err.contains("--packet HEX is required"), "{err}");
}

fn load_prints_the_verdict_and_the_log() {
    let good = write_src("good.s", "r0 = XDP_PASS\nexit\n");
    let (code, out, err) = run(&["load", good.to_str().unwrap(), "--log"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifier: accepted `good`"), "{out}");
    assert!(out.contains("processed 2 insns"), "{out}");
    let bad = write_src("bad.s", "r0 = r2\nexit\n");
    let (code, out, err) = run(&["load", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("verifier: rejected"), "{out}");
    assert!(out.contains("R2 !read_ok"), "{out}");
    // A map named in the program must be declared.
    let m = write_src("m.s", "r1 = xsks ll\nr0 = XDP_PASS\nexit\n");
    let (code, _, err) = run(&["load", m.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("--map"), "{err}");
    let (code, out, err) = run(&["load", m.to_str().unwrap(), "--map", "xsks:xskmap:4:4:4"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// `features` prints the feature table and, per program type, the helpers this kernel refuses
/// though its release offers them: exactly the probe's refusals that the verifier's table
/// offers, so that `check --unavailable-helpers running` and `features` tell the same story; a
/// program calling one is refused by `check --unavailable-helpers running` and by `load`.
fn features_lists_the_withheld_helpers() {
    use ebpf_dsl::ProgramType;
    let (code, out, err) = run(&["features"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("XSKMAP") && out.contains("live frames"),
        "{out}"
    );
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let kernel = ebpf_dsl::verifier::KernelVersion::parse(&release).unwrap();
    for pt in [
        ProgramType::Xdp,
        ProgramType::SchedCls,
        ProgramType::SchedAct,
        ProgramType::SocketFilter,
    ] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&pt.to_string()))
            .unwrap_or_else(|| panic!("no line for {pt}:\n{out}"));
        let probed = xsk_runtime::features::unavailable_helpers(pt).unwrap();
        let withheld: Vec<u32> = probed
            .iter()
            .copied()
            .filter(|&id| ebpf_dsl::verifier::offered_to(id, pt, kernel))
            .collect();
        println!("{line}");
        if withheld.is_empty() {
            assert!(line.ends_with(" none"), "{line}");
            continue;
        }
        for id in withheld {
            let name = ebpf_dsl::helpers::helper_by_id(id).unwrap().name;
            assert!(line.contains(&format!("{name} (#{id})")), "{line}");
            // Both verdicts on a program that calls it: refused.
            let f = write_src(
                &format!("withheld_{id}.s"),
                &format!("call {name}\nr0 = 0\nexit\n"),
            );
            let ty = pt.to_string();
            let (code, _, err) = run(&[
                "check",
                f.to_str().unwrap(),
                "--type",
                &ty,
                "--unavailable-helpers",
                "running",
            ]);
            assert_eq!(code, 1, "{err}");
            assert!(err.contains("not offered to"), "{err}");
            let (code, out, _) = run(&["load", f.to_str().unwrap(), "--type", &ty]);
            assert_eq!(code, 1, "{out}");
            assert!(out.contains("cannot use helper"), "{out}");
        }
    }
}

kernel_tests! {
    privileged: [
        run_prints_action_packet_and_duration,
        load_prints_the_verdict_and_the_log,
        features_lists_the_withheld_helpers,
    ],
}
