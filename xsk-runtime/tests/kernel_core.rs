//! An ELF object with CO-RE relocations and `__kconfig` externs loaded by our loader into the
//! running kernel (`tests/elf/core_kernel.c`, compiled by clang-19): the relocations are
//! resolved against `/sys/kernel/btf/vmlinux` and the externs get the running kernel's
//! version and configuration, as libbpf does, so the program reads the kernel's `struct
//! tcphdr` layout (a field and a bitfield by name) and returns the kernel's `XDP_PASS`.
//! Skipped (printed) without clang-19 unless CI=true.

use xsk_testkit::kernel_tests;

use std::path::Path;
use std::process::Command;

use xsk_runtime::test_run::XdpAction;
use xsk_runtime::Loader;

fn co_re_and_kconfig_resolve_against_the_running_kernel() {
    let have = Command::new("clang-19")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "clang-19 is needed under CI=true"
        );
        eprintln!("skipped: clang-19 is not installed");
        return;
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/elf/core_kernel.c");
    let obj = Path::new(env!("CARGO_TARGET_TMPDIR")).join("kernel-core.o");
    let st = Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&obj).unwrap();
    // The plain reader refuses the object: it needs the target kernel.
    assert!(ebpf_dsl::elf::read_object(&bytes).is_err());
    let loaded = Loader::new().object_bytes(&bytes).unwrap().load().unwrap();
    let p = loaded.program("core_kernel").unwrap();
    // A TCP header as the kernel lays it out: dest port 80 at bytes 2..4, ACK (bit 4 of byte
    // 13).
    let mut pkt = [0u8; 64];
    pkt[2..4].copy_from_slice(&80u16.to_be_bytes());
    pkt[13] = 0x10;
    let run = |pkt: &[u8]| p.test_run(pkt, 1).unwrap().action();
    assert_eq!(run(&pkt), Some(XdpAction::Pass));
    let mut no_ack = pkt;
    no_ack[13] = 0x08;
    assert_eq!(run(&no_ack), Some(XdpAction::Drop));
    let mut other_port = pkt;
    other_port[3] = 81;
    assert_eq!(run(&other_port), Some(XdpAction::Drop));
}

kernel_tests! {
    privileged: [co_re_and_kconfig_resolve_against_the_running_kernel],
}
