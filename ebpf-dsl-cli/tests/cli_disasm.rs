//! The `ebpf-dsl disasm` subcommand, run as a user runs it: raw bytes in, assembly out that
//! `ebpf-dsl asm` turns back into the same bytes; malformed input is a clear error with a
//! non-zero exit status, never a panic.

mod support;
use support::{output_with_stdin as tool, s, stderr, TempDir};

#[test]
fn disasm_output_reassembles_to_the_same_bytes() {
    let dir = TempDir::new("rt");
    let src = dir.path("prog.s");
    std::fs::write(
        &src,
        "r2 = *(u32 *)(r1 + 4)\nr1 = *(u32 *)(r1 + 0)\nr3 = r1\nr3 += 14\n\
         if r3 > r2 goto pass\nr0 = *(u16 *)(r1 + 12)\nif r0 != ETH_P_IP_BE goto pass\n\
         r1 = 0x1122334455667788 ll\nr1 = xsks ll\nr2 = map_value(counters, 8) ll\nlock *(u64 *)(r10 - 8) += r1\ncall bpf_ktime_get_ns\n\
         r0 = XDP_DROP\nexit\npass:\nr0 = XDP_PASS\nexit\n",
    )
    .unwrap();
    let bin = dir.path("prog.bin");
    let out = tool(&["asm", s(&src), "-o", s(&bin)], b"");
    assert!(out.status.success(), "asm: {}", stderr(&out));
    let bytes = std::fs::read(&bin).expect("prog.bin");

    let out = tool(&["disasm", s(&bin)], b"");
    assert!(out.status.success(), "disasm: {}", stderr(&out));
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    assert!(text.contains("if r3 > r2 goto L"), "{text}");
    assert!(text.contains("call 0x5 # bpf_ktime_get_ns"), "{text}");
    // Map references: the fd is left 0 for the loader; BPF_PSEUDO_MAP_FD / MAP_VALUE.
    assert!(text.contains("ld_pseudo r1, 0x1, 0x0\n"), "{text}");
    assert!(text.contains("ld_pseudo r2, 0x2, 0x0, 0x8\n"), "{text}");

    // Reassemble the disassembly through stdin.
    let out = tool(&["asm", "-", "-o", "-"], text.as_bytes());
    assert!(
        out.status.success(),
        "asm of disassembly: {}\n{text}",
        stderr(&out)
    );
    assert_eq!(out.stdout, bytes, "{text}");

    // disasm reads stdin too.
    let out = tool(&["disasm", "-"], &bytes);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
}

#[test]
fn malformed_input_is_a_clear_error() {
    let dir = TempDir::new("bad");
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "short.bin",
            vec![0x95, 0, 0, 0, 0, 0, 0, 0, 0],
            "not a multiple of 8",
        ),
        (
            "opcode.bin",
            vec![0xff, 0, 0, 0, 0, 0, 0, 0],
            "slot 0 (opcode 0xff)",
        ),
        (
            "reg.bin",
            vec![0x95, 0, 0, 0, 0, 0, 0, 0, 0xbf, 0x0c, 0, 0, 0, 0, 0, 0],
            "slot 1",
        ),
        ("lddw.bin", vec![0x18, 0x01, 0, 0, 1, 0, 0, 0], "two slots"),
        (
            "elf.bin",
            b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec(),
            "ELF object",
        ),
    ];
    for (name, bytes, expect) in cases {
        let f = dir.path(name);
        std::fs::write(&f, &bytes).unwrap();
        let out = tool(&["disasm", s(&f)], b"");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{name}: {}", stderr(&out));
        assert!(
            !stderr(&out).contains("panicked"),
            "{name}: {}",
            stderr(&out)
        );
    }
    let out = tool(&["disasm", s(&dir.path("missing.bin"))], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = tool(&["disasm"], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // An empty input is an error that says so (issue 10: it used to exit 0 silently).
    let out = tool(&["disasm", "-"], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("<stdin> is empty: there is no instruction"),
        "{}",
        stderr(&out)
    );
}
