//! XDP metadata kfuncs without a kernel: `call <kfunc name>` in the assembler and the
//! disassembler, the `write_rx_metadata` snippet, and the static verifier's model of the
//! kfuncs (the kernel side is xsk-runtime's `xsk_metadata` test).

use ebpf_dsl::asm::{assemble, assemble_unchecked};
use ebpf_dsl::dsl::Program;
use ebpf_dsl::ir::build::ldxw;
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
use ebpf_dsl::xdp::metadata::{call_xdp_kfunc, write_rx_metadata, XdpKfunc};
use ebpf_dsl::xdp::{redirect_to_xsk, DEFAULT_XSK_FLAGS};
use ebpf_dsl::{MapSpec, MapType, ProgramType, Reg};

fn check(text: &str, prog_type: ProgramType) -> Result<(), String> {
    let a = assemble_unchecked(text).map_err(|e| format!("{e:?}"))?;
    let mut input = VerifyInput::new(&a.insns, prog_type);
    input.kernel = KernelVersion::new(6, 18);
    verify(&input).map(|_| ()).map_err(|errs| {
        errs.iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[test]
fn call_by_kfunc_name_assembles_to_a_placeholder_and_disassembles_back() {
    let a = assemble_unchecked(
        "call bpf_xdp_metadata_rx_timestamp\ncall bpf_xdp_metadata_rx_hash\ncall bpf_xdp_metadata_rx_vlan_tag\nr0 = 2\nexit",
    )
    .unwrap();
    for (i, k) in XdpKfunc::ALL.into_iter().enumerate() {
        assert_eq!(a.insns[i], call_xdp_kfunc(k));
        assert_eq!(
            a.insns[i].src(),
            2,
            "a kfunc call (src = BPF_PSEUDO_KFUNC_CALL)"
        );
        assert_eq!(
            ebpf_dsl::disasm::disassemble(&a.insns[i..i + 1])
                .unwrap()
                .trim(),
            format!("call {}", k.name())
        );
    }
}

const TS_OK: &str = "
    r6 = r1
    r2 = r10
    r2 += -8
    call bpf_xdp_metadata_rx_timestamp
    if r0 != 0 goto out
    r0 = *(u64 *)(r10 - 8)
out:
    r0 = 2
    exit
";

#[test]
fn the_verifier_accepts_a_timestamp_read_into_the_stack() {
    check(TS_OK, ProgramType::Xdp).unwrap();
    // The assembler's own check runs the same verifier on XDP text.
    assemble(TS_OK).unwrap();
}

#[test]
fn the_verifier_checks_the_kfunc_arguments() {
    // r1 is not the context.
    let e = check(
        "r1 = 0\nr2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(e.contains("context pointer"), "{e}");
    // r2 is a number, not memory.
    let e = check(
        "r2 = 8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(e.contains("writes 8 bytes through r2"), "{e}");
    // r3 of rx_hash not set.
    let e = check(
        "r2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_hash\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(e.contains("takes 3 arguments"), "{e}");
    // 8 bytes from r10 - 4 leave the stack frame.
    let e = check(
        "r2 = r10\nr2 += -4\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(e.contains("outside the 512-byte stack frame"), "{e}");
    // Only XDP programs.
    let e = check(
        TS_OK.replace("r0 = 2", "r0 = 0").as_str(),
        ProgramType::SocketFilter,
    )
    .unwrap_err();
    assert!(e.contains("only be called from XDP programs"), "{e}");
}

#[test]
fn the_output_is_initialised_and_r1_to_r5_are_clobbered() {
    // Reading the output is fine even without writing it first: the kfunc wrote it.
    check(
        "r2 = r10\nr2 += -16\nr3 = r10\nr3 += -12\ncall bpf_xdp_metadata_rx_hash\nr0 = *(u32 *)(r10 - 16)\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap();
    // r1 after the call is not the context any more.
    let e = check(
        "r6 = r1\nr2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = *(u32 *)(r1 + 0)\nr0 = 2\nexit",
        ProgramType::Xdp,
    )
    .unwrap_err();
    assert!(e.contains("r1"), "{e}");
}

#[test]
fn vlan_tag_needs_a_6_8_target() {
    let text =
        "r2 = r10\nr2 += -4\nr3 = r10\nr3 += -2\ncall bpf_xdp_metadata_rx_vlan_tag\nr0 = 2\nexit";
    check(text, ProgramType::Xdp).unwrap();
    let a = assemble_unchecked(text).unwrap();
    let mut input = VerifyInput::new(&a.insns, ProgramType::Xdp);
    input.kernel = KernelVersion::new(6, 6);
    let e = verify(&input).unwrap_err()[0].to_string();
    assert!(e.contains("needs Linux 6.8"), "{e}");
}

#[test]
fn the_metadata_snippet_passes_the_static_verifier() {
    let mut p = Program::xdp("xdp_rx_meta");
    p.license("GPL");
    p.map(MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    });
    p.extend(write_rx_metadata("meta_done"));
    p.push(ldxw(Reg::R2, Reg::R6, 16));
    p.extend(redirect_to_xsk("xsks", Reg::R2, DEFAULT_XSK_FLAGS));
    let spec = p.build_verified().unwrap_or_else(|e| panic!("{e}"));
    assert!(spec
        .insns
        .iter()
        .any(|i| XdpKfunc::of_insn(i) == Some(XdpKfunc::RxHash)));
}

#[test]
fn the_snippet_works_in_assembler_text() {
    let text = "write_rx_metadata!()\nr2 = *(u32 *)(r6 + 16)\nr1 = 0\nr0 = 2\nexit";
    // `assemble` runs the static verifier on XDP text.
    let a = assemble(text).unwrap_or_else(|e| panic!("{e:?}"));
    let kfuncs: Vec<_> = a.insns.iter().filter_map(XdpKfunc::of_insn).collect();
    assert_eq!(kfuncs, [XdpKfunc::RxTimestamp, XdpKfunc::RxHash]);
    assert!(assemble_unchecked("write_rx_metadata!(r1)").is_err());
}

#[test]
fn a_load_that_is_not_device_bound_refuses_the_kfuncs_even_unreached() {
    // The kernel takes the metadata kfuncs only in a device-bound load (`add_kfunc_call`:
    // "metadata kfuncs require device-bound program"), whether a path reaches the call or not.
    let reached = "r2 = r10\nr2 += -8\ncall bpf_xdp_metadata_rx_timestamp\nr0 = 2\nexit\n";
    let unreached = "r0 = 2\nif r0 == 2 goto out\nr2 = r10\nr2 += -8\n\
                     call bpf_xdp_metadata_rx_timestamp\nout:\nexit\n";
    let bound = ebpf_dsl::verifier::BPF_F_XDP_DEV_BOUND_ONLY;
    for text in [reached, unreached] {
        let a = assemble_unchecked(text).expect("assembles");
        let input =
            VerifyInput::new(&a.insns, ProgramType::Xdp).with_kernel(KernelVersion::new(6, 18));
        // `VerifyInput::new` assumes the loader binds it (xsk-runtime's `device_bound`).
        assert!(verify(&input).is_ok(), "{text}");
        assert!(
            verify(&input.clone().with_prog_flags(bound)).is_ok(),
            "{text}"
        );
        let errs = verify(&input.with_prog_flags(0)).expect_err("a plain load is refused");
        assert!(errs[0].message.contains("device-bound"), "{}", errs[0]);
    }
}
