//! BTF in the kernel: a `defmap!` map whose value is a `#[derive(Btf)]` struct is created with
//! BTF and `bpftool map dump` prints its fields by name; a `defprogram!` program and a text
//! program are loaded with `func_info` / `line_info`, and both the kernel's verifier log and
//! `bpftool prog dump xlated id N linum` show their source lines.
//!
//! Needs root (CAP_BPF, CAP_SYS_ADMIN) and bpftool; skipped with a message otherwise, unless
//! `CI=true`.

use xsk_testkit::kernel_tests;

use std::process::Command;

use ebpf_dsl::btf::{Btf, BtfType};
use ebpf_dsl_macros::{defmap, defprogram, Btf};
use xsk_runtime::maps::Map;
use xsk_runtime::program::{LoadOptions, Program};
use xsk_runtime::Loader;

#[derive(Btf, Clone, Copy)]
#[repr(C)]
struct Ports {
    src: u16,
    dst: u16,
}

#[derive(Btf, Clone, Copy)]
#[repr(C)]
struct FlowStats {
    packets: u64,
    bytes: u64,
    ports: Ports,
    mac: [u8; 6],
    seen: bool,
    score: i32,
}

defmap! {
    FLOWS: hash(key = u32, value = FlowStats, max_entries = 16, name = "btf_flows");
    COUNTERS: array(key = u32, value = [u64; 2], max_entries = 4, name = "btf_counters");
    PERCPU: percpu_hash(key = Ports, value = u64, max_entries = 4, name = "btf_percpu");
    SOCKS: xskmap(key = u32, value = u32, max_entries = 4, name = "btf_xsks");
}

/// A value holding the kernel's lock: `bpf_spin_lock` on it at offset 4.
#[derive(Btf, Clone, Copy)]
#[repr(C)]
struct Locked {
    count: u32,
    lock: ebpf_dsl::btf::BpfSpinLock,
    bytes: u64,
}

defmap! {
    LOCKED: hash(key = u32, value = Locked, max_entries = 4, name = "btf_locked");
}

/// Takes the lock of the value of key 0 (at `OFF`), adds to `bytes`, releases it.
const LOCKING: &str = "
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = btf_locked ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r6 = r0
r1 = r6
r1 += OFF
call bpf_spin_lock
r1 = *(u64 *)(r6 + 8)
r1 += 1
*(u64 *)(r6 + 8) = r1
r1 = r6
r1 += OFF
call bpf_spin_unlock
out:
r0 = 2
exit
";

/// The verdicts of the static verifier and of the kernel on `src`, with `maps`.
fn both_verdicts(
    src: &str,
    maps: &[ebpf_dsl::MapSpec],
    locks: &[ebpf_dsl::btf::MapSpinLock],
    loader: Loader,
) -> (bool, bool) {
    let a = ebpf_dsl::asm::assemble(src).unwrap();
    let input = ebpf_dsl::verifier::VerifyInput::new(&a.insns, ebpf_dsl::ProgramType::Xdp)
        .with_maps(&a.relocations, maps)
        .with_spin_locks(locks);
    let ours = ebpf_dsl::verifier::verify(&input).is_ok();
    let spec = a.into_program_spec(
        "btf_locking",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        maps.to_vec(),
    );
    let kernel = match loader.program(spec).load() {
        Ok(_) => true,
        Err(e @ xsk_runtime::Error::Verifier { .. }) => {
            assert!(e.verifier_log().is_some(), "{e}");
            false
        }
        Err(e) => panic!("not a verifier verdict: {e}"),
    };
    (ours, kernel)
}

/// A `defmap!` value with a `BpfSpinLock` field: its BTF places the lock (offset 4), the
/// kernel creates the map with it, and both verifiers take the lock there and only there. A
/// text `.map ... spin_lock=4` gets the same from `ObjectBtf::for_spin_locks`; without it the
/// map has no lock for either.
fn spin_lock_in_a_map_value() {
    let spec = LOCKED.spec().clone();
    assert_eq!(spec.btf.unwrap().spin_lock_offset(), Some(4));
    let maps = [spec];
    for (off, ok) in [("4", true), ("0", false), ("8", false)] {
        let src = LOCKING.replace("OFF", off);
        let (ours, kernel) = both_verdicts(&src, &maps, &[], Loader::new());
        assert_eq!((ours, kernel), (ok, ok), "lock at offset {off}");
    }
    // The text form: the loader creates the map with BTF built from the offset.
    let text = format!(
        ".map btf_locked hash key=4 value=16 max_entries=4 spin_lock=4\n{}",
        LOCKING.replace("OFF", "4")
    );
    let a = ebpf_dsl::asm::assemble(&text).unwrap();
    let locks = a.spin_locks.clone();
    let with_btf = Loader::new().map_btf(ebpf_dsl::elf::ObjectBtf::for_spin_locks(&a.maps, &locks));
    assert_eq!(
        both_verdicts(&text, &a.maps, &locks, with_btf),
        (true, true)
    );
    assert_eq!(
        both_verdicts(&text, &a.maps, &[], Loader::new()),
        (false, false),
        "without the lock's BTF neither verifier knows the lock"
    );
}

/// Other map kinds: arrays and per-CPU maps take the BTF; an XSKMAP, which the kernel
/// creates without value BTF, is still created.
fn other_map_kinds() {
    for spec in [COUNTERS.spec(), PERCPU.spec()] {
        let map = Map::create(spec).unwrap();
        let show = bpftool(&["map", "show", "id", &map.id().to_string()]);
        assert!(show.contains("btf_id"), "{}: {show}", spec.name);
    }
    let m = Map::create(&COUNTERS).unwrap();
    m.update(
        &1u32.to_ne_bytes(),
        &[7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0],
        Default::default(),
    )
    .unwrap();
    let dump = bpftool(&["map", "dump", "id", &m.id().to_string()]);
    let compact: String = dump.split_whitespace().collect();
    assert!(compact.contains("\"key\":1,\"value\":[7,9]"), "{dump}");
    let p = Map::create(&PERCPU).unwrap();
    let per_cpu: Vec<u8> = (0..p.value_bytes() / 8)
        .flat_map(|_| 8u64.to_ne_bytes())
        .collect();
    p.update(&[53, 0, 0xb7, 0x12], &per_cpu, Default::default())
        .unwrap();
    let dump = bpftool(&["map", "dump", "id", &p.id().to_string()]);
    let compact: String = dump.split_whitespace().collect();
    assert!(
        compact.contains("\"key\":{\"src\":53,\"dst\":4791}"),
        "{dump}"
    );
    Map::create(&SOCKS).unwrap();
}

fn bpftool(args: &[&str]) -> String {
    let o = Command::new("bpftool")
        .args(args)
        .output()
        .expect("bpftool is required for this test (apt-get install bpftool)");
    assert!(
        o.status.success(),
        "bpftool {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn value_bytes(v: &FlowStats) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&v.packets.to_ne_bytes());
    b.extend_from_slice(&v.bytes.to_ne_bytes());
    b.extend_from_slice(&v.ports.src.to_ne_bytes());
    b.extend_from_slice(&v.ports.dst.to_ne_bytes());
    b.extend_from_slice(&v.mac);
    b.push(u8::from(v.seen));
    b.push(0);
    b.extend_from_slice(&v.score.to_ne_bytes());
    b
}

fn map_dump_shows_field_names() {
    assert_eq!(std::mem::size_of::<FlowStats>(), 32);
    let map = Map::create(&FLOWS).unwrap();
    let v = FlowStats {
        packets: 3,
        bytes: 1500,
        ports: Ports { src: 53, dst: 4791 },
        mac: [2, 0, 0, 0, 0, 9],
        seen: true,
        score: -7,
    };
    let bytes = value_bytes(&v);
    assert_eq!(bytes.len(), 32);
    map.update(&7u32.to_ne_bytes(), &bytes, Default::default())
        .unwrap();
    let id = map.id().to_string();

    let show = bpftool(&["map", "show", "id", &id]);
    assert!(show.contains("btf_id"), "no BTF on the map: {show}");
    let dump = bpftool(&["map", "dump", "id", &id]);
    for want in [
        "\"key\": 7",
        "\"packets\": 3",
        "\"bytes\": 1500",
        "\"src\": 53",
        "\"dst\": 4791",
        "\"seen\": true",
        "\"score\": -7",
        "\"mac\": [2,0,0,0,0,9",
    ] {
        let compact: String = dump.split_whitespace().collect::<Vec<_>>().join("");
        let want_c: String = want.split_whitespace().collect::<Vec<_>>().join("");
        assert!(compact.contains(&want_c), "`{want}` not in:\n{dump}");
    }

    // The kernel's copy of the BTF is ours: bpftool's dump of it is our dump.
    let btf_id = show
        .split_whitespace()
        .skip_while(|w| *w != "btf_id")
        .nth(1)
        .unwrap()
        .to_string();
    let mut ours = Btf::new();
    let k = <u32 as BtfType>::btf_type(&mut ours);
    let val = <FlowStats as BtfType>::btf_type(&mut ours);
    assert_eq!((k, val), (1, 10), "{}", ours.dump());
    assert_eq!(bpftool(&["btf", "dump", "id", &btf_id]), ours.dump());
}

const FIRST_LINE: u32 = line!() + 3;
defprogram! {
    BTF_LINES: xdp {
        r0 = XDP_PASS;
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        if r2 > r3 goto out;
        r0 = XDP_PASS;
      out:
        exit;
    }
}

/// The verifier log's line for source line `line` of `file` with `text`: `; TEXT @ FILE:LINE`
/// where the kernel prints each source line's file and line (Debian's 6.12 does), `; TEXT` where
/// it prints the text alone (Debian's 6.1). Told by the log itself: a kernel that prints them
/// does so on every source line (`verbose_linfo`), whatever the file name.
fn log_source_line(log: &str, text: &str, file: &str, line: u32) -> String {
    if log
        .lines()
        .any(|l| l.starts_with("; ") && l.contains(" @ "))
    {
        format!("; {text} @ {file}:{line}")
    } else {
        println!("branch: this kernel's log gives source lines without file and line");
        format!("; {text}")
    }
}

/// The kernel's log with line info and `bpftool prog dump xlated ... linum` both name `file`
/// at each of `lines` (the log: as this kernel prints them, [`log_source_line`]).
fn check_lines(p: &Program, file: &str, lines: &[(u32, &str)]) {
    let log = p.verifier_log().expect("the log was asked for");
    let dump = bpftool(&["prog", "dump", "xlated", "id", &p.id().to_string(), "linum"]);
    for (line, text) in lines {
        let want = log_source_line(log, text, file, *line);
        assert!(
            log.lines().any(|l| l.trim_end() == want),
            "`{want}` not in the verifier log:\n{log}"
        );
        let want = format!("; {text} [file:");
        let at = format!("{file} line_num:{line} ");
        assert!(
            dump.lines()
                .any(|l| l.starts_with(&want) && l.contains(&at)),
            "`{text}` at {at} not in bpftool's dump:\n{dump}"
        );
    }
}

fn defprogram_lines_reach_the_kernel() {
    assert_eq!(BTF_LINES.lines.len(), 6, "{:?}", BTF_LINES.lines);
    let opts = LoadOptions {
        always_log: true,
        verbose: true,
        ..Default::default()
    };
    let loaded = Loader::new().program_with(BTF_LINES, opts).load().unwrap();
    let p = loaded.program("btf_lines").unwrap();
    let file = file!().rsplit('/').next().unwrap();
    check_lines(
        p,
        file,
        &[
            (FIRST_LINE, "r0 = XDP_PASS"),
            (FIRST_LINE + 1, "r2 = *(u32 *)(r1 + 0)"),
            (FIRST_LINE + 3, "if r2 > r3 goto out"),
            (FIRST_LINE + 6, "exit"),
        ],
    );
}

fn text_program_lines_reach_the_kernel() {
    let src = "r0 = 2\nr1 = 5 ll\ncall sub\nexit\nsub:\n  r0 = 1\n  exit\n";
    let a = ebpf_dsl::asm::assemble(src).unwrap();
    let lines = ebpf_dsl::asm::text_lines(&a, src, "dir/calls.s");
    let opts = LoadOptions {
        always_log: true,
        verbose: true,
        ..Default::default()
    };
    let p = Program::load_insns_lines(
        "btf_text",
        ebpf_dsl::ProgramType::Xdp,
        "GPL",
        &a.insns,
        &lines,
        &opts,
    )
    .unwrap();
    check_lines(
        &p,
        "calls.s",
        &[(1, "r0 = 2"), (3, "call sub"), (6, "r0 = 1"), (7, "exit")],
    );
}

/// Socket filters and tc classifiers take the same function BTF (`int name(void *ctx)`).
fn other_program_types_take_the_lines() {
    let src = "r0 = 0\nexit\n";
    let a = ebpf_dsl::asm::assemble(src).unwrap();
    let lines = ebpf_dsl::asm::text_lines(&a, src, "other.s");
    for pt in [
        ebpf_dsl::ProgramType::SocketFilter,
        ebpf_dsl::ProgramType::SchedCls,
    ] {
        let opts = LoadOptions {
            always_log: true,
            verbose: true,
            ..Default::default()
        };
        let p = Program::load_insns_lines("btf_other", pt, "GPL", &a.insns, &lines, &opts)
            .unwrap_or_else(|e| panic!("{pt}: {e}"));
        check_lines(&p, "other.s", &[(1, "r0 = 0"), (2, "exit")]);
    }
}

const BAD_LINE: u32 = line!() + 4;
defprogram! {
    /// The kernel refuses it (r2 is read before it is written); our verifier is told not to look.
    BTF_REJECTED: xdp(verify = structural) {
        r0 = r2;
        exit;
    }
}

/// A value holding the kernel's timer at offset 8.
#[derive(Btf, Clone, Copy)]
#[repr(C)]
struct Timed {
    count: u64,
    timer: ebpf_dsl::btf::BpfTimer,
}

defmap! {
    TIMED: hash(key = u32, value = Timed, max_entries = 4, name = "btf_timed");
    TIMED_ARR: array(key = u32, value = Timed, max_entries = 4, name = "btf_timed_arr");
}

/// Arms the timer of the value of key 0 of `{lmap}`: `bpf_timer_init` with `{imap}`, the
/// callback `cb`, `bpf_timer_start`, then `bpf_timer_cancel` (`{pre}` runs before the calls,
/// `{cb}` is the callback's body before its `exit`).
const TIMING: &str = "
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
r1 = {lmap} ll
call bpf_map_lookup_elem
{null}
r6 = r0
{pre}
r1 = r6
r1 += {off}
r2 = {imap} ll
r3 = 0
call bpf_timer_init
r1 = r6
r1 += 8
r2 = cb ll
call bpf_timer_set_callback
r1 = r6
r1 += 8
r2 = 1000
r3 = 0
call bpf_timer_start
r1 = r6
r1 += 8
call bpf_timer_cancel
out:
r0 = 2
exit
cb:
{cb}
exit
";

/// One timer rule case: its name, the placeholders of [`TIMING`] it fills, and whether both
/// verifiers accept it.
type TimerCase = (&'static str, &'static [(&'static str, &'static str)], bool);

/// The timer helpers on a `defmap!` value with a `BpfTimer` field, as rule cases: each
/// variant's verdict by the static verifier and by the kernel, both the one expected
/// (`transfer/call/timer.rs`).
fn timers_in_a_map_value() {
    let spec = TIMED.spec().clone();
    assert_eq!(spec.btf.as_ref().unwrap().timer_offset(), Some(8));
    let maps = [
        spec,
        TIMED_ARR.spec().clone(),
        FLOWS.spec().clone(),
        COUNTERS.spec().clone(),
    ];
    let ok_cb = "r0 = 0";
    let cases: &[TimerCase] = &[
        ("accepted as written", &[], true),
        (
            "an array map",
            &[("{lmap}", "btf_timed_arr"), ("{imap}", "btf_timed_arr")],
            true,
        ),
        // The callback gets the map, the key and the value.
        (
            "the callback reads the key and writes the value",
            &[(
                "{cb}",
                "r1 = *(u32 *)(r2 + 0)\n*(u64 *)(r3 + 0) = r1\nr0 = 0",
            )],
            true,
        ),
        ("the callback returns 1", &[("{cb}", "r0 = 1")], false),
        (
            "the callback returns an unknown number",
            &[("{cb}", "r0 = *(u64 *)(r3 + 0)")],
            false,
        ),
        ("the callback leaves r0 unset", &[("{cb}", "r1 = 0")], false),
        (
            "the callback returns a pointer",
            &[("{cb}", "r0 = r3")],
            false,
        ),
        (
            "the callback writes past the value",
            &[("{cb}", "*(u64 *)(r3 + 24) = r1\nr0 = 0")],
            false,
        ),
        (
            "the callback reads past the key",
            &[("{cb}", "r1 = *(u32 *)(r2 + 4)\nr0 = 0")],
            false,
        ),
        // A timer callback's stack is its own (the kernel's `is_async_cb` roots), unless the
        // callback is also called directly.
        (
            "304 bytes of stack in the main function and in the callback",
            &[
                ("{pre}", "*(u64 *)(r10 - 304) = 0"),
                ("{cb}", "*(u64 *)(r10 - 304) = 0\nr0 = 0"),
            ],
            true,
        ),
        (
            "the same, the callback also called directly",
            &[
                ("{pre}", "*(u64 *)(r10 - 304) = 0\ncall cb"),
                ("{cb}", "*(u64 *)(r10 - 304) = 0\nr0 = 0"),
            ],
            false,
        ),
        ("no null check", &[("{null}", "")], false),
        ("the timer at the wrong offset", &[("{off}", "0")], false),
        (
            "init with another map",
            &[("{imap}", "btf_counters")],
            false,
        ),
        (
            "init with the other map holding a timer",
            &[("{imap}", "btf_timed_arr")],
            false,
        ),
        (
            "a map without a timer",
            &[("{lmap}", "btf_flows"), ("{imap}", "btf_flows")],
            false,
        ),
        (
            "the timer loaded directly",
            &[("{pre}", "r1 = *(u64 *)(r6 + 16)")],
            false,
        ),
        (
            "the timer stored directly",
            &[("{pre}", "*(u32 *)(r6 + 12) = 0")],
            false,
        ),
        (
            "the bytes before the timer stored",
            &[("{pre}", "*(u64 *)(r6 + 0) = 0")],
            true,
        ),
        (
            "a variable offset",
            &[("{pre}", "r7 = *(u64 *)(r6 + 0)\nr7 &= 8\nr6 += r7")],
            false,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, subst, ok) in cases {
        let mut src = TIMING.to_string();
        for (k, v) in *subst {
            src = src.replace(k, v);
        }
        let src = src
            .replace("{imap}", "btf_timed")
            .replace("{lmap}", "btf_timed")
            .replace("{null}", "if r0 == 0 goto out")
            .replace("{pre}", "")
            .replace("{off}", "8")
            .replace("{cb}", ok_cb);
        let got = both_verdicts(&src, &maps, &[], Loader::new());
        if got != (*ok, *ok) {
            wrong.push(format!(
                "{name}: (ours, kernel) = {got:?}, expected both {ok}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A refused program's log names the Rust line of the refused instruction.
fn rejected_program_log_names_the_rust_line() {
    let e = Loader::new().program(BTF_REJECTED).load().unwrap_err();
    let log = e.verifier_log().expect("a verifier error");
    let file = file!().rsplit('/').next().unwrap();
    let want = log_source_line(log, "r0 = r2", file, BAD_LINE);
    assert!(
        log.lines().any(|l| l.trim_end() == want),
        "`{want}` not in:\n{log}"
    );
    assert!(log.contains("R2 !read_ok"), "{log}");
}

kernel_tests! {
    privileged: [
        spin_lock_in_a_map_value,
        timers_in_a_map_value,
        other_map_kinds,
        rejected_program_log_names_the_rust_line,
        other_program_types_take_the_lines,
        map_dump_shows_field_names,
        defprogram_lines_reach_the_kernel,
        text_program_lines_reach_the_kernel,
    ],
}
