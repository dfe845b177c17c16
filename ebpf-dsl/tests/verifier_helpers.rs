//! The helpers of xdp, tc and socket_filter programs beyond the first 38: one accepted call
//! and one refused variant each for the new argument kinds, and the three refusals of a call
//! the verifier cannot check (no such helper, a helper the kernel does not offer to the
//! program type, a helper it offers that this verifier does not model). The kernel's own
//! verdicts on these shapes are the `helper_*` cases of `kernel_rules/`.

use std::borrow::Cow;

use ebpf_dsl::asm::assemble_unchecked as assemble;
use ebpf_dsl::verifier::{verify, Report, Rule, VerifierError, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

fn run(src: &str, pt: ProgramType) -> Result<Report, Vec<VerifierError>> {
    let a = assemble(src).unwrap_or_else(|e| panic!("assembly failed: {e:?}\n{src}"));
    let ms = vec![MapSpec {
        name: Cow::Borrowed("m"),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    }];
    verify(&VerifyInput::new(&a.insns, pt).with_maps(&a.relocations, &ms))
}

#[track_caller]
fn accept(src: &str, pt: ProgramType) {
    if let Err(e) = run(src, pt) {
        panic!("expected acceptance, got {e:#?}\n{src}");
    }
}

#[track_caller]
fn reject(src: &str, pt: ProgramType, rule: Rule, needle: &str) {
    match run(src, pt) {
        Ok(r) => panic!("expected rejection ({rule:?}), got acceptance {r:?}\n{src}"),
        Err(errs) => {
            assert_eq!(errs[0].rule, rule, "wrong rule: {}\n{src}", errs[0]);
            assert!(
                errs[0].message.contains(needle),
                "message {:?} lacks {needle:?}",
                errs[0].message
            );
        }
    }
}

const XDP: ProgramType = ProgramType::Xdp;
const TC: ProgramType = ProgramType::SchedCls;
const SOCK: ProgramType = ProgramType::SocketFilter;

#[test]
fn clocks_and_counters_take_no_arguments() {
    for h in ["jiffies64", "ktime_get_coarse_ns", "ktime_get_tai_ns"] {
        for pt in [XDP, TC, SOCK] {
            accept(&format!("call bpf_{h}\nr0 += 1\nr0 = 0\nexit"), pt);
        }
    }
}

#[test]
fn strtol_result_is_aligned_writable_memory() {
    let prog = |res: i32, size: u32| {
        format!(
            "*(u32 *)(r10 - 4) = 3355185\nr1 = r10\nr1 += -4\nr2 = {size}\nr3 = 0\nr4 = r10\nr4 += {res}\ncall bpf_strtol\nr0 = *(u64 *)(r10 - 16)\nr0 = 2\nexit"
        )
    };
    accept(&prog(-16, 4), XDP);
    reject(
        &prog(-12, 4),
        XDP,
        Rule::HelperArgument,
        "must be 8-byte aligned",
    );
    reject(&prog(-16, 0), XDP, Rule::HelperArgument, "not zero");
    // The result into a map value at a known, aligned offset.
    accept(
        "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr4 = r0\nr4 += 8\n*(u32 *)(r10 - 8) = 3355185\nr1 = r10\nr1 += -8\nr2 = 4\nr3 = 0\ncall bpf_strtoul\nout:\nr0 = 2\nexit",
        XDP,
    );
    // Not a pointer at all.
    reject(
        "r1 = r10\nr1 += -8\n*(u64 *)(r10 - 8) = 0\nr2 = 4\nr3 = 0\nr4 = 0\ncall bpf_strtoul\nr0 = 2\nexit",
        XDP,
        Rule::HelperArgument,
        "aligned bytes",
    );
}

#[test]
fn skb_changing_helpers_invalidate_packet_pointers() {
    let prog = |h: &str, args: &str| {
        format!("r6 = *(u32 *)(r1 + 76)\nr7 = *(u32 *)(r1 + 80)\nr2 = r6\nr2 += 14\nif r2 > r7 goto out\n{args}call bpf_{h}\nr0 = *(u8 *)(r6 + 0)\nout:\nr0 = 0\nexit")
    };
    for (h, args) in [
        ("skb_adjust_room", "r2 = 8\nr3 = 0\nr4 = 0\n"),
        ("skb_change_head", "r2 = 8\nr3 = 0\n"),
        ("skb_change_tail", "r2 = 8\nr3 = 0\n"),
        ("skb_pull_data", "r2 = 8\n"),
        ("skb_vlan_pop", ""),
    ] {
        reject(&prog(h, args), TC, Rule::MemoryAccess, "r6");
    }
    // Helpers that leave the packet alone keep them.
    for (h, args) in [("csum_update", "r2 = 0\n"), ("set_hash", "r2 = 0\n")] {
        accept(&prog(h, args), TC);
    }
}

#[test]
fn sockets_for_syncookies_must_be_null_checked() {
    let prog = |check: &str| {
        format!("r6 = r1\nr8 = *(u32 *)(r6 + 0)\nr9 = *(u32 *)(r6 + 4)\nr1 = r8\nr1 += 54\nif r1 > r9 goto out\n*(u64 *)(r10 - 8) = 0\n*(u64 *)(r10 - 16) = 0\nr1 = r6\nr2 = r10\nr2 += -16\nr3 = 12\nr4 = -1\nr5 = 0\ncall bpf_skc_lookup_tcp\n{check}r7 = r0\nr1 = r0\nr2 = r8\nr2 += 14\nr3 = 20\nr4 = r8\nr4 += 34\nr5 = 20\ncall bpf_tcp_gen_syncookie\nr1 = r7\ncall bpf_sk_release\nout:\nr0 = 2\nexit")
    };
    accept(&prog("if r0 == 0 goto out\n"), XDP);
    reject(&prog(""), XDP, Rule::NullCheck, "null-check it first");
    reject(
        "r1 = 0\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_tcp_check_syncookie\nr0 = 2\nexit",
        XDP,
        Rule::HelperArgument,
        "expects a socket",
    );
}

#[test]
fn raw_syncookie_headers_have_fixed_sizes() {
    let prog = |checked: u32| {
        format!("r6 = *(u32 *)(r1 + 0)\nr7 = *(u32 *)(r1 + 4)\nr1 = r6\nr1 += {checked}\nif r1 > r7 goto out\nr1 = r6\nr1 += 14\nr2 = r6\nr2 += 34\ncall bpf_tcp_raw_check_syncookie_ipv4\nout:\nr0 = 2\nexit")
    };
    accept(&prog(54), XDP);
    reject(
        &prog(44),
        XDP,
        Rule::PacketBounds,
        "bpf_tcp_raw_check_syncookie_ipv4",
    );
}

#[test]
fn calls_that_cannot_be_checked_say_why() {
    let call = |h: &str| format!("r2 = 0\ncall {h}\nr0 = 0\nexit");
    // Modelled, offered to tc, not to XDP nor socket filters.
    accept(&call("bpf_csum_update"), TC);
    for pt in [XDP, SOCK] {
        reject(
            &call("bpf_csum_update"),
            pt,
            Rule::HelperNotAllowed,
            "bpf_csum_update cannot be called from",
        );
    }
    // Modelled (socket storage), offered to tc only.
    reject(
        &call("bpf_sk_storage_get"),
        XDP,
        Rule::HelperNotAllowed,
        "bpf_sk_storage_get cannot be called from xdp programs",
    );
    // Not modelled, and not offered to the program type.
    reject(
        &call("bpf_lwt_push_encap"),
        XDP,
        Rule::HelperNotAllowed,
        "bpf_lwt_push_encap (helper #73) is not offered to xdp programs",
    );
    reject(
        &call("bpf_lwt_push_encap"),
        TC,
        Rule::HelperNotAllowed,
        "is not offered to sched_cls programs",
    );
    // Offered by the kernel, not modelled here.
    reject(
        &call("bpf_task_pt_regs"),
        TC,
        Rule::UnknownHelper,
        "bpf_task_pt_regs (helper #175) is not modelled",
    );
    reject(
        &call("9999"),
        TC,
        Rule::UnknownHelper,
        "no kernel helper #9999",
    );
}

/// A map of maps with no inner map (an ELF object whose BTF map definition has no
/// `__array(values, ...)`: user space gives the kernel one at run time): a lookup in it that
/// is only checked against NULL is fine; using what it gave as a map is a clear refusal naming
/// the fix, not a misleading "expects a map".
#[test]
fn map_from_map_of_maps_without_inner_map_is_a_clear_refusal() {
    let lookup = "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = mim ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\n";
    let used = format!(
        "{lookup}r1 = r0\nr2 = r10\nr2 += -4\ncall bpf_map_lookup_elem\nout:\nr0 = 2\nexit"
    );
    let checked = format!("{lookup}r0 = 1\nexit\nout:\nr0 = 2\nexit");
    for map_type in [MapType::ArrayOfMaps, MapType::HashOfMaps] {
        let ms = vec![MapSpec {
            name: Cow::Borrowed("mim"),
            map_type,
            key_size: 4,
            value_size: 4,
            max_entries: 1,
            flags: 0,
            btf: None,
            inner: None,
        }];
        let run = |src: &str| {
            let a = assemble(src).unwrap();
            verify(&VerifyInput::new(&a.insns, XDP).with_maps(&a.relocations, &ms))
        };
        run(&checked).expect("a lookup only checked against NULL");
        let errs = run(&used).expect_err("a map from a map of maps with no inner map");
        assert_eq!(errs[0].rule, Rule::Unsupported, "{}", errs[0]);
        assert_eq!(errs[0].insn_index, 10, "{}", errs[0]);
        assert!(
            errs[0]
                .message
                .contains("`mim`, which declares no inner map")
                && errs[0].message.contains("inner="),
            "{}",
            errs[0].message
        );
    }
}
