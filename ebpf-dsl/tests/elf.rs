//! ELF in and out (`ebpf_dsl::elf`), against clang-19 and llvm-objdump-19: C programs in
//! `tests/elf/*.c` (legacy maps, BTF-defined maps, global data, bpf-to-bpf calls) are compiled
//! with `clang-19 -O2 -g -target bpf -c`; our reader's programs must print, instruction by
//! instruction, what `llvm-objdump-19 -d --mattr=+alu32` prints for the entry function
//! followed by the subprograms it calls (map loads, calls and callback addresses are checked
//! by target instead of by text); our writer's objects must read back to the same [`Object`] and be readable by
//! `llvm-objdump-19 -d -r`. Without clang-19 the clang tests print why and pass, unless
//! `CI=true` (CI installs it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ebpf_dsl::decode::{decode_indexed, Decoded};
use ebpf_dsl::elf::{program_listing, read_object, write_object, ElfProgram, Object};
use ebpf_dsl::{MapType, RelocKind};

#[path = "support/clang.rs"]
mod clang;
use clang::compile;

fn obj_path(file: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("elf-{file}"))
}

/// llvm-objdump-19's listing of `obj`, by function: each instruction's text, without the
/// `<function+offset>` annotation of jumps.
fn objdump(obj: &[u8], file: &str) -> BTreeMap<String, Vec<String>> {
    let path = obj_path(file);
    std::fs::write(&path, obj).unwrap();
    let out = Command::new("llvm-objdump-19")
        .args(["-d", "--mattr=+alu32", "--no-show-raw-insn"])
        .arg(&path)
        .output()
        .expect("llvm-objdump-19 runs (it comes with clang-19)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut by_fn: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut cur = String::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        if let Some(name) = line.strip_suffix(">:").and_then(|l| l.split_once(" <")) {
            cur = name.1.to_string();
            by_fn.entry(cur.clone()).or_default();
        } else if let Some((_, text)) = line.split_once(":\t") {
            if line
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            {
                let text = match text.rsplit_once(" <") {
                    Some((t, _)) if text.ends_with('>') => t.to_string(),
                    _ => text.to_string(),
                };
                by_fn
                    .get_mut(&cur)
                    .expect("an instruction before any function")
                    .push(text);
            }
        }
    }
    by_fn
}

/// Our program `p` against objdump's listing of its function followed by `subs`: the same
/// text for every instruction but map loads and calls; each map load has a relocation and
/// objdump shows an `ll` load there; each call lands on the first instruction of a function.
fn compare(p: &ElfProgram, dump: &BTreeMap<String, Vec<String>>, subs: &[&str]) {
    let mut expected: Vec<String> = dump[&p.function].clone();
    let mut starts = vec![0usize];
    let mut slots = dump[&p.function].iter().map(|l| slots_of(l)).sum::<usize>();
    for s in subs {
        starts.push(slots);
        slots += dump[*s].iter().map(|l| slots_of(l)).sum::<usize>();
        expected.extend(dump[*s].iter().cloned());
    }
    let ours = decode_indexed(&p.spec.insns).unwrap();
    assert_eq!(
        ours.len(),
        expected.len(),
        "{}: instruction count",
        p.function
    );
    assert_eq!(p.spec.insns.len(), slots, "{}: slot count", p.function);
    for ((slot, d), theirs) in ours.iter().zip(&expected) {
        if let Some(r) = p.spec.relocations.iter().find(|r| r.insn_index == *slot) {
            assert!(
                theirs.ends_with(" ll"),
                "slot {slot}: objdump shows `{theirs}` for a map load"
            );
            assert!(p.spec.maps.iter().any(|m| m.name == r.symbol), "{r:?}");
            continue;
        }
        if let Some(off) = d.func_offset() {
            // A callback address: clang's `rN = 0xOFF ll` against `.text`, ours by distance.
            assert!(
                theirs.ends_with(" ll"),
                "slot {slot}: objdump shows `{theirs}` for a callback address"
            );
            let target = (*slot as i64 + 1 + off) as usize;
            assert!(
                starts[1..].contains(&target),
                "slot {slot}: callback at {target}, functions at {starts:?}"
            );
            continue;
        }
        if let Decoded::CallLocal { imm } = d {
            assert!(
                theirs.starts_with("call "),
                "slot {slot}: objdump shows `{theirs}`"
            );
            let target = (*slot as i64 + 1 + i64::from(*imm)) as usize;
            assert!(
                starts[1..].contains(&target),
                "slot {slot}: call to {target}, functions at {starts:?}"
            );
            continue;
        }
        assert_eq!(&d.to_string(), theirs, "{} slot {slot}", p.function);
    }
}

fn slots_of(objdump_text: &str) -> usize {
    if objdump_text.ends_with(" ll") {
        2
    } else {
        1
    }
}

fn program<'a>(obj: &'a Object, function: &str) -> &'a ElfProgram {
    obj.programs
        .iter()
        .find(|p| p.function == function)
        .expect(function)
}

/// Our writer's object reads back to `obj`, llvm-objdump-19 reads it (with its relocations),
/// and each program's listing reassembles to the same instructions and relocations.
fn round_trip(obj: &Object, name: &str) {
    let bytes = write_object(obj).unwrap();
    let back = read_object(&bytes).unwrap();
    assert_eq!(&back, obj, "{name}: write then read");
    let path = obj_path(&format!("{name}-ours.o"));
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new("llvm-objdump-19")
        .args(["-d", "-r"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for p in &obj.programs {
        assert!(text.contains(&format!("<{}>:", p.function)), "{text}");
        for r in p.spec.relocations.iter() {
            if let RelocKind::MapFd = r.kind {
                assert!(
                    text.contains(&format!("R_BPF_64_64\t{}", r.symbol)),
                    "{text}"
                );
            }
        }
        let listing = program_listing(&p.spec).unwrap();
        let again = ebpf_dsl::assemble(&listing).unwrap();
        assert_eq!(again.insns, p.spec.insns.to_vec(), "{listing}");
        assert_eq!(again.relocations, p.spec.relocations.to_vec(), "{listing}");
    }
}

#[test]
fn legacy_maps() {
    let Some(o) = compile("legacy") else { return };
    let obj = read_object(&o).unwrap();
    assert_eq!(obj.license, "GPL");
    let names: Vec<_> = obj
        .maps
        .iter()
        .map(|m| {
            (
                m.name_str(),
                m.map_type,
                m.key_size,
                m.value_size,
                m.max_entries,
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("counts", MapType::Array, 4, 8, 4),
            ("xsks", MapType::Xskmap, 4, 4, 64)
        ]
    );
    let p = program(&obj, "count_pass");
    assert_eq!(p.section, "xdp");
    assert_eq!(p.spec.relocations.len(), 2);
    compare(p, &objdump(&o, "legacy.o"), &[]);
    round_trip(&obj, "legacy");
}

#[test]
fn btf_maps_global_data_and_subprograms() {
    let Some(o) = compile("btfmaps") else { return };
    let obj = read_object(&o).unwrap();
    let stats = obj.maps.iter().find(|m| m.name == "stats").unwrap();
    assert_eq!(
        (
            stats.map_type,
            stats.key_size,
            stats.value_size,
            stats.max_entries
        ),
        (MapType::Array, 4, 8, 8)
    );
    let tbl = obj.maps.iter().find(|m| m.name == "tbl").unwrap();
    assert_eq!(
        (
            tbl.map_type,
            tbl.key_size,
            tbl.value_size,
            tbl.max_entries,
            tbl.flags
        ),
        (MapType::Hash, 4, 16, 128, 1)
    );
    let ro = obj.maps.iter().find(|m| m.name == ".rodata").unwrap();
    assert_eq!(
        (ro.value_size, ro.flags),
        (4, ebpf_dsl::elf::BPF_F_RDONLY_PROG)
    );
    let data: Vec<_> = obj
        .data
        .iter()
        .map(|d| (d.map.as_str(), d.bytes.clone(), d.read_only))
        .collect();
    assert!(
        data.contains(&(".rodata", vec![3, 0, 0, 0], true)),
        "{data:?}"
    );
    assert!(
        data.contains(&(".data", vec![7, 0, 0, 0, 0, 0, 0, 0], false)),
        "{data:?}"
    );
    assert!(data.contains(&(".bss", vec![0; 8], false)), "{data:?}");
    let dump = objdump(&o, "btfmaps.o");
    let a = program(&obj, "prog_a");
    assert_eq!(a.spec.prog_type, ebpf_dsl::ProgramType::Xdp);
    compare(a, &dump, &["bump"]);
    let kinds: Vec<_> = a
        .spec
        .relocations
        .iter()
        .map(|r| (r.symbol.to_string(), r.kind))
        .collect();
    assert_eq!(
        kinds,
        [
            (".data".to_string(), RelocKind::MapValue { offset: 0 }),
            (".bss".to_string(), RelocKind::MapValue { offset: 0 }),
            (".rodata".to_string(), RelocKind::MapValue { offset: 0 }),
            ("stats".to_string(), RelocKind::MapFd),
        ]
    );
    let b = program(&obj, "prog_b");
    assert_eq!(b.spec.prog_type, ebpf_dsl::ProgramType::SchedCls);
    compare(b, &dump, &["bump"]);
    round_trip(&obj, "btfmaps");
}

#[test]
fn calls_between_subprograms() {
    let Some(o) = compile("subcall") else { return };
    let obj = read_object(&o).unwrap();
    assert_eq!(obj.license, "MIT");
    let dump = objdump(&o, "subcall.o");
    let subs = program(&obj, "subs");
    assert_eq!(subs.section, "xdp/sub");
    compare(subs, &dump, &["twice", "add3"]);
    let sock = program(&obj, "sock");
    assert_eq!(sock.spec.prog_type, ebpf_dsl::ProgramType::SocketFilter);
    compare(sock, &dump, &["add3"]);
    round_trip(&obj, "subcall");
}

#[test]
fn callbacks() {
    let Some(o) = compile("callback") else { return };
    let obj = read_object(&o).unwrap();
    let dump = objdump(&o, "callback.o");
    let p = program(&obj, "loops");
    compare(p, &dump, &["add_index", "add_value"]);
    // Two callback addresses (`src` = BPF_PSEUDO_FUNC), the listing names their labels.
    let funcs: Vec<_> = decode_indexed(&p.spec.insns)
        .unwrap()
        .iter()
        .filter_map(|(slot, d)| d.func_offset().map(|o| (*slot, *slot as i64 + 1 + o)))
        .collect();
    assert_eq!(funcs, [(5, 22), (12, 29)]);
    let listing = program_listing(&p.spec).unwrap();
    assert!(listing.contains("r2 = L22 ll"), "{listing}");
    assert!(listing.contains("r2 = L29 ll"), "{listing}");
    round_trip(&obj, "callback");
    // Our object carries clang's form: `ld_imm64` + R_BPF_64_64 against `.text`.
    let ours = write_object(&obj).unwrap();
    let path = obj_path("callback-relocs.o");
    std::fs::write(&path, &ours).unwrap();
    let out = Command::new("llvm-objdump-19")
        .args(["-d", "-r", "--no-show-raw-insn"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("R_BPF_64_64\t.text").count(), 2, "{text}");
    assert!(text.contains("r2 = 0x38 ll"), "{text}");
}

#[test]
fn maps_of_maps() {
    let Some(o) = compile("mapinmap") else { return };
    let obj = read_object(&o).unwrap();
    let outer = obj.maps.iter().find(|m| m.name == "outer").unwrap();
    assert_eq!(
        (
            outer.map_type,
            outer.key_size,
            outer.value_size,
            outer.max_entries
        ),
        (MapType::ArrayOfMaps, 4, 4, 4)
    );
    assert_eq!(
        outer.inner,
        Some(ebpf_dsl::spec::InnerMap {
            map_type: MapType::Array,
            key_size: 4,
            value_size: 8,
            max_entries: 1,
            flags: 0,
        })
    );
    let p = program(&obj, "twice");
    compare(p, &objdump(&o, "mapinmap.o"), &[]);
    // Written back as `__array(values, struct { .. })`, read back the same.
    round_trip(&obj, "mapinmap");
}

/// Every prefix and many one-byte corruptions of real objects: an error or an object, never a
/// panic; errors name an offset (and a section when the problem is in one).
#[test]
fn malformed_objects_are_errors() {
    let Some(o) = compile("btfmaps") else { return };
    for n in (0..o.len()).step_by(7) {
        let _ = read_object(&o[..n]);
    }
    let e = read_object(&o[..100]).unwrap_err();
    assert!(e.to_string().contains("offset"), "{e}");
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut m = o.clone();
        let at = (seed % m.len() as u64) as usize;
        m[at] ^= (seed >> 32) as u8 | 1;
        if let Err(e) = read_object(&m) {
            assert!(!e.reason.is_empty());
        }
    }
    // Every 8-byte field of every section header and symbol set to extreme values.
    let shoff = u64::from_le_bytes(o[40..48].try_into().unwrap()) as usize;
    let shnum = u16::from_le_bytes(o[60..62].try_into().unwrap()) as usize;
    let mut fields: Vec<(usize, usize)> =
        (0..shnum * 64).step_by(4).map(|i| (shoff + i, 4)).collect();
    for i in 0..shnum {
        let h = shoff + 64 * i;
        if u32::from_le_bytes(o[h + 4..h + 8].try_into().unwrap()) == 2 {
            let off = u64::from_le_bytes(o[h + 24..h + 32].try_into().unwrap()) as usize;
            let size = u64::from_le_bytes(o[h + 32..h + 40].try_into().unwrap()) as usize;
            fields.extend((off..off + size).step_by(2).map(|a| (a, 2)));
            fields.extend((off..off + size - 7).step_by(8).map(|a| (a, 8)));
        }
    }
    for (at, width) in fields {
        for v in [0u64, 1, 7, 0x7fff_ffff, u64::MAX, 1 << 40] {
            let mut m = o.clone();
            m[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
            let _ = read_object(&m);
        }
    }
    // The BTF-defined map walk on every 4-byte word of clang's .BTF set to extreme values.
    let btf = section_bytes(&o, ".BTF");
    assert_eq!(ebpf_dsl::elf::maps_from_btf(&btf).unwrap().len(), 2);
    for at in (0..btf.len() - 3).step_by(4) {
        for v in [0u32, 1, 0x7fff_ffff, u32::MAX, 0x0f00_0001] {
            let mut m = btf.clone();
            m[at..at + 4].copy_from_slice(&v.to_le_bytes());
            let _ = ebpf_dsl::elf::maps_from_btf(&m);
        }
    }
    let bad = read_object(b"not an object at all, but long enough for a header..............")
        .unwrap_err();
    assert_eq!(
        bad.to_string(),
        "offset 0x0: not an ELF file (no \\x7fELF magic)"
    );
}

/// The contents of section `name` of object `o` (a well-formed one).
fn section_bytes(o: &[u8], name: &str) -> Vec<u8> {
    let u16_at = |a: usize| u16::from_le_bytes(o[a..a + 2].try_into().unwrap()) as usize;
    let u32_at = |a: usize| u32::from_le_bytes(o[a..a + 4].try_into().unwrap()) as usize;
    let u64_at = |a: usize| u64::from_le_bytes(o[a..a + 8].try_into().unwrap()) as usize;
    let (shoff, shnum, shstrndx) = (u64_at(40), u16_at(60), u16_at(62));
    let strtab = u64_at(shoff + 64 * shstrndx + 24);
    (0..shnum)
        .map(|i| shoff + 64 * i)
        .find(|&h| {
            let n = strtab + u32_at(h);
            o[n..].starts_with(name.as_bytes()) && o[n + name.len()] == 0
        })
        .map(|h| o[u64_at(h + 24)..u64_at(h + 24) + u64_at(h + 32)].to_vec())
        .expect("the section")
}

/// A builder program with a map and global data: write, read back, the same object.
#[test]
fn builder_program_round_trip_without_clang() {
    use ebpf_dsl::dsl::{self, Program};
    use ebpf_dsl::insn::Size;
    use ebpf_dsl::{MapSpec, Reg};
    let mut p = Program::xdp("with_maps");
    p.map(MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 64,
        flags: 0,
        btf: None,
        inner: None,
    });
    p.map(MapSpec {
        name: ".data".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 16,
        max_entries: 1,
        flags: 0,
        btf: None,
        inner: None,
    });
    p.push(dsl::ld_map_value(Reg::R2, ".data", 8))
        .push(dsl::ldx(Size::W, Reg::R3, Reg::R2, 0))
        .push(dsl::ldx(Size::W, Reg::R2, Reg::R1, 16))
        .push(dsl::ld_map_fd(Reg::R1, "xsks"))
        .push(dsl::mov(Reg::R3, 2))
        .push(dsl::call_helper("bpf_redirect_map").unwrap())
        .push(dsl::exit());
    let spec = p.build().unwrap();
    let mut obj = Object::from_programs(std::slice::from_ref(&spec)).unwrap();
    obj.data.push(ebpf_dsl::elf::GlobalData {
        map: ".data".into(),
        section: ".data".into(),
        bytes: (0..16).collect(),
        read_only: false,
    });
    let back = read_object(&write_object(&obj).unwrap()).unwrap();
    assert_eq!(back, obj);
    let got = &back.programs[0].spec;
    assert_eq!(
        (&got.name, got.prog_type, &got.license),
        (&spec.name, spec.prog_type, &spec.license)
    );
    assert_eq!(
        (&got.insns, &got.relocations),
        (&spec.insns, &spec.relocations)
    );
    let mut maps = spec.maps.to_vec();
    maps.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(got.maps.to_vec(), maps);
}

/// The `.maps` definitions resolve through the BTF module: clang's `__type(key, __u32)` and
/// `__type(value, __u64)` are the typedefs in its `.BTF`, and `Btf::subset` of them is just
/// the typedefs and their ints, renumbered; a size-only map has no types.
#[test]
fn btf_map_types_from_clang() {
    let Some(o) = compile("btfmaps") else { return };
    let ob = ebpf_dsl::elf::object_btf(&o).unwrap().unwrap();
    let stats = ob.maps.iter().find(|t| t.map == "stats").unwrap();
    let name = |id| ob.btf.get(id).unwrap().name.clone();
    assert_eq!(
        (name(stats.key), name(stats.value)),
        ("__u32".into(), "__u64".into())
    );
    let tbl = ob.maps.iter().find(|t| t.map == "tbl").unwrap();
    assert_eq!((tbl.key, tbl.value), (0, 0));
    let (sub, ids) = ob.btf.subset(&[stats.key, stats.value]).unwrap();
    assert_eq!(sub.types.len(), 4, "{}", sub.dump());
    assert_eq!(sub.size_of(ids[0]), Some(4));
    assert_eq!(sub.size_of(ids[1]), Some(8));
    assert_eq!(sub.get(ids[1]).unwrap().name, "__u64");
    // A map definition whose key type does not exist is an error naming .BTF, not a panic.
    assert!(ob.btf.subset(&[u32::MAX]).is_none());
}

/// clang's initialised global data goes round through text: `program_listing_data` prints each
/// data section as `.map ... init=HEX`, the assembler gives the same contents back in
/// `Assembled::data`, and the object written from the text has clang's section bytes.
#[test]
fn initialised_global_data_round_trips_through_text() {
    for (file, function) in [("globals", "sum"), ("btfmaps", "prog_a")] {
        let Some(o) = compile(file) else { return };
        let obj = read_object(&o).unwrap();
        let p = program(&obj, function);
        let text = ebpf_dsl::elf::program_listing_data(&p.spec, &obj.data).unwrap();
        assert!(text.contains(" init="), "{text}");
        let a = ebpf_dsl::assemble(&text).unwrap();
        assert_eq!(a.insns, p.spec.insns.to_vec(), "{text}");
        for d in obj.data.iter().filter(|d| d.bytes.iter().any(|&b| b != 0)) {
            let got = a.data.iter().find(|g| g.map == d.map).expect(&d.map);
            assert_eq!(
                (&got.bytes, got.read_only),
                (&d.bytes, d.read_only),
                "{text}"
            );
        }
        let data = a.data.clone();
        let spec = a.into_program_spec(function, p.spec.prog_type, "GPL", Vec::new());
        let mut ours = Object::from_programs(&[spec]).unwrap();
        ours.data = data;
        let bytes = write_object(&ours).unwrap();
        for s in [".rodata", ".data"] {
            assert_eq!(section_bytes(&bytes, s), section_bytes(&o, s), "{file} {s}");
        }
        assert_eq!(read_object(&bytes).unwrap().data.len(), 3, "{file}");
    }
    // Initial contents only go into an object as global data, and `.bss` stays zero.
    let a = ebpf_dsl::assemble(".map cfg array key=4 value=4 init=01\nr0 = 0\nexit").unwrap();
    let data = a.data.clone();
    let spec = a.into_program_spec("p", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let mut obj = Object::from_programs(&[spec]).unwrap();
    obj.data = data;
    let e = write_object(&obj).unwrap_err();
    assert!(e.reason.contains("only for global data"), "{e}");
    let a = ebpf_dsl::assemble(".map .bss array key=4 value=4 init=01\nr0 = 0\nexit").unwrap();
    let data = a.data.clone();
    let spec = a.into_program_spec("p", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let mut obj = Object::from_programs(&[spec]).unwrap();
    obj.data = data;
    let e = write_object(&obj).unwrap_err();
    assert!(e.reason.contains("zeroed"), "{e}");
}

/// clang's calls of the XDP metadata kfuncs (extern functions, in the program and in a `.text`
/// subprogram) read as `call NAME`; our object of that text writes them as clang does: the
/// same instruction bytes, an `R_BPF_64_32` relocation against an undefined `NOTYPE` symbol per
/// kfunc, and an extern `FUNC` in a `.ksyms` `DATASEC`. An unknown extern function is an error
/// naming it.
#[test]
fn kfunc_calls_by_name_round_trip() {
    let Some(o) = compile("kfunc") else { return };
    let obj = read_object(&o).unwrap();
    let p = program(&obj, "rxmeta");
    let text = program_listing(&p.spec).unwrap();
    assert!(text.contains("\tcall bpf_xdp_metadata_rx_hash\n"), "{text}");
    assert!(
        text.contains("\tcall bpf_xdp_metadata_rx_timestamp\n"),
        "{text}"
    );
    let a = ebpf_dsl::assemble(&text).unwrap();
    assert_eq!(a.insns, p.spec.insns.to_vec());
    round_trip(&obj, "kfunc");
    let ours = write_object(&obj).unwrap();
    for s in ["xdp", ".text"] {
        assert_eq!(section_bytes(&ours, s), section_bytes(&o, s), "{s}");
    }
    let path = obj_path("kfunc-ours.o");
    std::fs::write(&path, &ours).unwrap();
    let dump = Command::new("llvm-objdump-19")
        .args(["-dr"])
        .arg(&path)
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    for k in ["bpf_xdp_metadata_rx_hash", "bpf_xdp_metadata_rx_timestamp"] {
        assert!(dump.contains(&format!("R_BPF_64_32\t{k}")), "{dump}");
    }
    let syms = Command::new("llvm-readelf-19")
        .arg("-s")
        .arg(&path)
        .output()
        .unwrap();
    let syms = String::from_utf8_lossy(&syms.stdout);
    assert!(
        syms.lines()
            .any(|l| l.contains("NOTYPE  GLOBAL DEFAULT   UND bpf_xdp_metadata_rx_hash")),
        "{syms}"
    );
    let btf = ebpf_dsl::elf::object_btf(&ours).unwrap().unwrap().btf;
    let dump = btf.dump();
    assert!(
        dump.contains("FUNC 'bpf_xdp_metadata_rx_hash' type_id=")
            && dump.contains("linkage=extern"),
        "{dump}"
    );
    assert!(dump.contains("DATASEC '.ksyms' size=0 vlen=2"), "{dump}");
    // The same program from text, with no clang involved, gives the same object bytes.
    let a = ebpf_dsl::assemble(&text).unwrap();
    let spec = a.into_program_spec("rxmeta", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let again = write_object(&Object::from_programs(&[spec]).unwrap()).unwrap();
    assert_eq!(section_bytes(&again, "xdp"), section_bytes(&o, "xdp"));
    // An extern function that is no kfunc we know by name: an error naming it.
    let mut bad = o.clone();
    let name = b"bpf_xdp_metadata_rx_hash\0";
    let at: Vec<usize> = (0..bad.len() - name.len())
        .filter(|&i| bad[i..].starts_with(name))
        .collect();
    assert!(!at.is_empty());
    for i in at {
        bad[i + 3] = b'Q';
    }
    let e = read_object(&bad).unwrap_err();
    assert!(
        e.reason.contains("`bpfQxdp_metadata_rx_hash`") && e.section.as_deref() == Some("xdp"),
        "{e}"
    );
}

/// clang's calls of the conntrack kfuncs (`bpf_xdp_ct_lookup`, `bpf_ct_release` as extern
/// functions) read as `call NAME`, write back as clang wrote them (same instruction bytes, an
/// `R_BPF_64_32` relocation per call against an undefined symbol, extern `FUNC`s in `.ksyms`),
/// and the program, which reads the lookup result's `status` before releasing it, verifies.
#[test]
fn conntrack_kfunc_calls_round_trip_and_verify() {
    let Some(o) = compile("kfunc_ct") else { return };
    let obj = read_object(&o).unwrap();
    let p = program(&obj, "ct");
    let text = program_listing(&p.spec).unwrap();
    assert!(text.contains("\tcall bpf_xdp_ct_lookup\n"), "{text}");
    assert!(text.contains("\tcall bpf_ct_release\n"), "{text}");
    let a = ebpf_dsl::assemble(&text).unwrap();
    assert_eq!(a.insns, p.spec.insns.to_vec());
    round_trip(&obj, "kfunc_ct");
    let ours = write_object(&obj).unwrap();
    assert_eq!(section_bytes(&ours, "xdp"), section_bytes(&o, "xdp"));
    let path = obj_path("kfunc_ct-ours.o");
    std::fs::write(&path, &ours).unwrap();
    let dump = Command::new("llvm-objdump-19")
        .args(["-dr"])
        .arg(&path)
        .output()
        .unwrap();
    let dump = String::from_utf8_lossy(&dump.stdout);
    for k in ["bpf_xdp_ct_lookup", "bpf_ct_release"] {
        assert!(dump.contains(&format!("R_BPF_64_32\t{k}")), "{dump}");
    }
    let btf = ebpf_dsl::elf::object_btf(&ours).unwrap().unwrap().btf;
    let dump = btf.dump();
    assert!(
        dump.contains("FUNC 'bpf_xdp_ct_lookup' type_id=") && dump.contains("linkage=extern"),
        "{dump}"
    );
    assert!(dump.contains("DATASEC '.ksyms' size=0 vlen=2"), "{dump}");
    // The program verifies (reading the u64 status at 128 of struct nf_conn, 6.18's layout).
    let input = ebpf_dsl::verifier::VerifyInput::new(&p.spec.insns, p.spec.prog_type)
        .with_kernel(ebpf_dsl::verifier::KernelVersion::new(6, 18));
    ebpf_dsl::verifier::verify(&input).unwrap();
    // Without the release: a leak, named.
    let leaky = text.replace("\tcall bpf_ct_release\n", "\tr1 = 0\n");
    let a = ebpf_dsl::asm::assemble_unchecked(&leaky).unwrap();
    let e = ebpf_dsl::verifier::verify(&ebpf_dsl::verifier::VerifyInput::new(
        &a.insns,
        p.spec.prog_type,
    ))
    .unwrap_err();
    assert!(e[0].message.contains("bpf_ct_release"), "{}", e[0]);
}

/// clang's calls of the dynptr kfuncs (`bpf_dynptr_from_xdp`, `bpf_dynptr_slice`) read as
/// `call NAME`, write back as clang wrote them (an `R_BPF_64_32` relocation per call, extern
/// `FUNC`s in `.ksyms`), and the program verifies; reading the slice before its null check
/// does not.
#[test]
fn dynptr_kfunc_calls_round_trip_and_verify() {
    let Some(o) = compile("kfunc_dynptr") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    let p = program(&obj, "dp");
    let text = program_listing(&p.spec).unwrap();
    assert!(text.contains("\tcall bpf_dynptr_from_xdp\n"), "{text}");
    assert!(text.contains("\tcall bpf_dynptr_slice\n"), "{text}");
    let a = ebpf_dsl::assemble(&text).unwrap();
    assert_eq!(a.insns, p.spec.insns.to_vec());
    round_trip(&obj, "kfunc_dynptr");
    let ours = write_object(&obj).unwrap();
    assert_eq!(section_bytes(&ours, "xdp"), section_bytes(&o, "xdp"));
    let btf = ebpf_dsl::elf::object_btf(&ours).unwrap().unwrap().btf;
    let dump = btf.dump();
    assert!(dump.contains("FUNC 'bpf_dynptr_slice' type_id="), "{dump}");
    assert!(dump.contains("DATASEC '.ksyms' size=0 vlen=2"), "{dump}");
    let input = ebpf_dsl::verifier::VerifyInput::new(&p.spec.insns, p.spec.prog_type)
        .with_kernel(ebpf_dsl::verifier::KernelVersion::new(6, 18));
    ebpf_dsl::verifier::verify(&input).unwrap();
    // Without the null check: refused.
    let unchecked: String = text
        .lines()
        .filter(|l| !l.contains("if r1 == 0x0 goto"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(unchecked, text);
    let a = ebpf_dsl::asm::assemble_unchecked(&unchecked).unwrap();
    let e = ebpf_dsl::verifier::verify(&ebpf_dsl::verifier::VerifyInput::new(
        &a.insns,
        p.spec.prog_type,
    ))
    .unwrap_err();
    assert!(e[0].message.contains("may be NULL"), "{}", e[0]);
}

/// Read-only contents keep their meaning (frozen before load, known to the verifier) from
/// text to object and back: an all-zero `.rodata` is listed with `init=00`, and read-only
/// contents outside a `.rodata` section (which no object loader freezes) are refused.
#[test]
fn read_only_contents_stay_frozen_through_objects_and_listings() {
    let src = ".map .rodata array key=4 value=4 flags=rdonly_prog init=00\n\
               r1 = map_value(.rodata, 0) ll\nr0 = *(u32 *)(r1 + 0)\nexit\n";
    let a = ebpf_dsl::asm::assemble(src).expect("assembles");
    assert!(a.data[0].read_only && a.data[0].bytes == [0; 4]);
    let spec = a
        .clone()
        .into_program_spec("zero", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let mut obj = Object::from_programs(std::slice::from_ref(&spec)).expect("object");
    obj.data = a.data.clone();
    let back = read_object(&write_object(&obj).expect("write")).expect("read");
    assert_eq!(back.data, a.data);
    let text =
        ebpf_dsl::elf::program_listing_data(&back.programs[0].spec, &back.data).expect("listing");
    assert!(text.contains("flags=rdonly_prog init=00"), "{text}");
    let again = ebpf_dsl::asm::assemble(&text).expect("the listing assembles");
    assert_eq!(again.data, a.data);

    let src = ".map .data array key=4 value=4 flags=rdonly_prog init=01\n\
               r1 = map_value(.data, 0) ll\nr0 = *(u32 *)(r1 + 0)\nexit\n";
    let a = ebpf_dsl::asm::assemble(src).expect("assembles");
    let spec = a
        .clone()
        .into_program_spec("ro", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let mut obj = Object::from_programs(&[spec]).expect("object");
    obj.data = a.data;
    let err = write_object(&obj).expect_err("read-only contents in .data");
    assert!(err.to_string().contains("`.rodata` section"), "{err}");
}

/// Two maps whose names share the kernel's 15 characters get distinct names (their first
/// characters and `_0`, `_1`), and the program's relocation finds the map it names (the hash,
/// not the perf event array); the verifier then checks the access against its 64-byte value.
#[test]
fn maps_sharing_their_kernel_names_get_distinct_names() {
    let Some(o) = compile("long_map_names") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    let mut names: Vec<_> = obj.maps.iter().map(|m| m.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["firewall_even_0", "firewall_even_1"]);
    let p = program(&obj, "prog");
    let r = &p.spec.relocations[0];
    let m = obj.maps.iter().find(|m| m.name == r.symbol).unwrap();
    assert_eq!((m.map_type, m.value_size), (MapType::Hash, 64), "{r:?}");
    let input = ebpf_dsl::verifier::VerifyInput::new(&p.spec.insns, p.spec.prog_type)
        .with_maps(&p.spec.relocations, &p.spec.maps);
    ebpf_dsl::verifier::verify(&input).expect("the hash's 64-byte value holds v[15]");
}

/// A text's `.global_func` survives an object: the writer declares the function global with
/// its prototype, the reader finds it at the same slot with the same arguments. `ctx` is
/// written as a pointer to the program type's context structure (which every kernel takes as
/// the context), `ctx tagged` as a `void *` tagged `arg:ctx`.
#[test]
fn global_functions_round_trip_through_an_object() {
    for (pt, ctx) in [
        (ebpf_dsl::ProgramType::Xdp, "xdp_md"),
        (ebpf_dsl::ProgramType::SchedCls, "__sk_buff"),
    ] {
        let a = ebpf_dsl::asm::assemble(
            ".global_func f(ctx, scalar, mem 12, mem 4 nonnull, ctx tagged)\n.global_func g()\ncall f\ncall g\nr0 = 2\nexit\nf:\nr0 = 0\nexit\ng:\nr0 = 1\nexit\n",
        )
        .unwrap();
        let globals = a.globals.clone();
        assert_eq!(globals[0].args[0], ebpf_dsl::btf::GlobalArg::Ctx);
        assert_eq!(globals[0].args[4], ebpf_dsl::btf::GlobalArg::CtxTagged);
        let spec = a.into_program_spec("globals", pt, "GPL", Vec::new());
        let mut obj = Object::from_programs(&[spec]).unwrap();
        obj.programs[0].globals = globals.clone();
        let bytes = write_object(&obj).unwrap();
        let name = format!("\0{ctx}\0");
        assert!(
            bytes.windows(name.len()).any(|w| w == name.as_bytes()),
            "no `struct {ctx}` in the object's BTF"
        );
        let back = read_object(&bytes).unwrap();
        assert_eq!(back.programs[0].globals, globals);
        assert_eq!(back.programs[0].spec.insns, obj.programs[0].spec.insns);
    }
}

/// `call bpf_throw` is written as clang's extern call of `void bpf_throw(u64)` and read back as
/// the call by name; the exception callback goes to `.text` with the decl tag
/// `exception_callback:cb` on the entry's `FUNC`. Nothing calls it, so the reader, as libbpf
/// before 1.3 (which does not add it), leaves it out of the program: the kernel then refuses
/// the load ("exception callback type id not found in func_info"), and so does the verifier.
#[test]
fn bpf_throw_and_the_exception_callback_through_an_object() {
    use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
    let a = ebpf_dsl::asm::assemble(
        ".global_func cb(scalar) exception_callback\nr1 = 7\ncall bpf_throw\nr0 = 0\nexit\ncb:\nr0 = r1\nexit\n",
    )
    .unwrap();
    let globals = a.globals.clone();
    assert!(globals[0].exception_cb && globals[0].insn == 4);
    let six18 = KernelVersion::new(6, 18);
    let tc = ebpf_dsl::ProgramType::SchedCls;
    verify(
        &VerifyInput::new(&a.insns, tc)
            .with_globals(&globals)
            .with_kernel(six18),
    )
    .expect("the text program with its callback verifies");
    let spec = a.into_program_spec("throws", tc, "GPL", Vec::new());
    let mut obj = Object::from_programs(&[spec]).unwrap();
    obj.programs[0].globals = globals.clone();
    let back = read_object(&write_object(&obj).unwrap()).unwrap();
    let p = &back.programs[0];
    assert_eq!(p.spec.insns[..4], obj.programs[0].spec.insns[..4]);
    assert_eq!(p.spec.insns.len(), 4, "the callback is not loaded");
    assert_eq!(p.globals.len(), 1);
    assert_eq!(
        (
            p.globals[0].insn,
            p.globals[0].name.as_str(),
            p.globals[0].exception_cb
        ),
        (0, "cb", true)
    );
    let e = verify(
        &VerifyInput::new(&p.spec.insns, tc)
            .with_globals(&p.globals)
            .with_kernel(six18),
    )
    .unwrap_err();
    assert!(
        e[0].message
            .contains("exception callback type id not found in func_info"),
        "{}",
        e[0].message
    );
}

/// The kfuncs giving BTF pointers (`bpf_cast_to_kern_ctx`, `bpf_rdonly_cast`) written from
/// text as clang writes extern calls (an `R_BPF_64_32` relocation against an undefined symbol,
/// an extern `FUNC` in `.ksyms`) and read back as `call NAME`.
#[test]
fn btf_cast_kfunc_calls_round_trip() {
    let text =
        "r6 = r1\ncall bpf_cast_to_kern_ctx\nr1 = r0\nr2 = 7\ncall bpf_rdonly_cast\nr0 = 0\nexit\n";
    let a = ebpf_dsl::assemble(text).unwrap();
    let insns = a.insns.clone();
    let spec = a.into_program_spec("casts", ebpf_dsl::ProgramType::SchedCls, "GPL", Vec::new());
    let ours = write_object(&Object::from_programs(&[spec]).unwrap()).unwrap();
    let obj = read_object(&ours).unwrap();
    assert_eq!(obj.programs[0].spec.insns.to_vec(), insns);
    let listing = program_listing(&obj.programs[0].spec).unwrap();
    assert!(listing.contains("\tcall bpf_rdonly_cast\n"), "{listing}");
    let dump = ebpf_dsl::elf::object_btf(&ours)
        .unwrap()
        .unwrap()
        .btf
        .dump();
    assert!(
        dump.contains("FUNC 'bpf_cast_to_kern_ctx' type_id=") && dump.contains("linkage=extern"),
        "{dump}"
    );
    assert!(dump.contains("DATASEC '.ksyms' size=0 vlen=2"), "{dump}");
}

/// clang's `struct bpf_crypto_ctx __kptr *` member of a map value reads as a referenced kptr
/// at offset 0 (`ObjectBtf::kptrs`), the crypto kfunc call reads as `call bpf_crypto_encrypt`
/// and writes back as clang wrote it, and the program verifies with the kptr (a NULL-checked
/// RCU pointer); without the NULL check it does not.
#[test]
fn crypto_kfunc_with_a_kptr_context_round_trips_and_verifies() {
    let Some(o) = compile("kfunc_crypto") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    let p = program(&obj, "enc");
    let text = program_listing(&p.spec).unwrap();
    assert!(text.contains("\tcall bpf_crypto_encrypt\n"), "{text}");
    round_trip(&obj, "kfunc_crypto");
    let kptrs = ebpf_dsl::elf::object_btf(&o).unwrap().unwrap().kptrs();
    assert_eq!(
        kptrs,
        vec![ebpf_dsl::btf::MapKptr {
            map: "cctx".into(),
            offset: 0,
            kind: ebpf_dsl::btf::KptrKind::Ref,
            target: "bpf_crypto_ctx".into(),
        }]
    );
    // The kernel's BTF: only `struct bpf_crypto_ctx` is needed.
    let mut vmlinux = ebpf_dsl::btf::Btf::new();
    vmlinux.add(ebpf_dsl::btf::Type::new(
        "bpf_crypto_ctx",
        ebpf_dsl::btf::Kind::Struct {
            size: 16,
            members: vec![],
        },
    ));
    let verify = |insns: &[ebpf_dsl::insn::Insn], relocs: &[ebpf_dsl::spec::Relocation]| {
        let input = ebpf_dsl::verifier::VerifyInput::new(insns, p.spec.prog_type)
            .with_maps(relocs, &p.spec.maps)
            .with_kptrs(&kptrs)
            .with_vmlinux(&vmlinux)
            .with_kernel(ebpf_dsl::verifier::KernelVersion::new(6, 18));
        ebpf_dsl::verifier::verify(&input).map(drop)
    };
    verify(&p.spec.insns, &p.spec.relocations).unwrap_or_else(|e| panic!("{}", e[0]));
    // Without the context's NULL check (the second `== 0` test): refused.
    let checks: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("== 0x0 goto"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(checks.len(), 3, "{text}");
    let unchecked: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != checks[1])
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let a = ebpf_dsl::asm::assemble_unchecked(&unchecked).unwrap();
    let e = verify(&a.insns, &a.relocations).unwrap_err();
    assert!(
        e[0].message
            .contains("Possibly NULL pointer passed to trusted arg0"),
        "{}",
        e[0]
    );
}

/// A legacy map (`maps`) and a BTF-defined one (`.maps`) whose names share their first 15
/// characters read as two maps of distinct names, each relocation naming its own map (the
/// kernel does not need the names distinct; this reader tells maps apart by them).
#[test]
fn maps_of_two_sections_sharing_a_cut_name() {
    let Some(o) = compile("crossnames") else {
        return;
    };
    let obj = read_object(&o).unwrap();
    let mut names: Vec<_> = obj
        .maps
        .iter()
        .map(|m| (m.name_str().to_string(), m.map_type))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        names,
        [
            ("tail_call_tab_0".to_string(), MapType::ProgArray),
            ("tail_call_tab_1".to_string(), MapType::Array),
        ]
    );
    let p = program(&obj, "cross");
    let by_name: BTreeMap<_, _> = obj
        .maps
        .iter()
        .map(|m| (m.name_str(), m.map_type))
        .collect();
    let kinds: Vec<_> = p
        .spec
        .relocations
        .iter()
        .map(|r| by_name[r.symbol.as_ref()])
        .collect();
    assert_eq!(kinds, [MapType::Array, MapType::ProgArray]);
}
