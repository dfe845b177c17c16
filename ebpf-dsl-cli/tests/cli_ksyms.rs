//! `check OBJ.o --btf FILE [--module-btf DIR_OR_FILE]` on a clang-compiled object calling a
//! kfunc this crate does not model (`ebpf-dsl/tests/elf/ksyms_unmodelled.c`): where the target
//! kernel (vmlinux's BTF and its modules' split BTF) lacks it, libbpf refuses the object and so
//! does `check`, as a rejection (exit status 1, not "not a valid eBPF ELF object"); where a
//! module has it, the program calling it cannot be read (the reader names the kfunc as not
//! modelled) and the object's other program is checked. Without clang-19 the tests
//! print why and pass, unless `CI=true`.

use std::path::PathBuf;

use ebpf_dsl::btf::{Btf, Kind, Type};

mod support;
use support::run;

/// `ebpf-dsl/tests/elf/NAME.c` compiled by clang-19 into this file's scratch directory; `None`
/// (printed) without clang-19 unless CI=true.
fn compile(name: &str) -> Option<PathBuf> {
    support::clang_object_if_available(name, &support::scratch_dir("ksyms"))
}

/// A vmlinux BTF blob with `int` (id 1) and `struct __sk_buff *` (id 3), no kfunc.
fn vmlinux() -> Vec<u8> {
    let mut b = Btf::new();
    b.push(Type::int("int", 4, true));
    let skb = b.push(Type::new(
        "__sk_buff",
        Kind::Struct {
            size: 4,
            members: Vec::new(),
        },
    ));
    b.push(Type::new("", Kind::Ptr(skb)));
    b.encode()
}

/// A module's split BTF over `base` (from [`vmlinux`]), laid out as the kernel's: the kfunc
/// `int bpf_unmodelled_kfunc(struct __sk_buff *, int)`, own ids from 4, own string offsets
/// after the base's table.
fn module(base: &[u8]) -> Vec<u8> {
    let base_str_len = u32::from_le_bytes(base[20..24].try_into().unwrap());
    let own = b"\0bpf_unmodelled_kfunc\0skb\0flags\0";
    let (name, skb, flags) = (base_str_len + 1, base_str_len + 22, base_str_len + 26);
    let mut types = Vec::new();
    for v in [
        // [4] FUNC_PROTO int (struct __sk_buff *skb, int flags)
        0,
        (13 << 24) | 2,
        1,
        skb,
        3,
        flags,
        1,
        // [5] FUNC 'bpf_unmodelled_kfunc' (global) -> [4]
        name,
        (12 << 24) | 1,
        4,
    ] {
        types.extend_from_slice(&u32::to_le_bytes(v));
    }
    let mut blob = vec![0x9f, 0xeb, 1, 0];
    for v in [
        24,
        0,
        types.len() as u32,
        types.len() as u32,
        own.len() as u32,
    ] {
        blob.extend_from_slice(&u32::to_le_bytes(v));
    }
    blob.extend_from_slice(&types);
    blob.extend_from_slice(own);
    blob
}

#[test]
fn a_kfunc_in_no_btf_is_a_rejection_and_one_in_a_module_is_not_modelled() {
    let Some(obj) = compile("ksyms_unmodelled") else {
        return;
    };
    let obj = obj.to_str().unwrap();
    let dir = support::scratch_dir("ksyms").join("btf");
    std::fs::create_dir_all(&dir).unwrap();
    let base = vmlinux();
    let btf = dir.join("vmlinux");
    std::fs::write(&btf, &base).unwrap();
    let btf = btf.to_str().unwrap();
    // vmlinux alone (not /sys/kernel/btf/vmlinux: no module BTF by default): refused, as
    // libbpf refuses the object, naming the kfunc and where it was looked for.
    let (code, out, err) = run(&["check", obj, "--btf", btf]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(!err.contains("not a valid eBPF ELF object"), "{err}");
    assert!(
        err.contains(
            "refused before any program loads: extern (func ksym) 'bpf_unmodelled_kfunc': not \
             found in kernel or module BTFs"
        ),
        "{err}"
    );
    assert!(err.contains("no --module-btf"), "{err}");
    // The module's BTF, given as a directory (its `vmlinux` is skipped) or as the file: the
    // kfunc exists, and is not modelled: the program calling it cannot be read (checked
    // alone, or with all of the object's), the object's other program is checked.
    let modfile = dir.join("bpf_testmod");
    std::fs::write(&modfile, module(&base)).unwrap();
    for m in [dir.to_str().unwrap(), modfile.to_str().unwrap()] {
        for only in [None, Some("unmodelled"), Some("tc")] {
            let mut args = vec!["check", obj, "--btf", btf, "--module-btf", m];
            args.extend(only.map(|s| ["--section", s]).into_iter().flatten());
            let (code, out, err) = run(&args);
            assert_eq!(code, 1, "{args:?}: {out}{err}");
            assert!(
                err.contains("program `unmodelled` of section `tc` cannot be read:"),
                "{err}"
            );
            assert!(
                err.contains(
                    "a call of the extern function `bpf_unmodelled_kfunc` (the target kernel \
                     has it: bpf_testmod BTF [5]; it is not modelled)"
                ),
                "{err}"
            );
        }
        let (code, out, err) = run(&[
            "check",
            obj,
            "--btf",
            btf,
            "--module-btf",
            m,
            "--section",
            "plain",
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("(plain): ok"), "{out}{err}");
    }
    // A module file that is not split BTF over the given vmlinux: an error naming it.
    let bad = dir.join("broken");
    std::fs::write(&bad, b"not btf").unwrap();
    let (code, _, err) = run(&[
        "check",
        obj,
        "--btf",
        btf,
        "--module-btf",
        bad.to_str().unwrap(),
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains("--module-btf") && err.contains("broken"),
        "{err}"
    );
}

/// `check prog.s --btf FILE --kallsyms FILE` on a text program loading a kernel variable by
/// its BTF id (`ld_pseudo r1, 3, btf_id(var NAME)`): the load stands where the symbol names
/// list it (read-only memory of an `int`: a 4-byte read passes, an 8-byte one does not), is
/// the kernel's refusal where they do not, and without them (and a BTF that is not the running
/// kernel's) it is refused as needing them.
#[test]
fn a_kernel_variable_by_btf_id_needs_the_targets_symbol_names() {
    let dir = support::scratch_dir("ksyms").join("kallsyms");
    std::fs::create_dir_all(&dir).unwrap();
    let mut b = Btf::new();
    let int = b.push(Type::int("int", 4, true));
    b.push(Type::new(
        "some_counter",
        Kind::Var {
            ty: int,
            linkage: ebpf_dsl::btf::Linkage::Global,
        },
    ));
    let btf = dir.join("vmlinux");
    std::fs::write(&btf, b.encode()).unwrap();
    let btf = btf.to_str().unwrap();
    let with = dir.join("with");
    std::fs::write(&with, "ffffffff82000000 D some_counter\n").unwrap();
    let without = dir.join("without");
    std::fs::write(&without, "ffffffff81000000 T _stext\n").unwrap();
    let prog = |n: u32| {
        let p = dir.join(format!("prog{n}.s"));
        std::fs::write(
            &p,
            format!(
                "ld_pseudo r1, 3, btf_id(var some_counter)\nr0 = *(u{} *)(r1 + 0)\nr0 = 0\nexit\n",
                n * 8
            ),
        )
        .unwrap();
        p.to_str().unwrap().to_string()
    };
    let (p4, p8) = (prog(4), prog(8));
    let ks = |f: &std::path::Path| f.to_str().unwrap().to_string();
    let (code, out, err) = run(&["check", &p4, "--btf", btf, "--kallsyms", &ks(&with)]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(&["check", &p8, "--btf", btf, "--kallsyms", &ks(&with)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("read-only kernel memory"), "{err}");
    let (code, _, err) = run(&["check", &p4, "--btf", btf, "--kallsyms", &ks(&without)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("ldimm64 failed to find the address for kernel symbol 'some_counter'"),
        "{err}"
    );
    let (code, _, err) = run(&["check", &p4, "--btf", btf]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("symbol names"), "{err}");
}
