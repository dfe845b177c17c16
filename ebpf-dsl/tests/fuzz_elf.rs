//! Seeded mutation fuzzing of the ELF object reader (`ebpf_dsl::elf`), the input real users
//! give this crate (`ebpf-dsl check OBJ.o`, `elf::read_object*`, the runtime's loader). The
//! property is the crate's "never panics on user input": on any mutated object the reader, the
//! object's BTF and externs, the listings and the verifier of the programs read return values
//! (every error with a message), take a bounded time, and allocate nothing a size field
//! asks for beyond what the data can hold.
//!
//! Seeds: the C files of `tests/elf/` compiled with clang-19 (when it is installed), objects
//! this crate's writer makes from text programs (so the fuzzer runs without clang), and the
//! objects of the directory `FUZZ_ELF_SEEDS` names (e.g. the real-program corpus, which is not
//! committed). Mutations aim past the ELF header: section headers, symbol table entries,
//! relocation entries, the `.BTF` header, type records and string offsets, the `.BTF.ext`
//! header and its func_info / line_info / core_relo records, the `.maps` definitions and the
//! code; extreme values, offsets pointing out of range or into other sections, bit flips,
//! truncations, duplicated, swapped and overlapping sections, splices from other seeds.
//!
//! Each target runs `FUZZ_ITERS` iterations (defaults: 150 for the read step, 100 for the read
//! for a target BTF, `/sys/kernel/btf/vmlinux`, 50 for read + verify with and without it: a
//! few seconds in a debug build, most of it compiling the C seeds) from the seed `FUZZ_SEED`
//! (default fixed). A sweep sets every symbol and relocation field of our writer's objects to
//! extreme values. Long runs by hand (release), with the real programs as extra seeds:
//!
//! ```text
//! CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true \
//! FUZZ_ITERS=100000 FUZZ_SEED=$RANDOM FUZZ_ELF_SEEDS=target/real-programs/obj \
//!     nice cargo test --release -p ebpf-dsl --test fuzz_elf -- --nocapture --test-threads 1
//! ```
//!
//! A failing case prints its target, seed and iteration (and the mutations), and is replayed
//! with `FUZZ_SEED=S FUZZ_FROM=I FUZZ_ITERS=1` (with the same seed set: the same
//! `FUZZ_ELF_SEEDS`, clang or not). `FUZZ_ELF_TIMEOUT` (seconds, default 120) bounds one
//! input: past it the process aborts naming the case (a hang). An allocation over 8 GiB is
//! refused (the process aborts naming the case); one over 64 MiB + 64 times the input's size
//! while reading is a finding. A stack overflow kills the process without naming the case:
//! `FUZZ_ELF_TRACE=1` prints each case before it runs.
//!
//! A release build has no overflow checks: the long runs turn them on, as above
//! (`CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true`), or an arithmetic overflow goes unseen.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ebpf_dsl::btf::Btf;
use ebpf_dsl::elf::{self, Kconfig, Object, ReadOptions};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};
use ebpf_dsl::ProgramType;

#[path = "support/clang.rs"]
mod clang;
#[path = "support/elf_mutate.rs"]
mod elf_mutate;
use elf_mutate::{analyse, mutate, Rng, Seed};

// ---------------------------------------------------------------------------------------
// Allocation bound: while an input is read, one allocation larger than the input can
// justify is a finding (a size field trusted before it is checked against the data).

thread_local! {
    /// The largest single allocation this thread may make while reading (0: no bound).
    static ALLOC_BOUND: Cell<usize> = const { Cell::new(0) };
    /// The largest allocation over the bound seen since the last reset.
    static ALLOC_OVER: Cell<usize> = const { Cell::new(0) };
}

/// Beyond this, an allocation is refused (the process then aborts with the allocation error,
/// after this test printed the case being run).
const HARD_LIMIT: usize = 8 << 30;

struct Bounded;

impl Bounded {
    fn check(size: usize) -> bool {
        let bound = ALLOC_BOUND.try_with(Cell::get).unwrap_or(0);
        if bound != 0 && size > bound {
            let _ = ALLOC_OVER.try_with(|o| o.set(o.get().max(size)));
        }
        if size > HARD_LIMIT {
            // No allocation here: a static message, then the case from the atomics.
            let case = CASE.load(Ordering::Relaxed);
            let msg = b"fuzz_elf: an allocation over 8 GiB; the running case: see `case` below\n";
            let _ = std::io::Write::write_all(&mut std::io::stderr(), msg);
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr(),
                format_args!(
                    "case: FUZZ_SEED={} FUZZ_FROM={} size {size}\n",
                    case >> 32,
                    case & 0xffff_ffff
                ),
            );
            return false;
        }
        true
    }
}

/// The running case: the seed's low 32 bits above, the iteration below (for the messages of
/// the allocator and the watchdog, which must not allocate).
static CASE: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Bounded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !Bounded::check(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract for `layout`; passed on
        // unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !Bounded::check(layout.size()) {
            return std::ptr::null_mut();
        }
        // SAFETY: as `alloc`: the caller's `layout`, passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, which got every block from `System` with
        // this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !Bounded::check(new_size) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` and `layout` are a block `System` gave (see `dealloc`); the caller
        // upholds `realloc`'s contract for `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Bounded = Bounded;

/// Runs `f` with single allocations bounded by `bound` bytes; the largest one over it, if any.
fn bounded<R>(bound: usize, f: impl FnOnce() -> R) -> (R, Option<usize>) {
    ALLOC_OVER.with(|o| o.set(0));
    ALLOC_BOUND.with(|b| b.set(bound));
    let r = f();
    ALLOC_BOUND.with(|b| b.set(0));
    let over = ALLOC_OVER.with(Cell::get);
    (r, (over != 0).then_some(over))
}

/// What an object of `len` bytes may allocate at once while it is read: its decoded forms
/// (instructions, types, lines with their source text) are a small multiple of its size.
fn read_bound(len: usize) -> usize {
    (64 << 20) + len.saturating_mul(64)
}

// ---------------------------------------------------------------------------------------
// The budget and the loop (as in tests/fuzz.rs).

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// A thread that aborts the process when one input runs longer than `FUZZ_ELF_TIMEOUT`
/// seconds (a hang cannot be caught as a panic).
struct Watchdog {
    running: Arc<Mutex<Option<(String, Instant)>>>,
    stop: Arc<AtomicBool>,
}

impl Watchdog {
    fn start() -> Watchdog {
        let running: Arc<Mutex<Option<(String, Instant)>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let limit = Duration::from_secs(env_num("FUZZ_ELF_TIMEOUT", 120));
        let (r, s) = (running.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(200));
                if let Some((case, t)) = &*r.lock().unwrap_or_else(|e| e.into_inner()) {
                    if t.elapsed() > limit {
                        eprintln!("fuzz_elf: {case} runs for over {limit:?}: a hang");
                        std::process::abort();
                    }
                }
            }
        });
        Watchdog { running, stop }
    }

    fn set(&self, case: Option<String>) {
        *self.running.lock().unwrap_or_else(|e| e.into_inner()) = case.map(|c| (c, Instant::now()));
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Runs `run` on a mutation of a seed for each iteration, each with its own RNG; on a panic,
/// a finding of `run` (an `Err`) or an allocation past the bound, names the target, the
/// seed, the iteration, the seed object and the mutations.
fn fuzz(target: &str, default_iters: u64, run: impl Fn(&[u8]) -> Result<(), String>) {
    let seeds = seeds();
    let iters = env_num("FUZZ_ITERS", default_iters);
    let seed = env_num("FUZZ_SEED", 0x5eed_0e1f_0022);
    let from = env_num("FUZZ_FROM", 0);
    let dog = Watchdog::start();
    let trace = env_num("FUZZ_ELF_TRACE", 0) != 0;
    let mut slowest = (Duration::ZERO, 0);
    let mut read_ok = 0usize;
    for i in from..from.saturating_add(iters) {
        let mut rng = Rng(seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d) ^ fxhash(target));
        let s = &seeds[rng.below(seeds.len())];
        let (input, log) = mutate(&mut rng, s, seeds);
        let case = format!(
            "fuzz target `{target}`, iteration {i} (FUZZ_SEED={seed} FUZZ_FROM={i} FUZZ_ITERS=1), \
             seed object `{}` ({} bytes), mutations: {}",
            s.name,
            input.len(),
            log.join("; ")
        );
        CASE.store(
            ((seed & 0xffff_ffff) << 32) | (i & 0xffff_ffff),
            Ordering::Relaxed,
        );
        if trace {
            eprintln!("{case}");
        }
        dog.set(Some(case.clone()));
        let t = Instant::now();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&input)));
        dog.set(None);
        slowest = slowest.max((t.elapsed(), i));
        match result {
            Err(_) => panic!("{case}: panicked"),
            Ok(Err(why)) => panic!("{case}: {why}"),
            Ok(Ok(())) => {}
        }
        read_ok += usize::from(elf::read_object(&input).is_ok());
    }
    eprintln!(
        "{target}: {iters} iterations on {} seeds ({read_ok} inputs read without error), \
         slowest {:?} (iteration {})",
        seeds.len(),
        slowest.0,
        slowest.1
    );
}

// ---------------------------------------------------------------------------------------
// Seeds.

/// Text programs written as objects by this crate's writer: maps (written as BTF-defined
/// ones, a map of maps, spin lock and timer values), global data (`.rodata` frozen, `.data`),
/// subprograms, a callback, global functions, kfuncs, bpf_throw.
const TEXT_SEEDS: &[(&str, ProgramType)] = &[
    (
        ".map counters array key=4 value=8 max_entries=4\n\
         .map .rodata array key=4 value=8 flags=rdonly_prog init=0102030405060708\n\
         .map .data array key=4 value=16 init=00112233445566778899aabbccddeeff\n\
         .map xsks xskmap key=4 value=4 max_entries=64\n\
         r6 = r1\n\
         r1 = map_value(.rodata, 0) ll\n\
         r7 = *(u64 *)(r1 + 0)\n\
         *(u32 *)(r10 - 4) = 0\n\
         r2 = r10\n\
         r2 += -4\n\
         r1 = counters ll\n\
         call bpf_map_lookup_elem\n\
         if r0 == 0 goto skip\n\
         r1 = 1\n\
         lock *(u64 *)(r0 + 0) += r1\n\
         skip:\n\
         call sub\n\
         r2 = *(u32 *)(r6 + 16)\n\
         r1 = xsks ll\n\
         r3 = 2\n\
         call bpf_redirect_map\n\
         exit\n\
         sub:\n\
         r1 = map_value(.data, 8) ll\n\
         r0 = *(u32 *)(r1 + 0)\n\
         r0 = 0\n\
         exit\n",
        ProgramType::Xdp,
    ),
    (
        "r6 = r1\nr1 = 4\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\nr0 = 2\nexit\n\
         cb:\nr0 = 0\nexit\n",
        ProgramType::Xdp,
    ),
    (
        ".global_func f(ctx, scalar, mem 12, mem 4 nonnull, ctx tagged)\n.global_func g()\n\
         call f\ncall g\nr0 = 2\nexit\nf:\nr0 = 0\nexit\ng:\nr0 = 1\nexit\n",
        ProgramType::SchedCls,
    ),
    (
        ".global_func cb(scalar) exception_callback\nr1 = 7\ncall bpf_throw\nr0 = 0\nexit\n\
         cb:\nr0 = r1\nexit\n",
        ProgramType::Xdp,
    ),
    (
        "r6 = r1\ncall bpf_xdp_metadata_rx_timestamp\nr1 = r6\ncall bpf_xdp_metadata_rx_hash\n\
         r0 = 2\nexit\n",
        ProgramType::Xdp,
    ),
    (
        ".map locked hash key=4 value=16 max_entries=8 spin_lock=0\n\
         .map timed array key=4 value=24 max_entries=1 timer=8\n\
         .map outer array_of_maps key=4 value=4 max_entries=2 inner=array:4:8:1\n\
         *(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = locked ll\ncall bpf_map_lookup_elem\n\
         if r0 == 0 goto out\nr1 = r0\ncall bpf_spin_lock\nout:\nr0 = 0\nexit\n",
        ProgramType::SchedCls,
    ),
];

/// The objects our writer makes of [`TEXT_SEEDS`] (with source lines, as `asm --elf`).
fn written_seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (n, (src, pt)) in TEXT_SEEDS.iter().enumerate() {
        let a = match ebpf_dsl::asm::assemble_unchecked(src) {
            Ok(a) => a,
            Err(e) => panic!("text seed {n} does not assemble: {e:?}"),
        };
        let lines = ebpf_dsl::asm::text_lines(&a, src, &format!("seed{n}.s"));
        let mut a = a;
        let data = std::mem::take(&mut a.data);
        let globals = std::mem::take(&mut a.globals);
        let mut spec = a.into_program_spec(format!("seed{n}"), *pt, "GPL", Vec::new());
        spec.lines = lines.into();
        let mut obj = Object::from_programs(&[spec]).expect("an object of a text seed");
        obj.programs[0].globals = globals;
        obj.data = data;
        match elf::write_object(&obj) {
            Ok(bytes) => out.push((format!("text seed {n}"), bytes)),
            Err(e) => panic!("text seed {n} is not written: {e}"),
        }
    }
    // Two programs in one object, and an object with no program.
    let two: Vec<_> = ["r0 = 2\nexit\n", "r0 = 0\nexit\n"]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let pt = [ProgramType::Xdp, ProgramType::SocketFilter][i];
            ebpf_dsl::asm::assemble(s)
                .expect("assembles")
                .into_program_spec(format!("two{i}"), pt, "GPL", Vec::new())
        })
        .collect();
    let obj = Object::from_programs(&two).expect("object");
    out.push((
        "two programs".into(),
        elf::write_object(&obj).expect("written"),
    ));
    out
}

/// Every seed: clang's objects of `tests/elf/*.c` (when clang-19 is there), ours, and those of
/// `FUZZ_ELF_SEEDS` (a directory of `.o` files). Built once per test binary.
fn seeds() -> &'static [Seed] {
    static SEEDS: OnceLock<Vec<Seed>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut raw = written_seeds();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/elf");
        let mut cs: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        cs.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "c"));
        cs.sort();
        // Compiled two at a time (the machine's other tests run too).
        let compiled: Vec<Option<(String, Vec<u8>)>> = std::thread::scope(|s| {
            let chunks: Vec<_> = cs.chunks(cs.len().div_ceil(2).max(1)).collect();
            let hs: Vec<_> = chunks
                .into_iter()
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|p| {
                                let name = p.file_stem()?.to_string_lossy().to_string();
                                clang::compile(&name).map(|b| (format!("{name}.c"), b))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter()
                .flat_map(|h| h.join().expect("compiles"))
                .collect()
        });
        raw.extend(compiled.into_iter().flatten());
        if let Ok(extra) = std::env::var("FUZZ_ELF_SEEDS") {
            let mut fs: Vec<_> = std::fs::read_dir(&extra)
                .unwrap_or_else(|e| panic!("FUZZ_ELF_SEEDS={extra}: {e}"))
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "o"))
                .collect();
            fs.sort();
            for f in fs {
                if let Ok(b) = std::fs::read(&f) {
                    raw.push((f.display().to_string(), b));
                }
            }
        }
        raw.into_iter()
            .map(|(name, bytes)| analyse(name, bytes))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------
// The targets.

/// The target kernel's BTF (`/sys/kernel/btf/vmlinux`), when this machine has it.
fn vmlinux() -> Option<&'static Btf> {
    static VMLINUX: OnceLock<Option<Btf>> = OnceLock::new();
    VMLINUX
        .get_or_init(|| {
            let raw = std::fs::read("/sys/kernel/btf/vmlinux").ok()?;
            Btf::decode(&raw).ok()
        })
        .as_ref()
}

fn kconfig() -> Kconfig {
    Kconfig {
        version: (6, 18, 44),
        config: "CONFIG_BPF=y\nCONFIG_HZ=1000\nCONFIG_KPROBE_EVENTS=y\n".into(),
    }
}

/// An error value must say what is wrong.
fn has_message(e: &elf::ElfError) -> Result<(), String> {
    if e.reason.trim().is_empty() || e.to_string().is_empty() {
        return Err(format!("an error without a message: {e:?}"));
    }
    Ok(())
}

/// Reads `input` every way a user does, with allocations bounded; the objects read (plain,
/// and for the target's BTF when `target`).
fn read_all(input: &[u8], target: Option<&Btf>) -> Result<Vec<Object>, String> {
    let kc = kconfig();
    let (r, over) = bounded(read_bound(input.len()), || {
        let mut objs = Vec::new();
        let mut errs = Vec::new();
        let mut keep = |r: Result<Object, elf::ElfError>| match r {
            Ok(o) => objs.push(o),
            Err(e) => errs.push(e),
        };
        keep(elf::read_object(input));
        keep(elf::read_object_as(input, ProgramType::Xdp));
        if let Some(btf) = target {
            keep(elf::read_object_with(
                input,
                &ReadOptions {
                    unknown: Some(ProgramType::SchedCls),
                    btf: Some(btf),
                    kconfig: Some(&kc),
                    ..ReadOptions::default()
                },
            ));
            match elf::resolve_ksyms(input, btf, &[]) {
                Ok(r) => {
                    let _ = r.refusal();
                    let _ = r.searched();
                }
                Err(e) => errs.push(e),
            }
        }
        match elf::ksyms(input) {
            Ok(_) => {}
            Err(e) => errs.push(e),
        }
        match elf::object_btf(input) {
            Ok(Some(b)) => {
                let _ = (b.spin_locks(), b.timers(), b.kptrs(), b.kernel_refusal());
                let _ = (b.map_values(), b.data_values(), b.program_types());
            }
            Ok(None) => {}
            Err(e) => errs.push(e),
        }
        for o in &objs {
            for p in &o.programs {
                let _ = elf::program_listing_data(&p.spec, &o.data);
            }
            if let Err(e) = elf::write_object(o) {
                errs.push(e);
            }
        }
        (objs, errs)
    });
    if let Some(size) = over {
        return Err(format!(
            "an allocation of {size} bytes while reading {} bytes (bound {})",
            input.len(),
            read_bound(input.len())
        ));
    }
    let (objs, errs) = r;
    for e in &errs {
        has_message(e)?;
    }
    Ok(objs)
}

/// Verifies every program of `objs` as `ebpf-dsl check` does, without and with `vmlinux`.
fn verify_all(input: &[u8], objs: &[Object], vmlinux: Option<&Btf>) -> Result<(), String> {
    let object_btf = elf::object_btf(input).ok().flatten();
    let spin_locks = object_btf
        .as_ref()
        .map(|b| b.spin_locks())
        .unwrap_or_default();
    let timers = object_btf.as_ref().map(|b| b.timers()).unwrap_or_default();
    let kptrs = object_btf.as_ref().map(|b| b.kptrs()).unwrap_or_default();
    let program_types = object_btf.as_ref().map(|b| b.program_types());
    for o in objs {
        for p in o.programs.iter().take(4) {
            let s = &p.spec;
            for with in [None, vmlinux] {
                let input = VerifyInput {
                    relocations: &s.relocations,
                    maps: &s.maps,
                    license: &s.license,
                    kernel: KernelVersion::new(6, 18),
                    expected_attach_type: p.expected_attach_type(),
                    data: &o.data,
                    spin_locks: &spin_locks,
                    timers: &timers,
                    kptrs: &kptrs,
                    globals: &p.globals,
                    func_info: p.func_info.as_deref(),
                    vmlinux: with,
                    program_types: program_types.as_ref(),
                    xdp_dev_bound: false,
                    unavailable_helpers: &[],
                    possible_cpus: None,
                    ..VerifyInput::new(&s.insns, s.prog_type)
                };
                if let Err(errs) = verify(&input) {
                    if let Some(e) = errs.iter().find(|e| e.message.trim().is_empty()) {
                        return Err(format!("a verifier error without a message: {e:?}"));
                    }
                }
                if vmlinux.is_none() {
                    break;
                }
            }
        }
    }
    Ok(())
}

#[test]
fn reader_on_mutated_objects() {
    fuzz("elf read", 150, |input| read_all(input, None).map(drop));
}

#[test]
fn reader_for_a_target_btf_on_mutated_objects() {
    let Some(btf) = vmlinux() else {
        eprintln!("skipped: no /sys/kernel/btf/vmlinux here");
        return;
    };
    fuzz("elf read for vmlinux", 100, |input| {
        read_all(input, Some(btf)).map(drop)
    });
}

#[test]
fn reader_and_verifier_on_mutated_objects() {
    let target = vmlinux();
    fuzz("elf read + verify", 50, |input| {
        let objs = read_all(input, target)?;
        verify_all(input, &objs, target)
    });
}

/// The seeds themselves read (those of our writer at least), so the mutations start from
/// objects that reach deep code.
#[test]
fn the_seeds_read() {
    for s in seeds() {
        let r = elf::read_object(&s.bytes);
        if s.name.starts_with("text seed") || s.name == "two programs" {
            assert!(r.is_ok(), "{}: {:?}", s.name, r.err());
        }
        assert!(s.fields.len() > 3, "{}: {:?}", s.name, s.fields.len());
    }
}

/// Every field of every symbol and relocation entry of our writer's
/// objects set to the extreme values, one at a time (a sweep beside the random mutations):
/// found `off < value + size` overflowing on a function symbol of size `u64::MAX`.
#[test]
fn extreme_table_fields_sweep() {
    const EXTREMES: [u64; 3] = [u64::MAX, i64::MAX as u64, 1 << 63];
    for s in seeds().iter().filter(|s| s.name.starts_with("text seed")) {
        for (class, fields) in &s.fields {
            if !matches!(*class, "symbol" | "relocation") {
                continue;
            }
            for &(at, width) in fields.iter().filter(|f| f.1 >= 4) {
                for v in EXTREMES {
                    let mut b = s.bytes.clone();
                    b[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
                    let r = std::panic::catch_unwind(|| {
                        let _ = elf::read_object(&b).map_err(|e| has_message(&e));
                        let _ = elf::read_object_as(&b, ProgramType::Xdp);
                    });
                    assert!(
                        r.is_ok(),
                        "{}: {class} field {at:#x} = {v:#x}: panicked",
                        s.name
                    );
                }
            }
        }
    }
}
