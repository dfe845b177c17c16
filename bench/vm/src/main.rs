//! `cargo run --release -p vm-bench`: the same programs in `ebpf_dsl::vm`, in rbpf's
//! interpreter (the `rbpf` crate) and in the kernel (`BPF_PROG_TEST_RUN`'s own ns per run, as
//! root; `n/a` otherwise), side by side in one run. Prints a Markdown table and writes it to
//! `bench/results/vm/latest.md`.
//!
//! Programs: two conformance loops (`prime.s`, a 1000-iteration sum), an XDP parser
//! (Ethernet / IPv4 / UDP with bounds checks and an IPv4 header checksum over ten 16-bit
//! words), the UDP-only AF_XDP seed program (a helper call), and a two-instruction XDP program
//! (the fixed cost of a run). Each result is checked to be
//! the same in all three before timing. rbpf and ours are timed in 11 interleaved rounds, in
//! on-CPU time (`/proc/thread-self/schedstat`: time spent waiting for a CPU on a shared
//! machine is left out); the table gives the median ns/run of each and the median (min-max)
//! of the per-round ratios.
//!
//! What each side does per run. rbpf (`EbpfVmMbuff`): allocates and zeroes its 512-byte
//! stack, runs in place on the caller's packet with `r1` = a metadata buffer built once before
//! timing (`data`, `data_end`, `rx_queue_index`); its `bpf_redirect_map` is a stub returning
//! the flags' action. Ours in place (`Vm::run_xdp_frame`): runs on an `XdpFrame` built once
//! before timing (the packet behind its headroom), resets the run state (regions, the written
//! part of the stack, the context), every access checked; `bpf_redirect_map` checks the map
//! and looks the key up in the (empty) XSKMAP. Ours copy-in (`Vm::run_xdp_ref`): the same,
//! plus the packet copied behind fresh headroom every run. Raw-memory programs: both run on
//! the caller's (empty) slice. The kernel (`BPF_PROG_TEST_RUN`, `repeat`): copies the packet
//! once and runs the JIT-compiled program on that one buffer each time.

use std::hint::black_box;
use std::time::Instant;

use ebpf_dsl::vm::{spec_from_text, Vm, XdpFrame};
use ebpf_dsl::{Insn, MapSpec, MapType, ProgramSpec};

const SUM_LOOP: &str = "
    r0 = 0
    r1 = 1000
l:
    r0 += r1
    r1 -= 1
    if r1 != 0 goto l
    exit
";

const PARSER: &str = "
    r2 = *(u32 *)(r1 + 0)
    r3 = *(u32 *)(r1 + 4)
    r4 = r2
    r4 += 42
    if r4 > r3 goto pass
    r4 = *(u16 *)(r2 + 12)
    if r4 != 0x8 goto pass
    r4 = *(u8 *)(r2 + 14)
    if r4 != 0x45 goto pass
    r4 = *(u8 *)(r2 + 23)
    if r4 != 17 goto pass
    r0 = 0
    r5 = r2
    r5 += 14
    r6 = 10
sum:
    r4 = *(u16 *)(r5 + 0)
    r0 += r4
    r5 += 2
    r6 -= 1
    if r6 != 0 goto sum
    r4 = r0
    r4 >>= 16
    r0 &= 0xffff
    r0 += r4
    if r0 == 0xffff goto drop
pass:
    r0 = 2
    exit
drop:
    r0 = 1
    exit
";

fn packet() -> Vec<u8> {
    let mut p = vec![0u8; 64];
    p[12..14].copy_from_slice(&[0x08, 0x00]);
    let ip = [
        0x45, 0, 0, 50, 0, 1, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    p[14..34].copy_from_slice(&ip);
    let s: u32 = ip
        .chunks(2)
        .map(|w| u16::from_be_bytes([w[0], w[1]]) as u32)
        .sum();
    let s = (s & 0xffff) + (s >> 16);
    let c = !((s & 0xffff) + (s >> 16)) as u16;
    p[24..26].copy_from_slice(&c.to_be_bytes());
    p
}

struct Case {
    name: &'static str,
    spec: ProgramSpec,
    /// XDP (packet) or raw memory.
    xdp: bool,
    iters: u32,
}

fn case(name: &'static str, text: &str, maps: &[MapSpec], xdp: bool, iters: u32) -> Case {
    // The kernel's object names are at most 15 characters.
    let short: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(15)
        .collect();
    Case {
        name,
        spec: spec_from_text(&short, text, maps).unwrap_or_else(|e| panic!("{}", e.render(name))),
        xdp,
        iters,
    }
}

/// Rounds of the comparison (each runs both sides, one after the other).
const ROUNDS: usize = 11;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The time this thread has spent on a CPU, in ns (`/proc/thread-self/schedstat`), or `None`
/// where that file does not exist. On a shared machine this leaves out the time the thread
/// waited for a CPU, which wall time would charge to whichever side was running.
fn on_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// ns per run over `n` runs: on-CPU time where the system gives it, else wall time.
fn time_once(n: u32, f: &mut impl FnMut() -> u64) -> f64 {
    let (t, c) = (Instant::now(), on_cpu_ns());
    for _ in 0..n {
        black_box(f());
    }
    let ns = match (c, on_cpu_ns()) {
        (Some(a), Some(b)) => b.saturating_sub(a) as f64,
        _ => t.elapsed().as_nanos() as f64,
    };
    ns / n as f64
}

/// A side of [`compare`]: `n` runs of `f` timed by [`time_once`] (the loop is compiled for `f`,
/// so no side pays an indirect call per run).
fn timer(mut f: impl FnMut() -> u64) -> impl FnMut(u32) -> f64 {
    move |n| time_once(n, &mut f)
}

/// The sides timed in [`ROUNDS`] interleaved rounds (the machine may be shared: a burst of
/// load hits every side of a round alike). `sides[0]` is rbpf, the others are ours. Gives
/// rbpf's median ns/run and, per side of ours, its median ns/run and the median, min and max
/// of the per-round ratios `rbpf / ours`.
fn compare(iters: u32, sides: &mut [&mut dyn FnMut(u32) -> f64]) -> (f64, Vec<(f64, [f64; 3])>) {
    let n = iters.max(1);
    for f in sides.iter_mut() {
        f(n);
    }
    let mut t: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    let mut q: Vec<Vec<f64>> = vec![Vec::new(); sides.len()];
    for _ in 0..ROUNDS {
        let x: Vec<f64> = sides.iter_mut().map(|f| f(n)).collect();
        for (i, v) in x.iter().enumerate() {
            t[i].push(*v);
            q[i].push(x[0] / v);
        }
    }
    let theirs = median(&mut t[0]);
    let ours = (1..sides.len())
        .map(|i| {
            let lo = q[i].iter().copied().fold(f64::INFINITY, f64::min);
            let hi = q[i].iter().copied().fold(0.0, f64::max);
            (median(&mut t[i]), [median(&mut q[i]), lo, hi])
        })
        .collect();
    (theirs, ours)
}

/// rbpf's metadata buffer holds 64-bit `data`/`data_end` at offsets 0 and 8; our
/// programs read `xdp_md`'s 32-bit fields at 0 and 4: load 64 bits from 0 and 8 instead.
fn for_rbpf(insns: &[Insn], xdp: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for i in insns {
        let mut i = *i;
        if xdp && i.code == 0x61 && i.src() == 1 && (i.off == 0 || i.off == 4) {
            i.code = 0x79;
            i.off *= 2;
        }
        out.extend_from_slice(&i.to_bytes());
    }
    out
}

fn redirect_map_stub(_: u64, _: u64, flags: u64, _: u64, _: u64) -> u64 {
    flags & 3
}

fn main() {
    let conformance = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../ebpf-dsl/tests/data/bpf_conformance/prime.s"
    );
    let prime = std::fs::read_to_string(conformance).expect("the conformance corpus");
    let xsks = MapSpec {
        name: "xsks".into(),
        map_type: MapType::Xskmap,
        key_size: 4,
        value_size: 4,
        max_entries: 64,
        flags: 0,
        btf: None,
        inner: None,
    };
    let cases = [
        case("prime (conformance)", &prime, &[], false, 200_000),
        case("sum loop, 1000 iterations", SUM_LOOP, &[], false, 20_000),
        case("XDP parser + IPv4 checksum", PARSER, &[], true, 500_000),
        // The fixed cost of a run: the packet copied in (with its headroom) and out.
        case(
            "XDP_PASS only (r0 = 2; exit)",
            "r0 = 2\nexit",
            &[],
            true,
            500_000,
        ),
        case(
            "seed: UDP-only redirect",
            ebpf_dsl::seeds::SEED_UDP_ONLY_ASM,
            &[xsks],
            true,
            500_000,
        ),
    ];
    let pkt = packet();
    let mut table = String::from(
        "| program | ours in place ns/run | ours copy-in ns/run | rbpf ns/run | \
         rbpf / ours in place: median (min-max) | rbpf / ours copy-in: median (min-max) | \
         kernel ns/run |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    println!("{}", table.trim_end());
    // VM_BENCH_ONLY=WORD: only the programs whose name contains WORD (for profiling).
    let only = std::env::var("VM_BENCH_ONLY").unwrap_or_default();
    for c in cases.iter().filter(|c| c.name.contains(only.as_str())) {
        let mut vm = Vm::new(&c.spec).expect("the VM takes the program");
        let ours_r0 = if c.xdp {
            vm.run_xdp_ref(&pkt).unwrap().r0
        } else {
            vm.run_mem(&mut []).unwrap()
        };
        let bytes = for_rbpf(&c.spec.insns, c.xdp);
        let (rbpf_r0, theirs, ours) = if c.xdp {
            let mut r = rbpf::EbpfVmMbuff::new(Some(&bytes)).expect("rbpf loads it");
            r.register_helper(51, redirect_map_stub).unwrap();
            // The metadata buffer: 64-bit `data` and `data_end` pointers into the packet, then
            // `rx_queue_index` (0) at offset 16 as in `xdp_md` (built once: the packet stays).
            let start = pkt.as_ptr() as u64;
            let mut mbuff = start.to_le_bytes().to_vec();
            mbuff.extend_from_slice(&(start + pkt.len() as u64).to_le_bytes());
            mbuff.extend_from_slice(&[0; 8]);
            let r0 = r.execute_program(&pkt, &mbuff).expect("rbpf runs it");
            // In place like rbpf (and like the kernel's repeated test run): the frame is built
            // once, each run works on it where it is.
            let mut frame = XdpFrame::new(&pkt);
            let mut vm2 = Vm::new(&c.spec).expect("the VM takes the program");
            assert_eq!(vm2.run_xdp_frame(&mut frame).unwrap().r0, ours_r0);
            let (t, o) = compare(
                c.iters,
                &mut [
                    &mut timer(|| r.execute_program(&pkt, &mbuff).unwrap()),
                    &mut timer(|| vm2.run_xdp_frame(&mut frame).unwrap().r0),
                    // Copy-in: the packet copied behind fresh headroom each run; the result is
                    // read from the VM's buffer, not copied out.
                    &mut timer(|| vm.run_xdp_ref(&pkt).unwrap().r0),
                ],
            );
            (r0, t, o)
        } else {
            // Raw memory: rbpf and ours both run on the caller's (empty) slice: one column.
            let r = rbpf::EbpfVmRaw::new(Some(&bytes)).expect("rbpf loads it");
            let r0 = r.execute_program(&mut []).expect("rbpf runs it");
            let (t, mut o) = compare(
                c.iters,
                &mut [
                    &mut timer(|| r.execute_program(&mut []).unwrap()),
                    &mut timer(|| vm.run_mem(&mut []).unwrap()),
                ],
            );
            o.push(o[0]);
            (r0, t, o)
        };
        assert_eq!(ours_r0, rbpf_r0, "{}: the VM and rbpf disagree", c.name);
        let kernel = kernel_ns(c, &pkt, ours_r0);
        let q = |(_, r): (f64, [f64; 3])| format!("{:.2}x ({:.2}-{:.2})", r[0], r[1], r[2]);
        let copy_in = if c.xdp {
            (format!("{:.0}", ours[1].0), q(ours[1]))
        } else {
            ("(same)".to_string(), "(same)".to_string())
        };
        let row = format!(
            "| {} | {:.0} | {} | {:.0} | {} | {} | {} |",
            c.name,
            ours[0].0,
            copy_in.0,
            theirs,
            q(ours[0]),
            copy_in.1,
            kernel
        );
        println!("{row}");
        table.push_str(&row);
        table.push('\n');
    }
    // The table also goes to bench/results/vm/latest.md, next to the other benchmarks' results.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../results/vm");
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(format!("{dir}/latest.md"), &table));
    match written {
        Ok(()) => eprintln!("vm-bench: wrote bench/results/vm/latest.md"),
        Err(e) => eprintln!("vm-bench: cannot write {dir}/latest.md: {e}"),
    }
}

/// The kernel's own average ns per run (`BPF_PROG_TEST_RUN` with repeat), or why not.
fn kernel_ns(c: &Case, pkt: &[u8], want: u64) -> String {
    if xsk_testkit::privileged_test_skip_reason().is_some() {
        return "n/a (not root)".into();
    }
    let loaded = match xsk_runtime::Loader::new().program(c.spec.clone()).load() {
        Ok(l) => l,
        Err(e) => return format!("refused: {}", e.to_string().lines().next().unwrap_or("")),
    };
    let prog = loaded.program(&c.spec.name).expect("the program");
    let run = prog.test_run(pkt, c.iters).expect("BPF_PROG_TEST_RUN");
    assert_eq!(
        run.retval as u64,
        want & 0xffff_ffff,
        "{}: the kernel disagrees",
        c.name
    );
    run.duration_ns.to_string()
}
