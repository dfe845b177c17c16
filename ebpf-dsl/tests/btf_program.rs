//! A program's BTF: functions found from bpf-to-bpf calls, line_info for text programs (one
//! record per slot, none on an `ld_imm64`'s second slot, a line at every function start), and
//! the kernel's record form.

use ebpf_dsl::btf::{program_btf, text_lines, Btf, BtfExt, BtfType, Kind, Linkage};

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
         [2] INT '__ARRAY_SIZE_TYPE__' size=4 bits_offset=0 nr_bits=32 encoding=(none)\n\
         [3] ARRAY '(anon)' type_id=1 index_type_id=2 nr_elems=6\n\
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
