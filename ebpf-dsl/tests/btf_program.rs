//! A program's BTF: functions found from bpf-to-bpf calls, line_info for text programs (one
//! record per slot, none on an `ld_imm64`'s second slot, a line at every function start), and
//! the kernel's record form.

use ebpf_dsl::asm::text_lines;
use ebpf_dsl::btf::{program_btf, Btf, BtfExt, BtfType, Kind, Linkage};

const SRC: &str = "\
r1 = 0 ll
call sub
exit
sub:
  r0 = 2
  exit
";

#[test]
fn text_program_lines_and_functions() {
    let a = ebpf_dsl::asm::assemble(SRC).unwrap();
    let lines = text_lines(&a, SRC, "prog.s");
    // Slots: 0-1 ld_imm64, 2 call, 3 exit, 4 r0 = 2, 5 exit.
    let got: Vec<(u32, u32, u32, &str)> = lines
        .iter()
        .map(|l| (l.insn, l.line, l.col, &*l.text))
        .filter(|l| l.0 != 1)
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 1, 1, "r1 = 0 ll"),
            (2, 2, 1, "call sub"),
            (3, 3, 1, "exit"),
            (4, 5, 3, "r0 = 2"),
            (5, 6, 3, "exit"),
        ]
    );
    let (btf, ext) = program_btf("p", "xdp", &a.insns, &lines);
    let funcs: Vec<(u32, String, Linkage)> = ext.func_info[0]
        .records
        .iter()
        .map(|f| match &btf.get(f.type_id).unwrap().kind {
            Kind::Func { linkage, .. } => {
                (f.insn, btf.get(f.type_id).unwrap().name.clone(), *linkage)
            }
            k => panic!("{k:?}"),
        })
        .collect();
    assert_eq!(
        funcs,
        vec![
            (0, "p".to_string(), Linkage::Global),
            (4, "p_4".to_string(), Linkage::Static)
        ]
    );
    let recs: Vec<u32> = ext.line_info[0].records.iter().map(|l| l.insn).collect();
    assert_eq!(recs, vec![0, 2, 3, 4, 5]);

    // The kernel's form: same records, string offsets into the blob's table.
    let k = btf.encode_for_load(&ext);
    assert_eq!(k.func_info, vec![[0, 5], [4, 6]]);
    assert_eq!(k.line_info.len(), 5);
    assert_eq!(k.line_info[3][3], (5 << 10) | 3);
    let back = Btf::decode(&k.btf).unwrap();
    assert_eq!(back, btf);
    // And the ELF form round-trips.
    let (b, e) = btf.encode_with_ext(&ext);
    assert_eq!(BtfExt::decode(&e, &b).unwrap(), ext);
}

#[test]
fn function_start_without_a_line_gets_the_previous_one() {
    let a = ebpf_dsl::asm::assemble(SRC).unwrap();
    let lines: Vec<_> = text_lines(&a, SRC, "prog.s")
        .into_iter()
        .filter(|l| l.insn != 4)
        .collect();
    let (_, ext) = program_btf("p", "xdp", &a.insns, &lines);
    let recs: Vec<(u32, u32)> = ext.line_info[0]
        .records
        .iter()
        .map(|l| (l.insn, l.line))
        .collect();
    assert_eq!(recs, vec![(0, 1), (2, 2), (3, 3), (4, 3), (5, 6)]);
}

#[test]
fn primitives_and_arrays_are_shared() {
    let mut btf = Btf::new();
    let a = <[u8; 6] as BtfType>::btf_type(&mut btf);
    let b = <[u8; 6] as BtfType>::btf_type(&mut btf);
    let c = <u64 as BtfType>::btf_type(&mut btf);
    assert_eq!(a, b);
    assert_eq!(
        btf.dump(),
        "[1] INT 'u8' size=1 bits_offset=0 nr_bits=8 encoding=(none)\n\
         [2] ARRAY '(anon)' type_id=1 index_type_id=3 nr_elems=6\n\
         [3] INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n\
         [4] INT 'u64' size=8 bits_offset=0 nr_bits=64 encoding=(none)\n"
    );
    assert_eq!(c, 4);
    assert_eq!(btf.size_of(a), Some(6));
}

#[test]
fn malformed_blobs_are_errors_with_offsets() {
    let mut btf = Btf::new();
    <[i32; 2] as BtfType>::btf_type(&mut btf);
    let good = btf.encode();
    assert!(Btf::decode(&good[..10])
        .unwrap_err()
        .to_string()
        .contains(".BTF at offset 0"));
    let mut bad = good.clone();
    bad[0] = 0;
    assert!(Btf::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("bad magic"));
    // Every truncation and every single-byte corruption: an error or a value, never a panic.
    for n in 0..good.len() {
        let _ = Btf::decode(&good[..n]);
        for v in [0u8, 0x7f, 0xff] {
            let mut b = good.clone();
            b[n] = v;
            let _ = Btf::decode(&b);
            let _ = BtfExt::decode(&b, &good);
        }
    }
    // A type section that ends inside a type.
    let mut cut = good.clone();
    let tl = u32::from_le_bytes(cut[12..16].try_into().unwrap()) - 4;
    cut[12..16].copy_from_slice(&tl.to_le_bytes());
    cut[16..20].copy_from_slice(&tl.to_le_bytes());
    let e = Btf::decode(&cut).unwrap_err();
    assert_eq!(e.section, ".BTF");
    assert!(
        e.message.contains("truncated") || e.message.contains("string"),
        "{e}"
    );
}

#[test]
fn append_renumbers_references() {
    let a = ebpf_dsl::asm::assemble(SRC).unwrap();
    let lines = text_lines(&a, SRC, "prog.s");
    let (prog, _) = program_btf("p", "xdp", &a.insns, &lines);
    let mut all = Btf::new();
    let arr = <[u16; 3] as BtfType>::btf_type(&mut all);
    let before = all.types.len() as u32;
    let offset = all.append(&prog);
    assert_eq!(offset, before);
    assert_eq!(all.types.len(), before as usize + prog.types.len());
    // Each appended type's dump is the original's with every id shifted.
    for id in 1..=prog.types.len() as u32 {
        let shifted = all.dump_one(id + offset);
        let orig = prog.dump_one(id);
        let renumber = |s: &str| {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|w| !w.is_empty())
                .count()
        };
        assert_eq!(renumber(&shifted), renumber(&orig), "{shifted} / {orig}");
        assert_eq!(
            all.get(id + offset).unwrap().name,
            prog.get(id).unwrap().name
        );
    }
    // `void *ctx` stays a pointer to void, the FUNC points at its shifted FUNC_PROTO.
    assert_eq!(all.get(offset + 2).unwrap().kind, Kind::Ptr(0));
    assert_eq!(
        all.get(offset + 5).unwrap().kind,
        Kind::Func {
            proto: offset + 3,
            linkage: Linkage::Global
        }
    );
    assert_eq!(
        all.dump_one(arr),
        "[2] ARRAY '(anon)' type_id=1 index_type_id=3 nr_elems=3"
    );
}

/// Random corruptions of a valid `.BTF` + `.BTF.ext` pair (fixed seed, so reproducible): the
/// readers return a value or an error naming the section, never panic.
#[test]
fn fuzz_readers() {
    let a = ebpf_dsl::asm::assemble(SRC).unwrap();
    let lines = text_lines(&a, SRC, "prog.s");
    let (mut btf, ext) = program_btf("p", "xdp", &a.insns, &lines);
    <[[i64; 2]; 3] as BtfType>::btf_type(&mut btf);
    let (good_btf, good_ext) = btf.encode_with_ext(&ext);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let iters: usize = std::env::var("FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    for _ in 0..iters {
        let mut b = good_btf.clone();
        let mut e = good_ext.clone();
        let target = next() % 2 == 0;
        let buf = if target { &mut b } else { &mut e };
        for _ in 0..1 + next() % 4 {
            let i = (next() as usize) % buf.len();
            buf[i] = match next() % 4 {
                0 => 0,
                1 => 0xff,
                2 => buf[i] ^ (1 << (next() % 8)),
                _ => next() as u8,
            };
        }
        if next() % 4 == 0 {
            let n = (next() as usize) % buf.len();
            buf.truncate(n);
        }
        match Btf::decode(&b) {
            Ok(t) => {
                // Whatever was read dumps and re-encodes.
                let _ = t.dump();
                let _ = t.encode();
            }
            Err(err) => assert_eq!(err.section, ".BTF"),
        }
        if let Err(err) = BtfExt::decode(&e, &b) {
            assert!(err.section == ".BTF" || err.section == ".BTF.ext", "{err}");
        }
    }
}

#[test]
fn dangling_reference_names_the_type_and_offset() {
    use ebpf_dsl::btf::Type;
    let mut btf = Btf::new();
    btf.push(Type::new(
        "u32",
        Kind::Int {
            size: 4,
            encoding: 0,
            offset: 0,
            bits: 32,
        },
    ));
    btf.push(Type::new("", Kind::Ptr(9)));
    let e = Btf::decode(&btf.encode()).unwrap_err();
    // Header 24 bytes, then the INT (16 bytes): the PTR starts at 40.
    assert_eq!((e.section, e.offset), (".BTF", 40));
    assert_eq!(
        e.to_string(),
        ".BTF at offset 40: type [2] PTR '(anon)' refers to type 9, but there are 2 types"
    );
}
