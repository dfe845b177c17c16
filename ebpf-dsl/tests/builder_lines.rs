//! Builder-API programs carry their Rust source lines: each instruction's
//! `ProgramSpec::lines` entry is the file, line and column of the `push` / `extend` /
//! `snippet` call that added it (`#[track_caller]`), as `defprogram!` records its own.

use ebpf_dsl::dsl::{ja, label, ld_map_fd, mov, Program};
use ebpf_dsl::snippet::SnippetArg;
use ebpf_dsl::{MapSpec, MapType, Reg};

#[test]
fn each_instruction_names_the_line_that_pushed_it() {
    let mut p = Program::xdp("lines");
    p.map(MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 4,
        flags: 0,
        btf: None,
        inner: None,
    });
    let first = line!() + 1;
    p.push(mov(Reg::R0, 2));
    p.push(ja("out")); // first + 1
    p.push(ld_map_fd(Reg::R1, "xsks")); // first + 2: two slots, one line
    p.push(label("out")); // no instruction
    p.extend([mov(Reg::R0, 1), mov(Reg::R0, 2)]); // first + 4, both
    p.snippet(
        "redirect_to_xsk_by_queue",
        &[SnippetArg::Ident("xsks".into())],
    )
    .unwrap(); // first + 5
    let spec = p.build().unwrap();
    let lines: Vec<(u32, u32)> = spec.lines.iter().map(|l| (l.insn, l.line)).collect();
    let snippet_slots = spec.insns.len() as u32 - 6;
    let mut want = vec![
        (0, first),
        (1, first + 1),
        (2, first + 2),
        (4, first + 4),
        (5, first + 4),
    ];
    // The snippet's instructions (ld_imm64 second slots carry no line).
    let mut slot = 6;
    while slot < 6 + snippet_slots {
        want.push((slot, first + 5));
        slot += if spec.insns[slot as usize].is_ld_imm64() {
            2
        } else {
            1
        };
    }
    assert_eq!(lines, want);
    for l in spec.lines.iter() {
        assert!(l.file.ends_with("builder_lines.rs"), "{l:?}");
        assert_eq!(l.col, 7, "{l:?}");
    }
    assert_eq!(spec.lines[0].text, "r0 = 0x2");
    assert_eq!(spec.lines[2].text, "r1 = xsks ll");
    // The lines reach the kernel through the program's BTF line_info.
    let (_, ext) = ebpf_dsl::btf::program_btf("lines", "xdp", &spec.insns, &spec.lines);
    let recs = &ext.line_info[0].records;
    assert_eq!(recs.len(), spec.lines.len());
    assert_eq!(recs[1].line, first + 1);
    assert!(recs[1].file.ends_with("builder_lines.rs"));
}
