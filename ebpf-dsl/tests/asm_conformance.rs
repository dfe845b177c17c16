//! The conformance corpus (`tests/data/bpf_conformance/*.s`, 313 programs, vendored) against
//! LLVM 19: every file must assemble to exactly the bytes `llvm-mc-19 -triple bpfel -mcpu=v4`
//! gives, and the structural checks must reject exactly the 13 programs the Linux kernel
//! rejects (12 shifts by out-of-range constants, and `callx.s`).
//!
//! LLVM's bytes are produced at test time (`-filetype=obj`, then the `.text` section of the
//! ELF object). Without `llvm-mc-19` the byte comparison is skipped with a printed reason,
//! unless `CI=true`, where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use ebpf_dsl::asm::{assemble_unchecked, check, DiagKind};

fn corpus_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bpf_conformance");
    assert!(
        dir.is_dir(),
        "conformance corpus not found at {}",
        dir.display()
    );
    dir
}

fn corpus() -> Vec<(String, String)> {
    let dir = corpus_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 313, "the corpus should hold 313 programs");
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let src = std::fs::read_to_string(&p).expect("read a corpus file");
            (name, src)
        })
        .collect()
}

fn llvm_available() -> bool {
    let ok = Command::new("llvm-mc-19").arg("--version").output().is_ok();
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("llvm-mc-19 is required when CI=true (apt-get install llvm-19)");
        }
        eprintln!("skipping the LLVM byte comparison: llvm-mc-19 is not installed");
    }
    ok
}

/// The bytes of the `.text` section of a 64-bit little-endian ELF object.
fn elf_text(obj: &[u8]) -> Vec<u8> {
    let u16_at = |o: usize| u16::from_le_bytes(obj[o..o + 2].try_into().unwrap()) as usize;
    let u32_at = |o: usize| u32::from_le_bytes(obj[o..o + 4].try_into().unwrap()) as usize;
    let u64_at = |o: usize| u64::from_le_bytes(obj[o..o + 8].try_into().unwrap()) as usize;
    assert_eq!(&obj[..4], b"\x7fELF", "not an ELF object");
    let shoff = u64_at(0x28);
    let shentsize = u16_at(0x3a);
    let shnum = u16_at(0x3c);
    let shstrndx = u16_at(0x3e);
    let sh = |i: usize| shoff + i * shentsize;
    let strtab = u64_at(sh(shstrndx) + 24);
    for i in 0..shnum {
        let name_off = strtab + u32_at(sh(i));
        let end = obj[name_off..].iter().position(|&b| b == 0).unwrap();
        if &obj[name_off..name_off + end] == b".text" {
            let off = u64_at(sh(i) + 24);
            let size = u64_at(sh(i) + 32);
            return obj[off..off + size].to_vec();
        }
    }
    panic!("no .text section in the object");
}

fn scratch_dir() -> PathBuf {
    std::env::temp_dir().join(format!("ebpf-dsl-conf-{}", std::process::id()))
}

fn llvm_bytes(name: &str, src: &str) -> Vec<u8> {
    let dir = scratch_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join(name);
    let obj = dir.join(format!("{name}.o"));
    std::fs::write(&input, src).unwrap();
    let out = Command::new("llvm-mc-19")
        .args(["-triple", "bpfel", "-mcpu=v4", "-filetype=obj", "-o"])
        .arg(&obj)
        .arg(&input)
        .output()
        .expect("run llvm-mc-19");
    assert!(
        out.status.success(),
        "llvm-mc-19 rejected {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = elf_text(&std::fs::read(&obj).unwrap());
    let _ = std::fs::remove_file(&input);
    let _ = std::fs::remove_file(&obj);
    bytes
}

#[test]
fn corpus_encodes_like_llvm() {
    let files = corpus();
    if !llvm_available() {
        return;
    }
    let mut failures = Vec::new();
    for (name, src) in &files {
        let ours = match assemble_unchecked(src) {
            Ok(a) => a.to_bytes(),
            Err(errs) => {
                let msgs: Vec<String> = errs.iter().map(|d| d.render(src, name)).collect();
                failures.push(format!("{name}: we reject it:\n{}", msgs.join("\n")));
                continue;
            }
        };
        let theirs = llvm_bytes(name, src);
        if ours != theirs {
            let slot = ours
                .chunks(8)
                .zip(theirs.chunks(8))
                .position(|(a, b)| a != b)
                .unwrap_or(ours.len().min(theirs.len()) / 8);
            failures.push(format!(
                "{name}: bytes differ at slot {slot} (ours {} slots, LLVM {}):\n  ours: {:02x?}\n  llvm: {:02x?}",
                ours.len() / 8,
                theirs.len() / 8,
                ours.chunks(8).nth(slot),
                theirs.chunks(8).nth(slot),
            ));
        }
    }
    let _ = std::fs::remove_dir(scratch_dir());
    assert!(
        failures.is_empty(),
        "{} of {} files differ from LLVM:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

/// The 13 programs Linux rejects (see `tests/data/bpf_conformance/README.md`).
fn kernel_rejects(name: &str) -> bool {
    name.ends_with("-imm-high.s") || name.ends_with("-imm-neg.s") || name == "callx.s"
}

#[test]
fn check_rejects_exactly_what_the_kernel_rejects() {
    let files = corpus();
    let mut rejected = Vec::new();
    for (name, src) in &files {
        let a = assemble_unchecked(src).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let diags = check(&a);
        if kernel_rejects(name) {
            let want = if name == "callx.s" {
                DiagKind::Unsupported
            } else {
                DiagKind::ShiftRange
            };
            assert!(
                diags.iter().any(|d| d.kind == want),
                "{name}: expected a {want:?} diagnostic, got {diags:?}"
            );
        } else {
            assert!(
                diags.is_empty(),
                "{name}: unexpected diagnostics:\n{}",
                diags
                    .iter()
                    .map(|d| d.render(src, name))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        if !diags.is_empty() {
            rejected.push(name.clone());
        }
    }
    assert_eq!(rejected.len(), 13, "rejected: {rejected:?}");
}
