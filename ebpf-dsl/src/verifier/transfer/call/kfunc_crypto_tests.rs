//! Unit tests of the crypto kfuncs (`kfunc_crypto.rs`) and of the kptr field they read the
//! context from (`transfer/kptr.rs`), on whole programs.

use super::*;
use crate::asm::assemble_unchecked;
use crate::btf::{Btf, KptrKind, MapKptr, Type};
use crate::spec::{MapSpec, MapType};
use crate::verifier::{verify, VerifyInput};

/// A kernel BTF with `struct bpf_crypto_ctx` (id 1) and `struct task_struct` (id 2).
fn vmlinux() -> Btf {
    let mut b = Btf::new();
    for name in ["bpf_crypto_ctx", "task_struct"] {
        b.add(Type::new(
            name,
            crate::btf::Kind::Struct {
                size: 16,
                members: vec![],
            },
        ));
    }
    b
}

/// Verifies `src` as a program of type `ty` with the map `cm` (array, one 16-byte value
/// whose kptr to `target` of `kind` is at offset 0): the first error's message, or `None`.
fn check_with(src: &str, ty: ProgramType, kind: KptrKind, target: &str) -> Option<String> {
    let asm = assemble_unchecked(src).unwrap_or_else(|e| panic!("{e:?}"));
    let maps = vec![MapSpec {
        name: "cm".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    }];
    let kptrs = vec![MapKptr {
        map: "cm".into(),
        offset: 0,
        kind,
        target: target.into(),
    }];
    let btf = vmlinux();
    let input = VerifyInput::new(&asm.insns, ty)
        .with_maps(&asm.relocations, &maps)
        .with_kptrs(&kptrs)
        .with_vmlinux(&btf)
        .with_kernel(KernelVersion::new(6, 18));
    verify(&input).err().map(|e| e[0].message.clone())
}

fn check(src: &str) -> Option<String> {
    check_with(src, ProgramType::SchedCls, KptrKind::Ref, "bpf_crypto_ctx")
}

/// The lookup of `cm`'s value into r0, its null check, then `LOAD` (the kptr into r6) and its
/// null check, two dynptrs (skb at r10-16, a local one over the value at r10-32), and `CALL`
/// with r1 = r6, r2 = r10-16, r3 = r10-32, r4 = `SIV`.
fn program(load: &str, null_check: bool, siv: &str, call: &str) -> String {
    let check = if null_check {
        "if r6 == 0 goto out\n"
    } else {
        ""
    };
    format!(
        "r7 = r1
r1 = 0
*(u32 *)(r10 - 40) = r1
r2 = r10
r2 += -40
r1 = cm ll
call 1
if r0 == 0 goto out
r8 = r0
{load}
{check}r1 = r7
r2 = 0
r3 = r10
r3 += -16
call bpf_dynptr_from_skb
r1 = r8
r1 += 8
r2 = 8
r3 = 0
r4 = r10
r4 += -32
call 197
r1 = r6
r2 = r10
r2 += -16
r3 = r10
r3 += -32
r4 = {siv}
call {call}
out:
r0 = 0
exit"
    )
}

const LOAD: &str = "r6 = *(u64 *)(r8 + 0)";

#[test]
fn encrypt_and_decrypt_with_the_context_of_a_map_value() {
    for call in ["bpf_crypto_encrypt", "bpf_crypto_decrypt"] {
        assert_eq!(check(&program(LOAD, true, "0", call)), None, "{call}");
        // The IV as a third dynptr (the skb one again).
        let siv = program(LOAD, true, "r10\nr4 += -16", call);
        assert_eq!(check(&siv), None, "{call}");
        // XDP too, not socket filters.
        let xdp =
            program(LOAD, true, "0", call).replace("bpf_dynptr_from_skb", "bpf_dynptr_from_xdp");
        assert_eq!(
            check_with(&xdp, ProgramType::Xdp, KptrKind::Ref, "bpf_crypto_ctx"),
            None
        );
    }
    let m = check_with(
        &program(LOAD, true, "0", "bpf_crypto_encrypt"),
        ProgramType::SocketFilter,
        KptrKind::Ref,
        "bpf_crypto_ctx",
    )
    .unwrap();
    assert!(
        m.contains("calling kernel function bpf_crypto_encrypt is not allowed"),
        "{m}"
    );
}

#[test]
fn the_context_must_be_null_checked_rcu_and_of_its_type() {
    let m = check(&program(LOAD, false, "0", "bpf_crypto_encrypt")).unwrap();
    assert!(
        m.contains("Possibly NULL pointer passed to trusted arg0"),
        "{m}"
    );
    // A kptr_untrusted field loads as an untrusted pointer.
    let m = check_with(
        &program(LOAD, true, "0", "bpf_crypto_encrypt"),
        ProgramType::SchedCls,
        KptrKind::Untrusted,
        "bpf_crypto_ctx",
    )
    .unwrap();
    assert!(m.contains("R1 must be a rcu pointer"), "{m}");
    // A referenced kptr to another structure.
    let m = check_with(
        &program(LOAD, true, "0", "bpf_crypto_encrypt"),
        ProgramType::SchedCls,
        KptrKind::Ref,
        "task_struct",
    )
    .unwrap();
    assert!(
        m.contains("expected pointer to STRUCT bpf_crypto_ctx"),
        "{m}"
    );
    // The map value pointer itself.
    let m = check(&program("r6 = r8", true, "0", "bpf_crypto_encrypt")).unwrap();
    assert!(m.contains("expects in r1 a struct bpf_crypto_ctx"), "{m}");
}

#[test]
fn the_dynptrs_must_be_initialised_and_the_iv_null_or_one() {
    let m = check(&program(LOAD, true, "r10\nr4 += -48", "bpf_crypto_encrypt")).unwrap();
    assert!(
        m.contains("Expected an initialized dynptr as arg #3"),
        "{m}"
    );
    let m = check(&program(LOAD, true, "1", "bpf_crypto_decrypt")).unwrap();
    assert!(m.contains("arg#3 expected pointer to stack"), "{m}");
    let no_dst = program(LOAD, true, "0", "bpf_crypto_encrypt").replace("call 197", "r0 = 0");
    let m = check(&no_dst).unwrap();
    assert!(
        m.contains("Expected an initialized dynptr as arg #2"),
        "{m}"
    );
}

#[test]
fn a_kptr_is_only_loaded_whole_and_never_stored() {
    for (load, want) in [
        ("r6 = *(u32 *)(r8 + 0)", "kptr access size must be BPF_DW"),
        (
            "r6 = *(u64 *)(r8 + 4)",
            "kptr access misaligned expected=0 off=4",
        ),
        ("r6 = *(s32 *)(r8 + 0)", "kptr access size must be BPF_DW"),
        (
            "*(u64 *)(r8 + 0) = r8\nr6 = 0",
            "store to referenced kptr disallowed",
        ),
        ("*(u32 *)(r8 + 4) = 0\nr6 = 0", "kptr access misaligned"),
        (
            "*(u64 *)(r8 + 0) = 0\nr6 = 0",
            "store to referenced kptr disallowed",
        ),
        (
            "r1 = 1\nlock *(u64 *)(r8 + 0) += r1\nr6 = 0",
            "can only be accessed using BPF_MEM",
        ),
        // Nor a load-acquire or store-release (BPF_ATOMIC mode).
        (
            "r6 = load_acquire((u64 *)(r8 + 0))",
            "can only be accessed using BPF_MEM",
        ),
        (
            "r1 = 0\nstore_release((u64 *)(r8 + 0), r1)\nr6 = 0",
            "can only be accessed using BPF_MEM",
        ),
    ] {
        let m = check(&program(load, true, "0", "bpf_crypto_encrypt"))
            .unwrap_or_else(|| panic!("{load}: accepted"));
        assert!(m.contains(want), "{load}: {m}");
    }
    // A helper reading the value over the kptr.
    let m = check(
        &program(LOAD, true, "0", "bpf_crypto_encrypt").replace("r1 += 8\nr2 = 8", "r2 = 16"),
    )
    .unwrap();
    assert!(
        m.contains("kptr cannot be accessed indirectly by helper"),
        "{m}"
    );
    // Bytes after the kptr are ordinary.
    let after = "r1 = *(u64 *)(r8 + 8)\n*(u64 *)(r8 + 8) = r1\n".to_string() + LOAD;
    assert_eq!(
        check(&program(&after, true, "0", "bpf_crypto_encrypt")),
        None
    );
}

#[test]
fn the_context_kfuncs_belong_to_syscall_programs() {
    for k in [
        "bpf_crypto_ctx_create",
        "bpf_crypto_ctx_acquire",
        "bpf_crypto_ctx_release",
    ] {
        let m = check(&format!("call {k}\nr0 = 0\nexit")).unwrap();
        assert!(
            m.contains(&format!("calling kernel function {k} is not allowed")),
            "{m}"
        );
    }
    let m = check("r1 = 1\nr2 = 0\nr3 = 0\nr4 = 0\ncall bpf_crypto_encrypt\nr0 = 0\nexit").unwrap();
    assert!(m.contains("expects in r1"), "{m}");
    let old = {
        let asm = assemble_unchecked("call bpf_crypto_decrypt\nr0 = 0\nexit").unwrap();
        let input = VerifyInput::new(&asm.insns, ProgramType::SchedCls)
            .with_kernel(KernelVersion::new(6, 9));
        verify(&input).unwrap_err()[0].message.clone()
    };
    assert!(old.contains("needs Linux 6.10"), "{old}");
}
