//! The open-coded loops of `ebpf-dsl/tests/elf/iter_for.c` (the numbers iterator, as libbpf's
//! `bpf_for` writes them) against the running kernel: compiled by clang-19, read by our ELF
//! reader, the kfunc calls resolved by name through the kernel's BTF and loaded by
//! xsk-runtime's `Loader`. The kernel accepts `xdp_sum` and `tc_nested` and refuses `leaky`
//! (its iterator's unreleased reference), the static verifier's verdicts
//! (`ebpf-dsl/tests/elf_iter.rs`); `xdp_sum` runs (`BPF_PROG_TEST_RUN`): XDP_PASS when a byte
//! of the first 64 is set, XDP_DROP for zeros. A kernel without the iterator's kfuncs (its
//! BTF says; 6.4) gets each object refused before loading, naming the kfunc.
//!
//! Needs root (CAP_BPF) and clang-19; skipped with a message otherwise, unless `CI=true`.

use xsk_testkit::kernel_tests;

use xsk_runtime::test_run::XdpAction;
use xsk_runtime::{Error, Loader};

/// `iter_for.c` compiled, or `None` (printed) without clang-19 outside CI.
fn iter_object() -> Option<Vec<u8>> {
    let have = std::process::Command::new("clang-19")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clang-19 is needed under CI=true"
        );
        eprintln!("skipped: clang-19 is not installed");
        return None;
    }
    let src =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/elf/iter_for.c");
    let obj = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-iter-for.o");
    let st = std::process::Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success(), "clang-19 failed on {}", src.display());
    Some(std::fs::read(&obj).unwrap())
}

fn load(bytes: &[u8], name: &str) -> Result<xsk_runtime::Loaded, Error> {
    Loader::new()
        .object_bytes_with(bytes, |p| p.function == name, Default::default())?
        .load()
}

fn bpf_for_loops_get_the_static_verdicts_and_run() {
    let Some(bytes) = iter_object() else { return };
    // A kernel whose BTF lacks the numbers iterator's kfuncs (before 6.4, e.g. Debian's 6.1):
    // the object is refused before loading, naming the missing kfunc, as libbpf refuses it.
    let ids = xsk_runtime::bpf::kfunc::vmlinux_kfunc_ids().expect("the kernel's kfunc ids");
    let missing: Vec<&str> = [
        "bpf_iter_num_new",
        "bpf_iter_num_next",
        "bpf_iter_num_destroy",
    ]
    .into_iter()
    .filter(|k| !ids.contains_key(k))
    .collect();
    if !missing.is_empty() {
        println!("branch: the kernel's BTF lacks {missing:?}: checking the loader's error");
        for name in ["xdp_sum", "tc_nested", "leaky"] {
            let e = load(&bytes, name).expect_err("an object calling missing kfuncs loads");
            let text = e.to_string();
            assert!(
                missing.iter().any(|k| text.contains(&format!("'{k}'")))
                    && text.contains("not found in kernel or module BTFs"),
                "{name}: {text}"
            );
        }
        return;
    }
    let loaded = load(&bytes, "xdp_sum").unwrap();
    let sum = loaded.program("xdp_sum").unwrap();
    assert_eq!(
        sum.test_run(&[0; 64], 1).unwrap().action(),
        Some(XdpAction::Drop)
    );
    let mut pkt = [0u8; 64];
    pkt[63] = 1;
    assert_eq!(
        sum.test_run(&pkt, 1).unwrap().action(),
        Some(XdpAction::Pass)
    );
    load(&bytes, "tc_nested").unwrap();
    match load(&bytes, "leaky") {
        Err(Error::Verifier { log, .. }) => {
            assert!(log.contains("Unreleased reference"), "{log}")
        }
        Err(e) => panic!("leaky: refused for another reason: {e}"),
        Ok(_) => panic!("leaky: the kernel accepted a leaked iterator"),
    }
}

kernel_tests! {
    privileged: [
        bpf_for_loops_get_the_static_verdicts_and_run,
    ],
}
