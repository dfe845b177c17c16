//! CO-RE relocations of every class and `__kconfig` externs in clang-compiled objects
//! (`tests/elf/core_kinds.c`, `tests/elf/kconfig.c`), read for a target kernel with
//! [`read_object_for_kernel`] and verified: a bitfield read follows the target's layout, a
//! field the target lacks poisons its instruction (accepted in dead code behind
//! `bpf_core_field_exists`, rejected where reached, as the kernel does with libbpf's
//! `call 0xbad2310`), and `__kconfig` values are known to the verifier through the frozen
//! `.kconfig` map. Compiled with clang-19; without it the tests print why and pass, unless
//! `CI=true`.

use ebpf_dsl::btf::{Btf, Enumerator, Kind, Member, Type};
use ebpf_dsl::elf::{read_object_for_kernel, Kconfig, KCONFIG_MAP};

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

#[path = "support/verdict.rs"]
mod verdict;
use verdict::{program, verdict};

fn int(b: &mut Btf, name: &str, size: u32) -> u32 {
    b.push(Type::new(
        name,
        Kind::Int {
            size,
            encoding: 0,
            offset: 0,
            bits: (size * 8) as u8,
        },
    ))
}

fn m(name: &str, ty: u32, bit: u32, bits: u8) -> Member {
    Member {
        name: name.into(),
        ty,
        bit_offset: bit,
        bitfield_size: bits,
    }
}

/// A target kernel's BTF: `struct flags` with `ack` in a u16 at byte 6 (bit 51), `struct
/// maybe` with `extra` only when `extra`, `enum color` with `BLUE` only when `blue`.
fn target(extra: bool, blue: bool) -> Btf {
    let mut b = Btf::new();
    let u32t = int(&mut b, "unsigned int", 4);
    let u16t = int(&mut b, "short unsigned int", 2);
    b.push(Type::new(
        "flags",
        Kind::Struct {
            size: 8,
            members: vec![
                m("word", u32t, 0, 0),
                m("half", u16t, 32, 0),
                m("lo", u16t, 48, 3),
                m("ack", u16t, 51, 1),
                m("hi", u16t, 52, 4),
            ],
        },
    ));
    let mut ms = vec![m("x", u32t, 0, 0)];
    if extra {
        ms.push(m("extra", u32t, 32, 0));
    }
    b.push(Type::new(
        "maybe",
        Kind::Struct {
            size: 8,
            members: ms,
        },
    ));
    let mut values = vec![Enumerator {
        name: "RED".into(),
        value: 0,
    }];
    if blue {
        values.push(Enumerator {
            name: "BLUE".into(),
            value: 2,
        });
    }
    b.push(Type::new(
        "color",
        Kind::Enum {
            size: 4,
            signed: false,
            values,
        },
    ));
    b
}

#[test]
fn a_bitfield_is_read_where_the_target_has_it() {
    let Some(bytes) = compile("core_kinds") else {
        return;
    };
    let obj = read_object_for_kernel(&bytes, None, Some(&target(true, true)), None).unwrap();
    let insns = &program(&obj, "bitfield").spec.insns;
    // `p = f + 6` (the u16 holding `ack`; clang wrote 4, its u32's), a 2-byte read (clang:
    // 4), shifted left by 64 - (52 - 48) = 60 and right by 63.
    let alu = |code: u8, imm: i32| insns.iter().any(|i| i.code == code && i.imm == imm);
    assert!(alu(0xb7, 6), "offset 6: {insns:?}");
    assert!(
        !alu(0xb7, 4),
        "neither clang's offset nor size is left: {insns:?}"
    );
    assert!(alu(0xb7, 2), "byte size 2: {insns:?}");
    assert!(alu(0x67, 60) && alu(0x77, 63), "{insns:?}");
    verdict(&obj, "bitfield").unwrap();
}

#[test]
fn a_missing_field_poisons_only_where_it_is_reached() {
    let Some(bytes) = compile("core_kinds") else {
        return;
    };
    // The target has `extra`: all three read it.
    let obj = read_object_for_kernel(&bytes, None, Some(&target(true, true)), None).unwrap();
    for p in ["guarded", "unguarded", "sizes"] {
        verdict(&obj, p).unwrap();
    }
    // It has not: the guarded read is dead code (field exists = 0), the unguarded one is
    // reached and rejected at libbpf's poisoned call, as the kernel rejects it
    // (`invalid func unknown#195896080`).
    let obj = read_object_for_kernel(&bytes, None, Some(&target(false, true)), None).unwrap();
    let poisoned = |p: &str| {
        program(&obj, p)
            .spec
            .insns
            .iter()
            .any(|i| i.code == 0x85 && i.imm == ebpf_dsl::elf::POISON_HELPER)
    };
    assert!(poisoned("guarded") && poisoned("unguarded"));
    verdict(&obj, "guarded").unwrap();
    let e = verdict(&obj, "unguarded").unwrap_err();
    assert!(e.contains("195896080"), "{e}");
    // An enumerator the target lacks: its value poisons the ld_imm64, which is reached.
    let obj = read_object_for_kernel(&bytes, None, Some(&target(true, false)), None).unwrap();
    let e = verdict(&obj, "sizes").unwrap_err();
    assert!(e.contains("195896080"), "{e}");
}

/// A call of a weak kfunc the target kernel does not have is libbpf's `poison_kfunc_call`:
/// helper 2002000000 + the extern's index, rejected where reached.
#[test]
fn a_weak_kfunc_the_target_lacks_is_poisoned() {
    let Some(bytes) = compile("core_kinds") else {
        return;
    };
    let obj = read_object_for_kernel(&bytes, None, Some(&target(true, true)), None).unwrap();
    let call = program(&obj, "weak_kfunc").spec.insns[0];
    assert_eq!((call.code, call.src()), (0x85, 0));
    assert!(
        (2_002_000_000..2_003_000_000).contains(&call.imm),
        "{call:?}"
    );
    let e = verdict(&obj, "weak_kfunc").unwrap_err();
    assert!(e.contains("weak kfunc"), "{e}");
}

#[test]
fn kconfig_values_are_known_to_the_verifier() {
    let Some(bytes) = compile("kconfig") else {
        return;
    };
    let kc = |version, config: &str| Kconfig {
        version,
        config: config.into(),
    };
    let read = |k: &Kconfig| read_object_for_kernel(&bytes, None, None, Some(k));
    // Without a target configuration the externs are refused.
    let e = read_object_for_kernel(&bytes, None, None, None).unwrap_err();
    assert!(e.reason.contains("LINUX_KERNEL_VERSION"), "{e}");
    // A strong CONFIG_ extern the configuration does not set: refused, as libbpf does.
    let e = read(&kc((6, 18, 0), "CONFIG_HZ=1000\n")).unwrap_err();
    assert!(e.reason.contains("CONFIG_BPF_JIT"), "{e}");
    // 6.18, JIT, HZ=1000: the unchecked packet read is dead code.
    let obj = read(&kc((6, 18, 0), "CONFIG_BPF_JIT=y\nCONFIG_HZ=1000\n")).unwrap();
    let map = obj.maps.iter().find(|m| m.name == KCONFIG_MAP).unwrap();
    assert_eq!(map.flags, ebpf_dsl::elf::BPF_F_RDONLY_PROG);
    assert!(obj.data.iter().any(|d| d.map == KCONFIG_MAP && d.read_only));
    verdict(&obj, "kconfig").unwrap();
    // HZ=100, an older kernel, or no JIT: it is reached, and rejected.
    for (v, c) in [
        ((6, 18, 0), "CONFIG_BPF_JIT=y\nCONFIG_HZ=100\n"),
        ((4, 19, 0), "CONFIG_BPF_JIT=y\nCONFIG_HZ=1000\n"),
        ((6, 18, 0), "CONFIG_BPF_JIT=n\n"),
    ] {
        let obj = read(&kc(v, c)).unwrap();
        assert!(verdict(&obj, "kconfig").is_err(), "{v:?} {c}");
    }
    // The weak CONFIG_HZ unset is 0: not 100, so still dead code.
    let obj = read(&kc((6, 18, 0), "CONFIG_BPF_JIT=y\n")).unwrap();
    verdict(&obj, "kconfig").unwrap();
}
