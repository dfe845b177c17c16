//! `ebpf-dsl check` with the static verifier, run as a user runs it: each finding as
//! `file:line:col: error: message [rule]` with the source line and a caret, the error count,
//! exit status 1; a clean program exits 0; `--map` describes the maps the program names so the
//! verifier knows their types and sizes; `--type` and `--no-verify` change what is checked.

use std::path::Path;
use std::process::Output;

mod support;
use support::{stderr, stdout, TempDir as Scratch};

fn check(args: &[&str]) -> Output {
    support::bin()
        .arg("check")
        .args(args)
        .output()
        .expect("run ebpf-dsl check")
}

/// Asserts that `err` shows a finding at `path:line:col` whose message contains `message` and
/// ends with `[rule]`, followed by the source line `line_text` and a caret under column `col`.
fn assert_finding(err: &str, path: &str, line: usize, col: usize, message: &str, rule: &str) {
    let head = format!("{path}:{line}:{col}: error: ");
    let at = err
        .find(&head)
        .unwrap_or_else(|| panic!("no finding at {head:?} in:\n{err}"));
    let mut lines = err[at..].lines();
    let first = lines.next().unwrap_or_default();
    assert!(first.contains(message), "{message:?} not in {first:?}");
    assert!(
        first.ends_with(&format!("[{rule}]")),
        "rule {rule:?}: {first:?}"
    );
    let _source = lines.next().expect("the source line");
    let caret = lines.next().expect("the caret line");
    assert_eq!(
        caret.find('^'),
        Some(2 + col - 1),
        "caret under column {col}:\n{err}"
    );
}

const BOUNDS: &str = "\
# UDP protocol byte without a long enough bounds check
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto pass
r5 = *(u8 *)(r2 + 23)
pass:
r0 = XDP_PASS
exit
";

#[test]
fn packet_bounds_finding_with_position_rule_and_status_1() {
    let dir = Scratch::new("bounds");
    let path = dir.write("bounds.s", BOUNDS);
    let out = check(&[&path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_finding(
        &err,
        &path,
        7,
        1,
        "r2 is a packet pointer (data + 0) proven safe up to data + 14, but this 1-byte load \
         touches data + 23..24; compare data + 24 against data_end first",
        "packet bounds",
    );
    assert!(err.contains("  r5 = *(u8 *)(r2 + 23)\n"), "{err}");
    assert!(err.contains(&format!("{path}: 1 error")), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));

    // The same file with the check made long enough is clean.
    let fixed = dir.write("fixed.s", &BOUNDS.replace("r4 += 14", "r4 += 24"));
    let out = check(&[&fixed]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("fixed.s: ok, 8 instructions"),
        "{}",
        stdout(&out)
    );

    // --no-verify keeps the assembler's checks only.
    let out = check(&[&path, "--no-verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

const LOOKUP: &str = "\
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = counters ll
call bpf_map_lookup_elem
    r1 = *(u64 *)(r0 + 0)
r0 = XDP_PASS
exit
";

#[test]
fn null_check_finding_needs_the_map_description() {
    let dir = Scratch::new("null");
    let path = dir.write("lookup.s", LOOKUP);

    // Without --map the verifier cannot know the value size: it is skipped, with a note.
    let out = check(&[&path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("the static verifier was skipped")
            && err.contains("--map NAME:TYPE:KEY_SIZE:VALUE_SIZE")
            && err.contains("(missing: counters)"),
        "{err}"
    );

    // With it, the use before the NULL test is found (column 5: the statement is indented).
    let out = check(&[&path, "--map", "counters=array,4,8,16"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_finding(
        &err,
        &path,
        6,
        5,
        "r0 is a lookup result from map `counters` that may be NULL; test it first \
         (`if r0 == 0 goto ...`)",
        "missing null check",
    );
    assert!(err.contains(&format!("{path}: 1 error")), "{err}");

    // With the test in place it is clean.
    let fixed = dir.write(
        "lookup_fixed.s",
        &LOOKUP.replace(
            "    r1 = *(u64 *)(r0 + 0)\n",
            "if r0 == 0 goto out\nr1 = *(u64 *)(r0 + 0)\nout:\n",
        ),
    );
    let out = check(&[&fixed, "--map", "counters=array,4,8,16"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The sizes given with --map are the ones the verifier checks against.
#[test]
fn map_descriptions_reach_the_verifier() {
    let dir = Scratch::new("mapsize");
    let path = dir.write(
        "value.s",
        "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = counters ll\ncall bpf_map_lookup_elem\n\
         if r0 == 0 goto out\nr1 = *(u64 *)(r0 + 8)\nout:\nr0 = XDP_PASS\nexit\n",
    );
    // A 16-byte value: bytes 8..16 are inside.
    let out = check(&[&path, "--map", "counters=array,4,16"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // An 8-byte value: they are not.
    let out = check(&[&path, "--map", "counters=array,4,8"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_finding(
        &err,
        &path,
        7,
        1,
        "but the value of `counters` is 8 bytes",
        "map value bounds",
    );
    // The map type too: bpf_redirect_map on a hash map.
    let redirect = dir.write(
        "redirect.s",
        "r2 = 0\nr1 = counters ll\nr3 = 0\ncall bpf_redirect_map\nexit\n",
    );
    let out = check(&[&redirect, "--map", "counters=hash,4,8,64"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_finding(
        &err,
        &redirect,
        4,
        1,
        "bpf_redirect_map cannot be used with map `counters` of type hash",
        "map/helper compatibility",
    );
    let out = check(&[&redirect, "--map", "counters:xskmap:4:4:64"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A malformed description is a usage error (status 2) that shows the expected form.
    let out = check(&[&redirect, "--map", "counters=xskmap,4"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES]"),
        "{}",
        stderr(&out)
    );
}

/// The seed programs, as text files with their XSKMAP described, pass (exit status 0).
#[test]
fn seed_programs_are_clean() {
    let dir = Scratch::new("seeds");
    for (name, _, text) in ebpf_dsl::seeds::SEEDS {
        let path = dir.write(&format!("{name}.s"), text);
        let out = check(&[&path, "--map", "xsks=xskmap,4,4,64"]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{name}: {}", stderr(&out));
        assert!(
            stdout(&out).starts_with(&format!("{path}: ok, ")),
            "{}",
            stdout(&out)
        );
    }
}

/// --type decides the helpers and the context: an XDP helper in a tc program is refused.
#[test]
fn program_type_decides_the_rules() {
    let dir = Scratch::new("type");
    let path = dir.write(
        "adjust.s",
        "r6 = r1\nr2 = 0\ncall bpf_xdp_adjust_head\nr0 = 0\nexit\n",
    );
    let out = check(&[&path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = check(&[&path, "--type", "sched_cls"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_finding(
        &err,
        &path,
        3,
        1,
        "bpf_xdp_adjust_head cannot be called from sched_cls programs",
        "helper not allowed",
    );
    assert!(Path::new(&path).exists());
}

/// Map flags given with --map reach the verifier: a store into a map that is read-only for
/// programs is refused; a misspelt flag is a usage error naming the known ones.
#[test]
fn map_flags_reach_the_verifier() {
    let dir = Scratch::new("mapflags");
    let path = dir.write(
        "store.s",
        "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = cfg ll\ncall bpf_map_lookup_elem\n\
         if r0 == 0 goto out\n*(u64 *)(r0 + 0) = 1\nout:\nr0 = XDP_PASS\nexit\n",
    );
    let out = check(&[&path, "--map", "cfg:array:4:8:1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for flags in ["rdonly_prog", "BPF_F_RDONLY_PROG", "0x80", "numa_node|128"] {
        let out = check(&[&path, "--map", &format!("cfg:array:4:8:1:{flags}")]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{flags}: {err}");
        assert!(err.contains("read-only for programs"), "{flags}: {err}");
    }
    let out = check(&[&path, "--map", "cfg=array,4,8,1,wronly_prog"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = check(&[&path, "--map", "cfg:array:4:8:1:rdonly_porg"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("unknown map flag `rdonly_porg`") && err.contains("rdonly_prog"),
        "{err}"
    );
}

#[test]
fn stats_print_the_verifiers_figures() {
    let dir = Scratch::new("stats");
    // A loop of 4 rounds: more instructions processed than the program has.
    let p = dir.write(
        "loop.s",
        "r0 = 0\nr1 = 0\nl:\nr1 += 1\nr0 += 2\nif r1 < 4 goto l\nexit\n",
    );
    let out = check(&[&p, "--type", "socket_filter", "--stats"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = text
        .lines()
        .find(|l| l.starts_with("verification time "))
        .unwrap_or_else(|| panic!("no statistics line in {text}"));
    let processed: usize = line
        .split("processed ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no processed count in {line}"));
    assert!(processed > 6, "{line}");
    assert!(line.contains(" usec; "), "{line}");
    // Without --stats, no such line.
    let out = check(&[&p, "--type", "socket_filter"]);
    assert!(!stdout(&out).contains("verification time"));
    // --warm: the same figures (one untimed verification first); it needs --stats.
    let out = check(&[&p, "--type", "socket_filter", "--stats", "--warm"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let warm = stdout(&out);
    let counts = |l: &str| l.split("usec; ").nth(1).map(str::to_string);
    let warm_line = warm.lines().find(|l| l.starts_with("verification time "));
    assert_eq!(warm_line.and_then(counts), counts(line), "{warm}");
    let out = check(&[&p, "--type", "socket_filter", "--warm"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--stats"), "{}", stderr(&out));
}

#[test]
fn trace_prune_writes_what_the_pruning_did() {
    let dir = Scratch::new("trace-prune");
    let p = dir.write(
        "loop.s",
        "r0 = 0\nr1 = 0\nl:\nr1 += 1\nr0 += 2\nif r1 < 4 goto l\nexit\n",
    );
    let trace = dir.path("trace.txt");
    let t = trace.to_str().expect("utf-8 path");
    let out = check(&[&p, "--type", "socket_filter", "--trace-prune", t]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&trace).expect("the trace is written");
    assert!(text.starts_with("## "), "{text}");
    assert!(
        text.contains("# insn\tprocessed\tcheckpoints\tpruned\tmisses\tevicted"),
        "{text}"
    );
    // Instruction 2 (the loop head) is processed once per round: 4 rounds.
    let row = text
        .lines()
        .find(|l| l.starts_with("2\t"))
        .unwrap_or_else(|| panic!("no row for instruction 2 in {text}"));
    assert_eq!(row.split('\t').nth(1), Some("4"), "{row}");
    assert!(text.contains("# events"), "{text}");
    // A file that cannot be written is a clear error.
    let bad = dir.path("no/such/dir/trace.txt");
    let out = check(&[
        &p,
        "--type",
        "socket_filter",
        "--trace-prune",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--trace-prune"), "{}", stderr(&out));
}

/// A kernel BTF with `struct sk_buff { int pad; int len; }` (`len` at 4), written to `dir`.
fn small_kernel_btf(dir: &Scratch) -> String {
    use ebpf_dsl::btf::{Btf, Kind, Member, Type, INT_SIGNED};
    let mut b = Btf::new();
    let int = b.add(Type::new(
        "int",
        Kind::Int {
            size: 4,
            encoding: INT_SIGNED,
            offset: 0,
            bits: 32,
        },
    ));
    let m = |name: &str, off: u32| Member {
        name: name.into(),
        ty: int,
        bit_offset: off * 8,
        bitfield_size: 0,
    };
    b.add(Type::new(
        "sk_buff",
        Kind::Struct {
            size: 8,
            members: vec![m("pad", 0), m("len", 4)],
        },
    ));
    let path = dir.write("vmlinux", "");
    std::fs::write(&path, b.encode()).expect("write BTF");
    path
}

#[test]
fn kernel_types_by_name_resolve_against_the_given_btf() {
    let dir = Scratch::new("btf-names");
    let btf = small_kernel_btf(&dir);
    let ok = dir.write(
        "ok.s",
        "r2 = btf_id(struct sk_buff)\nr3 = offsetof(struct sk_buff, len)\nr4 = sizeof(struct sk_buff)\nr0 = 0\nexit\n",
    );
    let out = check(&[&ok, "--no-verify", "--btf", &btf]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bad = dir.write(
        "bad.s",
        "r0 = 0\nr3 = offsetof(struct sk_buff, nope)\nexit\n",
    );
    let out = check(&[&bad, "--no-verify", "--btf", &btf]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.s:2:6: error: type `sk_buff`"), "{err}");
    assert!(err.contains("has no member `nope`"), "{err}");
}

const MISALIGNED: &str = "\
# a 4-byte load at data + 0: fine on x86-64, misaligned with BPF_F_STRICT_ALIGNMENT
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 8
if r4 > r3 goto pass
r5 = *(u32 *)(r2 + 0)
pass:
r0 = XDP_PASS
exit
";

#[test]
fn strict_alignment_refuses_what_the_default_accepts() {
    let dir = Scratch::new("strict");
    let path = dir.write("misaligned.s", MISALIGNED);
    let out = check(&[&path]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = check(&[&path, "--strict-alignment"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert_finding(
        &stderr(&out),
        &path,
        7,
        1,
        "misaligned packet access: the 4-byte load through r2",
        "invalid memory access",
    );
}

/// The CPU number, unchecked, as an offset into a 4-byte value: safe on a machine of at most
/// 4 possible CPUs.
const CPU_INDEX: &str = "\
.map small array key=4 value=4 max_entries=1
call bpf_get_smp_processor_id
r6 = r0
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = small ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r0 += r6
r0 = *(u8 *)(r0 + 0)
out:
r0 = XDP_PASS
exit
";

#[test]
fn possible_cpus_bounds_the_cpu_number() {
    let dir = Scratch::new("cpus");
    let path = dir.write("cpus.s", CPU_INDEX);
    let run = |extra: &[&str]| {
        let mut args = vec![path.as_str(), "--kernel", "6.18"];
        args.extend_from_slice(extra);
        check(&args)
    };
    // No machine: the CPU number is only known to fit in 32 bits.
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Four CPUs: offsets 0..=3 of the 4-byte value; five: offset 4 is past it.
    let out = run(&["--possible-cpus", "4"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["--possible-cpus", "5"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // Before 6.12 the kernel does not bound it: no count helps.
    let out = check(&[&path, "--kernel", "6.11", "--possible-cpus", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // `running`: this machine's count, read as libbpf reads it: a verdict (accepted on a
    // machine of at most 4 CPUs), or a usage error naming the file where it cannot be read.
    let cpus = std::fs::read_to_string("/sys/devices/system/cpu/possible").ok();
    let out = run(&["--possible-cpus", "running"]);
    match cpus {
        Some(_) => assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out)),
        None => assert!(
            stderr(&out).contains("--possible-cpus running"),
            "{}",
            stderr(&out)
        ),
    }
    // Not a count.
    let out = run(&["--possible-cpus", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("neither a count of CPUs"),
        "{}",
        stderr(&out)
    );
}
