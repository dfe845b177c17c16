//! The kernel rule cases of `tests/kernel_rules/*.s` (see its README): each program carries
//! the verdict the running kernel (6.18, as root) gives it; the static verifier must give the
//! same verdict, except for the known false rejects marked `# ours: reject`. The kernel side is
//! checked by `tests/tests/verifier_kernel_rules.rs` in the workspace.

use std::borrow::Cow;
use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

fn map(name: &'static str, map_type: MapType, key_size: u32, value_size: u32, n: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed(name),
        map_type,
        key_size,
        value_size,
        max_entries: n,
        flags: 0,
    }
}

/// A case: file name, source, program type, the kernel's verdict, our expected verdict.
struct Case {
    name: String,
    src: String,
    prog_type: ProgramType,
    kernel_accepts: bool,
    we_accept: bool,
    /// `# since: X.Y`: the kernel accepts it from X.Y on (the verdict recorded is 6.18's);
    /// the static verifier must reject it for older targets and accept it for X.Y.
    since: Option<KernelVersion>,
    /// `# target: X.Y`: verified for X.Y only (a case where a newer kernel's verifier is the
    /// stricter one, e.g. 6.18's links through `-=` spreading a lossy refinement).
    target: Option<KernelVersion>,
}

fn header(src: &str, key: &str) -> Option<String> {
    src.lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix(&format!("# {key}:")))
        .map(|v| v.trim().to_string())
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/kernel_rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "s"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let src = std::fs::read_to_string(&p).expect("read case");
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let verdict = |key: &str| {
                header(&src, key).map(|v| match v.as_str() {
                    "accept" => true,
                    "reject" => false,
                    other => panic!("{name}: `# {key}: {other}` is neither accept nor reject"),
                })
            };
            let kernel_accepts =
                verdict("kernel").unwrap_or_else(|| panic!("{name}: no `# kernel:` line"));
            let prog_type = header(&src, "type")
                .map(|t| ProgramType::from_name(&t).unwrap_or_else(|| panic!("{name}: type {t}")))
                .unwrap_or(ProgramType::Xdp);
            let since = header(&src, "since")
                .map(|v| KernelVersion::parse(&v).unwrap_or_else(|| panic!("{name}: since {v}")));
            let target = header(&src, "target")
                .map(|v| KernelVersion::parse(&v).unwrap_or_else(|| panic!("{name}: target {v}")));
            Case {
                target,
                since,
                we_accept: verdict("ours").unwrap_or(kernel_accepts),
                name,
                src,
                prog_type,
                kernel_accepts,
            }
        })
        .collect()
}

#[test]
fn static_verdicts_match_the_recorded_kernel_verdicts() {
    let maps = [
        map("m", MapType::Array, 4, 16, 1),
        map("h", MapType::Hash, 8, 8, 16),
        map("x", MapType::Xskmap, 4, 4, 4),
        map("pa", MapType::ProgArray, 4, 4, 4),
        MapSpec {
            flags: 1 << 7, // BPF_F_RDONLY_PROG
            ..map("ro", MapType::Array, 4, 16, 1)
        },
        MapSpec {
            flags: 1 << 8, // BPF_F_WRONLY_PROG
            ..map("wo", MapType::Array, 4, 16, 1)
        },
    ];
    let cases = cases();
    assert!(cases.len() >= 80, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    let mut known_false_rejects = 0;
    for c in &cases {
        assert!(
            c.kernel_accepts || !c.we_accept,
            "{}: a case may not record a false accept",
            c.name
        );
        let a = assemble_unchecked(&c.src)
            .unwrap_or_else(|d| panic!("{} does not assemble: {d:?}", c.name));
        let input = VerifyInput::new(&a.insns, c.prog_type).with_maps(&a.relocations, &maps);
        if let Some(v) = c.since {
            // Older targets must not assume the feature.
            let old = KernelVersion::new(v.major, v.minor - 1);
            if verify(&input.clone().with_kernel(old)).is_ok() {
                wrong.push(format!("{}: accepted for {old}, needs {v}", c.name));
            }
        }
        let kernel = c.target.or(c.since).unwrap_or(KernelVersion::DEFAULT);
        let r = verify(&input.with_kernel(kernel));
        if r.is_ok() != c.we_accept {
            wrong.push(format!(
                "{}: expected {}, got {:?}",
                c.name,
                if c.we_accept { "accept" } else { "reject" },
                r.map_err(|e| e[0].to_string())
            ));
        }
        if c.kernel_accepts && !c.we_accept {
            known_false_rejects += 1;
        }
    }
    println!(
        "{} kernel rule cases, {known_false_rejects} known false rejects",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
