//! `ebpf-dsl run FILE --vm ...`: the program runs in ebpf-dsl's VM, without root and without
//! the kernel. Every conformance program through `--mem`, XDP packets (action, output packet,
//! redirect, maps declared in the file), trace output, and bad input (errors, never a panic).

use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::{output as tool, stderr, stdout};

fn temp_file(tag: &str, text: &str) -> PathBuf {
    support::write_file("vm", &format!("{tag}.s"), text)
}

/// `ebpf-dsl run PROG --vm --type xdp --packet PACKET EXTRA...`.
fn vm_xdp(prog: &Path, packet: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        support::s(prog),
        "--vm",
        "--type",
        "xdp",
        "--packet",
        packet,
    ];
    args.extend_from_slice(extra);
    tool(&args)
}

fn header<'a>(src: &'a str, key: &str) -> Option<&'a str> {
    src.lines()
        .find_map(|l| l.strip_prefix("# ")?.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The `r0 = 0x...` line of the output.
fn r0(out: &str) -> Option<u64> {
    out.lines()
        .find_map(|l| l.strip_prefix("r0 = "))
        .and_then(parse_u64)
}

#[test]
fn every_conformance_program_gives_its_result_through_run_vm_mem() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/data/bpf_conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read the corpus directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "s"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 313, "the corpus holds 313 programs");
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        // `# mem: 00 01 ...` (space-separated bytes, possibly none) and `# result: 0x...`.
        let mem = header(&src, "mem").expect("a mem line");
        let want = parse_u64(header(&src, "result").expect("a result line")).expect("a result");
        // --unchecked: 13 programs are ISA-defined but refused by the kernel (and by the
        // assembler's structural checks).
        let o = tool(&[
            "run",
            path.to_str().unwrap(),
            "--vm",
            "--unchecked",
            "--mem",
            mem,
        ]);
        let got = r0(&stdout(&o));
        if !o.status.success() || got != Some(want) {
            failures.push(format!(
                "{}: exit {:?}, r0 {got:x?}, expected {want:#x}; stderr: {}",
                path.file_name().unwrap().to_string_lossy(),
                o.status.code(),
                stderr(&o).trim()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 313 programs fail through `run --vm --mem`:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn checked_assembly_refuses_what_the_kernel_refuses_and_unchecked_runs_it() {
    let p = temp_file("callx", "r2 = 0\ncallx r2\nexit\n");
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", ""]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("callx"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

/// Drops IPv4 frames (after writing 0xaa over their first byte), passes the rest; counts
/// runs in an array map declared in the file.
const DROP_IPV4: &str = "\
# --map counts:array:4:8:1
r6 = r1
r1 = 0
*(u32 *)(r10 - 4) = r1
r2 = r10
r2 += -4
r1 = counts ll
call bpf_map_lookup_elem
if r0 == 0 goto out
r1 = 1
lock *(u64 *)(r0 + 0) += r1
r2 = *(u32 *)(r6 + 0)
r3 = *(u32 *)(r6 + 4)
r4 = r2
r4 += 14
if r4 > r3 goto pass
r5 = *(u16 *)(r2 + 12)
if r5 != 0x8 goto pass
*(u8 *)(r2 + 0) = 0xaa
r0 = 1
exit
pass:
r0 = 2
exit
out:
r0 = 0
exit
";

const IPV4: &str = "ffffffffffff0011223344550800450000140000000040000000";

#[test]
fn xdp_packet_gives_action_and_output_packet() {
    let p = temp_file("drop", DROP_IPV4);
    let o = vm_xdp(&p, IPV4, &[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert_eq!(r0(&out), Some(1), "{out}");
    assert!(out.contains("action: XDP_DROP"), "{out}");
    assert!(
        out.contains(&format!("packet out (26 bytes): aa{}", &IPV4[2..])),
        "{out}"
    );

    // An IPv6 frame passes, unchanged.
    let v6 = "ffffffffffff00112233445586dd0000";
    let o = tool(&[
        "run",
        p.to_str().unwrap(),
        "--vm",
        "-t",
        "xdp",
        "--packet",
        v6,
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert!(out.contains("action: XDP_PASS"), "{out}");
    assert!(
        out.contains(&format!("packet out (16 bytes): {v6}")),
        "{out}"
    );
}

#[test]
fn redirect_is_reported() {
    let p = temp_file("redirect", "r1 = 7\nr2 = 0\ncall bpf_redirect\nexit\n");
    let o = vm_xdp(&p, IPV4, &[]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert!(out.contains("action: XDP_REDIRECT"), "{out}");
    assert!(out.contains("redirect: ifindex 7"), "{out}");
}

#[test]
fn map_flag_declares_a_map_and_undeclared_maps_are_errors() {
    let src = "r1 = xsks ll\nr2 = 3\nr3 = 2\ncall bpf_redirect_map\nexit\n";
    let p = temp_file("redirect_map", src);
    let o = vm_xdp(&p, IPV4, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("xsks"), "{}", stderr(&o));
    assert!(stderr(&o).contains("--map"), "{}", stderr(&o));
    // Declared: no socket at key 3, so bpf_redirect_map returns its flags (XDP_PASS).
    let o = vm_xdp(&p, IPV4, &["--map", "xsks:xskmap:4:4:64"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert_eq!(r0(&out), Some(2), "{out}");
}

#[test]
fn tc_program_on_a_packet() {
    let p = temp_file("tc", "r0 = *(u32 *)(r1 + 0)\nexit\n");
    let o = tool(&[
        "run",
        p.to_str().unwrap(),
        "--vm",
        "--type",
        "sched_cls",
        "--packet",
        IPV4,
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    // skb->len.
    assert_eq!(r0(&out), Some(26), "{out}");
}

#[test]
fn trace_prints_every_instruction_with_changed_registers() {
    let p = temp_file("trace", "w0 = 0\nw1 = 2\nw0 += w1\nexit\n");
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", "", "--trace"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(
        lines[1].contains("w1 = 0x2") && lines[1].contains("r1 = 0x2"),
        "{out}"
    );
    assert!(
        lines[2].contains("w0 += w1") && lines[2].contains("r0 = 0x2"),
        "{out}"
    );
    assert!(lines[3].contains("exit"), "{out}");
    assert_eq!(lines[4], "r0 = 0x2");
    // Without --trace, only the result.
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", ""]);
    assert_eq!(stdout(&o), "r0 = 0x2\n");
}

#[test]
fn mem_is_r1_and_its_length_is_r2() {
    let p = temp_file("mem", "r0 = *(u8 *)(r1 + 2)\nr0 <<= 8\nr0 += r2\nexit\n");
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", "0x01 02:7f 04"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(r0(&stdout(&o)), Some(0x7f04));
}

#[test]
fn out_of_bounds_access_is_an_error_not_a_panic() {
    let p = temp_file("oob", "r0 = *(u64 *)(r1 + 8)\nexit\n");
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", "0011"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert!(stderr(&o).contains("insn 0"), "{}", stderr(&o));
}

#[test]
fn bad_input_is_a_clear_error() {
    let p = temp_file("ok", "r0 = 0\nexit\n");
    let f = p.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["run", f, "--vm", "--mem", "0g"], "hex digit"),
        (&["run", f, "--vm", "--mem", "012"], "odd number"),
        (
            &["run", f, "--vm", "-t", "xdp", "--packet", "zz"],
            "hex digit",
        ),
        (&["run", f, "--vm"], "--packet HEX"),
        (&["run", f, "--vm", "--packet", "00"], "--type"),
        (&["run", f, "--vm", "-t", "xdp", "--mem", "00"], "--type"),
        (
            &["run", f, "--vm", "--mem", "00", "--packet", "00"],
            "cannot be used",
        ),
        (&["run", f, "--mem", "00"], "--vm"),
        (
            &["run", f, "--trace", "-t", "xdp", "--packet", "00"],
            "--vm",
        ),
        (
            &["run", f, "--vm", "--mem", "00", "--repeat", "5"],
            "--repeat",
        ),
        (&["run", f, "--vm", "-t", "kprobe", "--packet", "00"], "xdp"),
        (
            &["run", "/nonexistent/prog.s", "--vm", "--mem", ""],
            "cannot read",
        ),
    ];
    for (args, want) in cases {
        let o = tool(args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: `{want}` not in {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    // A syntax error: file:line:col, exit 1.
    let p = temp_file("syntax", "r0 = 0\nr0 +=\nexit\n");
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", ""]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("syntax.s:2:"), "{}", stderr(&o));
    // Binary (non-UTF-8) input.
    let d = support::scratch_dir("vm");
    let bin = d.join("bin.s");
    std::fs::write(&bin, [0xffu8, 0xfe, 0x00, 0x80]).unwrap();
    let o = tool(&["run", bin.to_str().unwrap(), "--vm", "--mem", ""]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn run_help_shows_the_vm_flags() {
    let o = tool(&["run", "--help"]);
    let out = stdout(&o);
    assert!(o.status.success());
    for flag in [
        "--vm",
        "--mem <HEX>",
        "--trace",
        "--unchecked",
        "--packet <HEX>",
    ] {
        assert!(out.contains(flag), "`{flag}` not in run --help:\n{out}");
    }
}

/// After the run the maps' non-empty elements are printed (`map NAME: KEY -> VALUE`, hex as
/// in memory); `--no-maps` leaves them out.
#[test]
fn maps_are_printed_after_the_run() {
    let p = temp_file("maps", DROP_IPV4);
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "run".to_string(),
            p.to_str().unwrap().to_string(),
            "--vm".into(),
            "--type".into(),
            "xdp".into(),
            "--packet".into(),
            IPV4.into(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| {
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        tool(&a)
    };
    let o = run(args(&[]));
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    // counts[0] went from 0 to 1: a u32 key 0, a u64 value 1, little-endian.
    assert!(
        out.ends_with("map counts: 00000000 -> 0100000000000000\n"),
        "{out}"
    );
    let o = run(args(&["--no-maps"]));
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert!(!out.contains("map counts"), "{out}");
    assert!(out.contains("action: XDP_DROP"), "{out}");

    // A per-CPU hash (one CPU in the CLI): each CPU's value; a hash element whose value is zero
    // is still shown (it exists), an array's zero elements are not.
    let pc = temp_file(
        "percpu",
        "# --map pc:percpu_hash:2:4:4\n# --map zero:array:4:4:2\n\
         r1 = 0x0201\n*(u16 *)(r10 - 2) = r1\nr1 = 0\n*(u32 *)(r10 - 8) = r1\n\
         r1 = pc ll\nr2 = r10\nr2 += -2\nr3 = r10\nr3 += -8\nr4 = 0\n\
         call bpf_map_update_elem\nexit\n",
    );
    let o = tool(&["run", pc.to_str().unwrap(), "--vm", "--mem", ""]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert_eq!(out, "r0 = 0x0\nmap pc: 0102 -> cpu0 00000000\n");
}

/// The ELF object `asm --elf` writes runs in the VM like its source, with the object's maps.
#[test]
fn text_global_data_is_loaded_before_the_run() {
    // `.map ... init=HEX` gives `.rodata` its bytes: 7, then 42. The program returns 42 + 7,
    // and the map dump shows the bytes were there (the program does not write them).
    let p = temp_file(
        "rodata",
        ".map .rodata array key=4 value=8 flags=rdonly_prog init=070000002a\n\
         r1 = map_value(.rodata, 4) ll\nr0 = *(u32 *)(r1 + 0)\n\
         r1 = map_value(.rodata, 0) ll\nr1 = *(u32 *)(r1 + 0)\nr0 += r1\nexit\n",
    );
    let o = tool(&["run", p.to_str().unwrap(), "--vm", "--mem", "00"]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}");
    assert!(out.starts_with("r0 = 0x31\n"), "{out}");
    assert!(
        out.contains("map .rodata: 00000000 -> 070000002a000000"),
        "{out}"
    );
}

#[test]
fn elf_objects_run_in_the_vm() {
    let src = temp_file("elfdrop", DROP_IPV4);
    let obj = src.with_extension("o");
    support::asm_elf(&src, &obj);
    // No --type: the object's program is xdp.
    let o = tool(&["run", obj.to_str().unwrap(), "--vm", "--packet", IPV4]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    assert_eq!(r0(&out), Some(1), "{out}");
    assert!(out.contains("action: XDP_DROP"), "{out}");
    assert!(
        out.ends_with("map counts: 00000000 -> 0100000000000000\n"),
        "{out}"
    );
    // --section names the program (its section, here `xdp`); a wrong one lists what there is.
    let o = tool(&[
        "run",
        obj.to_str().unwrap(),
        "--vm",
        "--section",
        "xdp",
        "--packet",
        IPV4,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = tool(&[
        "run",
        obj.to_str().unwrap(),
        "--vm",
        "--section",
        "tc",
        "--packet",
        IPV4,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("no program in section `tc`"),
        "{}",
        stderr(&o)
    );
    // --map and --unchecked are for source; --section is for objects.
    let o = tool(&[
        "run",
        obj.to_str().unwrap(),
        "--vm",
        "--map",
        "x:array:4:4",
        "--packet",
        IPV4,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("declares its maps"), "{}", stderr(&o));
    let o = tool(&[
        "run",
        src.to_str().unwrap(),
        "--vm",
        "--section",
        "xdp",
        "--type",
        "xdp",
        "--packet",
        IPV4,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("is for ELF objects"), "{}", stderr(&o));
    // Source still needs --type with --packet.
    let o = tool(&["run", src.to_str().unwrap(), "--vm", "--packet", IPV4]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--type is required"), "{}", stderr(&o));
}

/// A clang-compiled object with two programs: `--section` picks one; its BTF-defined array
/// map is printed after the run.
#[test]
fn clang_object_with_two_programs_needs_section() {
    let Some(obj) = support::clang_object_if_available("btfmaps", &support::scratch_dir("vm"))
    else {
        return;
    };
    let o = tool(&["run", obj.to_str().unwrap(), "--vm", "--packet", IPV4]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("choose one with --section NAME"),
        "{}",
        stderr(&o)
    );
    let o = tool(&[
        "run",
        obj.to_str().unwrap(),
        "--vm",
        "--section",
        "xdp",
        "--packet",
        IPV4,
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}{}", out, stderr(&o));
    // prog_a: bump(rx_queue_index 0) counts stats[0] once and returns 1, not above `limit`
    // (3, in .rodata: the object's global data is loaded); `seen` (.data) goes from 7 to 8,
    // `zeros` (.bss) from 0 to 2.
    assert_eq!(r0(&out), Some(2), "{out}");
    for want in [
        "map stats: 00000000 -> 0100000000000000\n",
        "map .data: 00000000 -> 0800000000000000\n",
        "map .bss: 00000000 -> 0200000000000000\n",
        "map .rodata: 00000000 -> 03000000\n",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
}
