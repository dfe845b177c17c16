//! Programs against the real kernel: load errors with the verifier log, relocation errors, the
//! loader, test runs, pinning.

use xsk_testkit::kernel_tests;

mod common;

use std::borrow::Cow;

use common::{asm, counters, xskmap};
use ebpf_dsl::{Insn, ProgramType, RelocKind, Relocation};
use xsk_runtime::maps::{Array, Map, XskMap};
use xsk_runtime::program::{relocate, spec_from_insns, LoadOptions};
use xsk_runtime::test_run::XdpAction;
use xsk_runtime::{Error, Loader, Program};

const EXIT: Insn = Insn::new(0x95, 0, 0, 0, 0);

fn verifier_rejection_keeps_the_whole_log() {
    // r0 = r2 (never written): "R2 !read_ok".
    let spec = spec_from_insns(
        "bad_read",
        ProgramType::Xdp,
        vec![Insn::new(0xbf, 0, 2, 0, 0), EXIT],
    );
    let e = Program::load(&spec, &[]).unwrap_err();
    let Error::Verifier {
        program,
        errno,
        log,
        ..
    } = &e
    else {
        panic!("expected a verifier error, got {e}");
    };
    assert_eq!(program, "bad_read");
    assert_eq!(*errno, libc::EACCES);
    assert!(log.contains("R2 !read_ok"), "{log}");
    let shown = e.to_string();
    assert!(
        shown.contains("verifier rejected program `bad_read`"),
        "{shown}"
    );
    assert!(shown.contains("R2 !read_ok"), "{shown}");
    assert!(shown.contains("verifier log (last"), "{shown}");
}

fn long_log_grows_the_buffer() {
    // 6000 instructions at log level 2: far more than the first 64 KiB buffer.
    let mut insns = vec![Insn::new(0xb7, 0, 0, 0, 2); 6000];
    insns.push(EXIT);
    let spec = spec_from_insns("long_log", ProgramType::Xdp, insns);
    let opts = LoadOptions {
        always_log: true,
        verbose: true,
        ..Default::default()
    };
    let p = Program::load_with(&spec, &[], &opts).unwrap();
    let log = p.verifier_log().unwrap();
    assert!(log.len() > 64 * 1024, "log is {} bytes", log.len());
    assert!(
        log.contains("processed 6001 insns"),
        "{}",
        &log[log.len() - 300..]
    );
    // BPF_LOG_STATS with the log: the kernel's own verification time.
    assert!(
        log.contains("verification time "),
        "{}",
        &log[log.len() - 300..]
    );
}

fn relocation_errors() {
    let spec = asm("uses_map", "r1 = missing ll\nr0 = XDP_PASS\nexit", vec![]);
    let e = Loader::new().program(spec.clone()).load().unwrap_err();
    assert!(
        matches!(&e, Error::UnknownMap { symbol, insn_index: 0, .. } if symbol == "missing"),
        "{e}"
    );
    // An offset outside the value of the map.
    let m = Map::create(&counters("small", 1)).unwrap();
    let mut bad = spec_from_insns(
        "bad_off",
        ProgramType::Xdp,
        vec![Insn::new(0x18, 1, 0, 0, 0), Insn::new(0, 0, 0, 0, 0), EXIT],
    );
    bad.relocations = Cow::Owned(vec![Relocation {
        insn_index: 0,
        symbol: Cow::Borrowed("small"),
        kind: RelocKind::MapValue { offset: 8 },
    }]);
    let e = relocate(&bad, |s| (s == "small").then_some(&m)).unwrap_err();
    assert!(matches!(e, Error::BadRelocation { .. }), "{e}");
    // The right relocation writes the fd and the pseudo source.
    let spec = asm("ok_map", "r1 = small ll\nr0 = XDP_PASS\nexit", vec![]);
    let insns = relocate(&spec, |s| (s == "small").then_some(&m)).unwrap();
    assert_eq!(insns[0].imm, m.raw_fd());
    assert_eq!(insns[0].src(), 1);
}

fn test_run_actions_output_and_repeat() {
    let drop = Program::load(&asm("drop", "r0 = XDP_DROP\nexit", vec![]), &[]).unwrap();
    let pkt = [0xabu8; 64];
    let r = drop.test_run(&pkt, 1).unwrap();
    assert_eq!(r.action(), Some(XdpAction::Drop));
    // Rewrite the first byte of the packet, then pass.
    let src = "
        r2 = *(u32 *)(r1 + 0)
        r3 = *(u32 *)(r1 + 4)
        r4 = r2
        r4 += 14
        if r4 > r3 goto out
        r5 = 0x42
        *(u8 *)(r2 + 0) = r5
    out:
        r0 = XDP_PASS
        exit";
    let w = Program::load(&asm("write", src, vec![]), &[]).unwrap();
    let r = w.test_run(&pkt, 1000).unwrap();
    assert_eq!(r.action(), Some(XdpAction::Pass));
    assert_eq!(r.data_out.len(), 64);
    assert_eq!(r.data_out[0], 0x42);
    assert_eq!(&r.data_out[1..], &pkt[1..]);
    // Too short for XDP: refused before the kernel.
    assert!(matches!(
        w.test_run(&[0; 4], 1).unwrap_err(),
        Error::InvalidArgument { .. }
    ));
}

const COUNT_SRC: &str = "
    r1 = map_value(counts, 0) ll
    r2 = 1
    lock *(u64 *)(r1 + 0) += r2
    r0 = XDP_PASS
    exit";

fn loader_creates_maps_and_programs_by_name() {
    let prog = asm("count", COUNT_SRC, vec![counters("counts", 1)]);
    let loaded = Loader::new()
        .map(xskmap("xsks", 4))
        .program(prog)
        .load()
        .unwrap();
    let mut names: Vec<&str> = loaded.map_names().collect();
    names.sort();
    assert_eq!(names, vec!["counts", "xsks"]);
    let p = loaded.program("count").unwrap();
    assert_eq!(p.name(), "count");
    assert_eq!(p.prog_type(), Some(ProgramType::Xdp));
    p.test_run(&[0; 14], 5).unwrap();
    let counts: Array<u64> = loaded.map("counts").unwrap();
    assert_eq!(counts.get(0).unwrap(), 5);
    let _xsks: XskMap = loaded.map("xsks").unwrap();
    // Wrong type asked for: a clear mismatch.
    let e = loaded.map::<XskMap>("counts").unwrap_err();
    assert!(matches!(e, Error::MapMismatch { .. }), "{e}");
    assert!(matches!(
        loaded.program("nope").unwrap_err(),
        Error::NotFound {
            kind: "program",
            ..
        }
    ));
    // Sharing an existing map with a second loader.
    let shared = loaded.map::<Map>("counts").unwrap();
    let again = Loader::new()
        .use_map(shared)
        .program(asm("count2", COUNT_SRC, vec![]))
        .load()
        .unwrap();
    again
        .program("count2")
        .unwrap()
        .test_run(&[0; 14], 3)
        .unwrap();
    assert_eq!(counts.get(0).unwrap(), 8);
}

fn pinning_maps_and_programs() {
    let dir = std::path::Path::new(xsk_runtime::pin::DEFAULT_BPFFS);
    xsk_runtime::pin::ensure_bpffs(dir).unwrap();
    let map_path = dir.join(format!("xskrt_test_map_{}", std::process::id()));
    let prog_path = dir.join(format!("xskrt_test_prog_{}", std::process::id()));
    let _pins = (
        common::RemoveOnDrop(map_path.clone()),
        common::RemoveOnDrop(prog_path.clone()),
    );
    let a: Array<u64> = Array::create("pinned", 2).unwrap();
    a.map().pin(&map_path).unwrap();
    // Pinning twice at the same path: EEXIST with a hint.
    let e = a.map().pin(&map_path).unwrap_err();
    assert_eq!(e.errno(), Some(libc::EEXIST), "{e}");
    let b: Array<u64> = Map::from_pinned(&map_path).unwrap().try_into().unwrap();
    b.set(1, &77).unwrap();
    assert_eq!(a.get(1).unwrap(), 77);
    assert_eq!(b.map().id(), a.map().id());
    let p = Program::load(&asm("pinprog", "r0 = XDP_TX\nexit", vec![]), &[]).unwrap();
    p.pin(&prog_path).unwrap();
    let q = Program::from_pinned(&prog_path).unwrap();
    assert_eq!(q.id(), p.id());
    assert_eq!(
        q.test_run(&[0; 14], 1).unwrap().action(),
        Some(XdpAction::Tx)
    );
    xsk_runtime::pin::unpin(&map_path).unwrap();
    xsk_runtime::pin::unpin(&prog_path).unwrap();
    let e = Map::from_pinned(&map_path).unwrap_err();
    assert_eq!(e.errno(), Some(libc::ENOENT), "{e}");
    // A path outside bpffs cannot hold a pin.
    let e = a.map().pin("/tmp/not-bpffs-pin").unwrap_err();
    assert!(e.errno().is_some(), "{e}");
}

fn seed_programs_load_and_pass_without_sockets() {
    for (name, src) in [
        ("redirect_all", ebpf_dsl::seeds::SEED_REDIRECT_ALL_ASM),
        ("udp_only", ebpf_dsl::seeds::SEED_UDP_ONLY_ASM),
        ("lookup_first", ebpf_dsl::seeds::SEED_LOOKUP_FIRST_ASM),
    ] {
        let loaded = Loader::new()
            .program(asm(name, src, vec![xskmap("xsks", 4)]))
            .load()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let p = loaded.program(name).unwrap();
        let frame = common::udp_frame(
            [2, 0, 0, 0, 0, 2],
            [2, 0, 0, 0, 0, 1],
            "10.0.0.2".parse().unwrap(),
            "10.0.0.1".parse().unwrap(),
            1000,
            2000,
            b"payload",
        );
        // No socket in the XSKMAP: the fallback is XDP_PASS.
        let r = p.test_run(&frame, 1).unwrap();
        assert_eq!(r.action(), Some(XdpAction::Pass), "{name}");
    }
}

const BPFFS_CHILD_ENV: &str = "XSK_RUNTIME_TEST_BPFFS_DIR";

/// In the child (a private mount namespace): mount a bpffs where there is none, use it.
fn bpffs_child(dir: &str) -> ! {
    let dir = std::path::Path::new(dir);
    let mounted = xsk_runtime::pin::ensure_bpffs(dir).unwrap();
    let again = xsk_runtime::pin::ensure_bpffs(dir).unwrap();
    let a: Array<u64> = Array::create("in_new_bpffs", 1).unwrap();
    a.set(0, &5).unwrap();
    let pin = dir.join("m");
    a.map().pin(&pin).unwrap();
    let b: Array<u64> = Map::from_pinned(&pin).unwrap().try_into().unwrap();
    println!(
        "BPFFS mounted={mounted} again={again} value={}",
        b.get(0).unwrap()
    );
    std::process::exit(0);
}

fn ensure_bpffs_mounts_one_where_there_is_none() {
    if let Ok(dir) = std::env::var(BPFFS_CHILD_ENV) {
        bpffs_child(&dir);
    }
    // The mount happens in a private mount namespace (`unshare --mount`), so nothing is left
    // mounted on the host whatever happens; the directory is removed by the guard.
    let dir = std::env::temp_dir().join(format!("xskrt-bpffs-{}", std::process::id()));
    struct RemoveDir(std::path::PathBuf);
    impl Drop for RemoveDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let _guard = RemoveDir(dir.clone());
    let out = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ensure_bpffs_mounts_one_where_there_is_none",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(BPFFS_CHILD_ENV, &dir)
        .output()
        .expect("run unshare (util-linux)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("BPFFS mounted=true again=false value=5"),
        "child: {stdout}\n{stderr}"
    );
    // Not mounted here (the child's mount namespace is gone).
    assert!(!xsk_runtime::os::is_bpffs(&dir).unwrap_or(false));
}

kernel_tests! {
    privileged: [
        verifier_rejection_keeps_the_whole_log,
        long_log_grows_the_buffer,
        relocation_errors,
        test_run_actions_output_and_repeat,
        loader_creates_maps_and_programs_by_name,
        pinning_maps_and_programs,
        seed_programs_load_and_pass_without_sockets,
        ensure_bpffs_mounts_one_where_there_is_none,
    ],
}
