//! An ELF object calling a kfunc the running kernel has in none of its BTFs (vmlinux's, its
//! loaded modules' in `/sys/kernel/btf`): `Loader::object_bytes` refuses it before creating
//! anything, as libbpf does, naming the kfunc (`ebpf-dsl/tests/elf/ksyms_unmodelled.c`,
//! compiled by clang-19). Nothing is loaded: no root needed. Skipped (printed) without
//! clang-19 unless CI=true, and without the kernel's BTF.

use std::path::Path;
use std::process::Command;

use xsk_runtime::Loader;

#[test]
fn a_kfunc_the_running_kernel_lacks_refuses_the_object() {
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
    if !Path::new("/sys/kernel/btf/vmlinux").exists() {
        eprintln!("skipped: the running kernel publishes no BTF");
        return;
    }
    let src =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/elf/ksyms_unmodelled.c");
    let obj = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ksyms-unmodelled.o");
    let st = Command::new("clang-19")
        .args(["-O2", "-g", "-target", "bpf", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&obj).unwrap();
    let e = Loader::new()
        .object_bytes(&bytes)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("extern (func ksym) 'bpf_unmodelled_kfunc': not found in kernel or module BTFs"),
        "{e}"
    );
}
