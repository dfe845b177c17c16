//! BTF checked against clang: `tests/data/btf/types.c` (every kind clang emits) is compiled with
//! `clang-19 -target bpf -g`; its `.BTF` is read by our reader, whose dump must be
//! `bpftool btf dump file`'s text exactly; our writer's re-encoding, dumped by bpftool, must be
//! the same text again; and `.BTF.ext` is read (func_info naming the functions, line_info the
//! real source lines) and written back unchanged. Skipped with a printed reason when clang-19,
//! llvm-objcopy-19 or bpftool is missing, unless `CI=true`, where that fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use ebpf_dsl::btf::{Btf, BtfExt, Kind};

fn tool(name: &str) -> bool {
    let ok = Command::new(name)
        .arg(if name == "bpftool" {
            "version"
        } else {
            "--version"
        })
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{name} is required when CI=true (apt-get install clang-19 llvm-19 bpftool)");
        }
        eprintln!("skipped: {name} is not installed");
    }
    ok
}

/// A directory of this test process for one test (`tag`): the tests run in parallel and each
/// removes its own directory when it passes.
fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ebpf-dsl-btf-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

fn bpftool_dump(path: &Path) -> String {
    String::from_utf8(run(Command::new("bpftool")
        .args(["btf", "dump", "file"])
        .arg(path)))
    .unwrap()
}

/// Compiles types.c; returns (object, .BTF bytes, .BTF.ext bytes).
fn compile(dir: &Path) -> (PathBuf, Vec<u8>, Vec<u8>) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/btf/types.c");
    let obj = dir.join("types.o");
    run(Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-O2", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj));
    let (btf, ext) = (dir.join("types.btf"), dir.join("types.btf.ext"));
    run(Command::new("llvm-objcopy-19")
        .arg(format!("--dump-section=.BTF={}", btf.display()))
        .arg(format!("--dump-section=.BTF.ext={}", ext.display()))
        .arg(&obj)
        .arg(dir.join("types.stripped.o")));
    (
        obj,
        std::fs::read(btf).unwrap(),
        std::fs::read(ext).unwrap(),
    )
}

#[test]
fn btf_matches_clang_and_bpftool() {
    if !(tool("clang-19") && tool("llvm-objcopy-19") && tool("bpftool")) {
        return;
    }
    let dir = scratch("types");
    let (obj, btf_bytes, ext_bytes) = compile(&dir);
    let clang = bpftool_dump(&obj);

    // Reader: our dump of clang's BTF is bpftool's.
    let btf = Btf::decode(&btf_bytes).unwrap();
    assert_eq!(btf.dump(), clang);
    for kind in [
        "INT",
        "PTR",
        "ARRAY",
        "STRUCT",
        "UNION",
        "ENUM",
        "FWD",
        "TYPEDEF",
        "VOLATILE",
        "CONST",
        "RESTRICT",
        "FUNC",
        "FUNC_PROTO",
        "VAR",
        "DATASEC",
        "FLOAT",
        "DECL_TAG",
        "TYPE_TAG",
        "ENUM64",
    ] {
        assert!(
            btf.types.iter().any(|t| t.kind.name() == kind),
            "types.c should make clang emit a {kind}"
        );
    }

    // Writer: our encoding of the same types, dumped by bpftool, is clang's dump.
    let ours = btf.encode();
    let raw = dir.join("ours.btf");
    std::fs::write(&raw, &ours).unwrap();
    assert_eq!(bpftool_dump(&raw), clang);
    assert_eq!(Btf::decode(&ours).unwrap(), btf);
    // Deduplicated strings: no longer than clang's table.
    assert!(
        ours.len() <= btf_bytes.len(),
        "{} > {}",
        ours.len(),
        btf_bytes.len()
    );

    // .BTF.ext: func_info names the two functions, line_info the real source lines.
    let ext = BtfExt::decode(&ext_bytes, &btf_bytes).unwrap();
    let src = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/btf/types.c"),
    )
    .unwrap();
    let lines: Vec<&str> = src.lines().collect();
    let mut funcs = Vec::new();
    for sec in &ext.func_info {
        for f in &sec.records {
            let t = btf.get(f.type_id).unwrap();
            assert!(matches!(t.kind, Kind::Func { .. }), "{t:?}");
            funcs.push((sec.name.clone(), t.name.clone(), f.insn));
        }
    }
    funcs.sort();
    assert_eq!(
        funcs,
        vec![
            (".text".to_string(), "helper".to_string(), 0),
            ("xdp".to_string(), "prog".to_string(), 0)
        ]
    );
    let mut n = 0;
    for sec in &ext.line_info {
        for l in &sec.records {
            assert!(l.file.ends_with("types.c"), "{}", l.file);
            assert_eq!(l.text, lines[l.line as usize - 1], "line {}", l.line);
            assert!(l.col >= 1);
            n += 1;
        }
    }
    assert!(n >= 4, "only {n} line_info records");

    // Written back: the same records (our .BTF.ext, decoded with our .BTF), and our .BTF from
    // the same call still dumps as clang's.
    let (btf2, ext2) = btf.encode_with_ext(&ext);
    assert_eq!(BtfExt::decode(&ext2, &btf2).unwrap(), ext);
    std::fs::write(&raw, &btf2).unwrap();
    assert_eq!(bpftool_dump(&raw), clang);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `.maps` definitions built from `MapSpec`s are clang's for the same C declarations, id for id.
#[test]
fn map_definitions_match_clang() {
    use ebpf_dsl::btf::{MapBtf, Type, VarSecInfo};
    use ebpf_dsl::{MapSpec, MapType};
    if !(tool("clang-19") && tool("bpftool")) {
        return;
    }
    let dir = scratch("maps");
    std::fs::create_dir_all(&dir).unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/btf/maps.c");
    let obj = dir.join("maps.o");
    run(Command::new("clang-19")
        .args(["-target", "bpf", "-g", "-O2", "-c"])
        .arg(&src)
        .arg("-o")
        .arg(&obj));
    let counts = MapSpec {
        name: "counts".into(),
        map_type: MapType::Hash,
        key_size: 4,
        value_size: 8,
        max_entries: 16,
        flags: 0,
        btf: Some(MapBtf {
            key: |b| {
                Some(b.add(Type::new(
                    "unsigned int",
                    Kind::Int {
                        size: 4,
                        encoding: 0,
                        offset: 0,
                        bits: 32,
                    },
                )))
            },
            value: |b| {
                Some(b.add(Type::new(
                    "unsigned long long",
                    Kind::Int {
                        size: 8,
                        encoding: 0,
                        offset: 0,
                        bits: 64,
                    },
                )))
            },
        }),
        inner: None,
    };
    let arr = MapSpec {
        name: "arr".into(),
        map_type: MapType::Array,
        key_size: 4,
        value_size: 8,
        max_entries: 4,
        flags: 1024,
        btf: None,
        inner: None,
    };
    let mut btf = Btf::new();
    let mut vars = Vec::new();
    for (sym, spec) in [("counts", &counts), ("arr", &arr)] {
        let (ty, size) = btf.add_map_definition(sym, &spec.btf_definition());
        vars.push(VarSecInfo {
            ty,
            offset: 0,
            size,
        });
    }
    btf.push(Type::new(".maps", Kind::Datasec { size: 0, vars }));
    assert_eq!(btf.dump(), bpftool_dump(&obj));
    let raw = dir.join("maps.btf");
    std::fs::write(&raw, btf.encode()).unwrap();
    assert_eq!(bpftool_dump(&raw), bpftool_dump(&obj));
    let _ = std::fs::remove_dir_all(&dir);
}
