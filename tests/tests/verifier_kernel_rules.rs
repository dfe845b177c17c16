//! The kernel rule cases of `ebpf-dsl/tests/kernel_rules/*.s` against the running kernel:
//! every case is loaded with `BPF_PROG_LOAD` and must get the verdict recorded in its
//! `# kernel:` header, and the static verifier must never accept a case the kernel rejects
//! (its own verdicts, known false rejects included, are checked by
//! `ebpf-dsl/tests/verifier_kernel_rules.rs`). Needs root; skips with a message otherwise
//! unless `CI=true`.
//!
//! The verdicts are recorded on 6.18 ([`RECORDED`]). On another kernel (tools/kernel-vm/
//! boots Debian's 6.1 and 6.12), the verdict expected is the recorded one gated by the case's
//! `# since:` (or `# until:`, a reject older kernels accept); a kernel that says otherwise is printed (`differs:`), not a failure, and a
//! case that cannot load there at all (an arena map before 6.9, a kfunc it lacks) counts as
//! the kernel's refusal. A false accept fails on every kernel.

use xsk_testkit::kernel_tests;

#[path = "../../ebpf-dsl/tests/kernel_rules/cases.rs"]
mod rule_cases;
use rule_cases::*;

use std::borrow::Cow;
use std::path::Path;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify_trusting, KernelVersion, Trust, VerifyInput};
use ebpf_dsl::ProgramSpec;
use xsk_runtime::maps::Map;
use xsk_runtime::program::{LoadOptions, Program};
use xsk_runtime::{Error, Loader};

/// The kernel line the `# kernel:` verdicts were recorded on.
const RECORDED: KernelVersion = KernelVersion::new(6, 18);

fn recorded_verdicts_are_the_kernels() {
    let specs = rule_maps();
    let maps: Vec<Map> = specs
        .iter()
        .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
        .collect();
    let map_refs: Vec<&Map> = maps.iter().collect();
    let running = running_kernel();
    let cases =
        cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../ebpf-dsl/tests/kernel_rules"));
    assert!(cases.len() >= 80, "only {} cases found", cases.len());
    let mut wrong = Vec::new();
    let (mut agree, mut false_rejects) = (0, 0);
    let vmlinux = std::fs::read("/sys/kernel/btf/vmlinux")
        .ok()
        .and_then(|b| ebpf_dsl::btf::Btf::decode(&b).ok());
    // `# btf: vmlinux` cases name kernel types, members and sizes by name, resolved against
    // the running kernel's BTF (skipped, by name, without it).
    let skip_btf = btf_cases_skip_reason().or_else(|| {
        vmlinux
            .is_none()
            .then(|| "the running kernel's BTF does not decode".to_string())
    });
    let mut skipped = 0;
    let on_recorded = running.line() == RECORDED;
    let (mut differs, mut unloadable) = (0, 0);
    println!("kernel {running} (verdicts recorded on {RECORDED})");
    for c in &cases {
        if let (true, Some(why)) = (c.btf, &skip_btf) {
            println!("skipped: {} ({why})", c.name);
            skipped += 1;
            continue;
        }
        let (name, pt, recorded) = (&c.name, c.prog_type, c.kernel_accepts);
        // Another kernel's BTF may lack a type a `# btf: vmlinux` case names (skipped, named).
        let src = &match (c.btf, vmlinux.as_ref()) {
            (true, Some(btf)) if !on_recorded => {
                match ebpf_dsl::asm::resolve_btf_names(&c.src, btf) {
                    Ok(s) => s,
                    Err(d) => {
                        println!(
                            "skipped: {name} (not in this kernel's BTF: {})",
                            d[0].message
                        );
                        skipped += 1;
                        continue;
                    }
                }
            }
            _ => case_source(c, vmlinux.as_ref()),
        };
        let a = assemble_unchecked(src).unwrap_or_else(|d| panic!("{name}: {d:?}"));
        // Verified for the running kernel, so that features of newer kernels are assumed;
        // `trust_*` labels are honoured as `defprogram!` honours them.
        let trust = Trust::from_labels(&a.labels).unwrap_or_else(|e| panic!("{name}: {e}"));
        let case_specs: Vec<_> = specs.iter().chain(&a.maps).cloned().collect();
        let func_info = ebpf_dsl::btf::loader_func_info(&a.insns, &a.globals);
        let input = case_input(c, &a, &case_specs, vmlinux.as_ref(), &func_info)
            .with_kernel(running)
            .with_unavailable_helpers(
                xsk_runtime::features::unavailable_helpers(c.prog_type)
                    .expect("probing the running kernel's helpers"),
            )
            // This machine's CPUs, by which the kernel bounds `bpf_get_smp_processor_id`.
            .with_possible_cpus(Some(
                xsk_runtime::os::possible_cpus().expect("this machine's possible CPUs"),
            ));
        let ours = verify_trusting(&input, &trust);
        let spec = ProgramSpec {
            name: Cow::Borrowed("rulecase"),
            prog_type: pt,
            license: Cow::Owned(c.license.clone()),
            insns: Cow::Owned(a.insns.clone()),
            relocations: Cow::Owned(a.relocations.clone()),
            maps: Cow::Owned(specs.clone()),
            lines: Default::default(),
        };
        let opts = LoadOptions {
            expected_attach_type: c.attach,
            prog_flags: c.prog_flags,
            // `.global_func`: declared global in the program's BTF, as the verifier took it.
            globals: a.globals.clone(),
            ..LoadOptions::default()
        };
        let loaded = if a.maps.is_empty() {
            Program::load_with(&spec, &map_refs, &opts).map(drop)
        } else {
            // A case declaring maps (`.map ... init=HEX`): the Loader creates them, writes
            // their contents and freezes the read-only ones, as the static verifier assumes.
            let spec =
                a.clone()
                    .into_program_spec("rulecase", pt, c.license.clone(), specs.clone());
            // `spin_lock=` / `timer=`: the maps created with BTF saying where those are.
            let btf = ebpf_dsl::elf::ObjectBtf::for_specials(&a.maps, &a.spin_locks, &a.timers);
            Loader::new()
                .data(a.data.clone())
                .map_btf(btf)
                .program_with(spec, opts.clone())
                .load()
                .map(drop)
        };
        let mut loadable = true;
        let kernel = match loaded {
            Ok(_) => Ok(()),
            Err(Error::Verifier { log, .. }) => Err(log),
            // An arena the case declares (`.map NAME arena ...`), which the running kernel
            // refuses to create (6.18.44 here: EPERM to root): the program cannot load.
            Err(Error::MapOp { errno, .. })
                if errno == libc::EPERM
                    && a.maps
                        .iter()
                        .any(|m| m.map_type == ebpf_dsl::MapType::Arena) =>
            {
                Err("BPF_MAP_CREATE of the arena: EPERM (this kernel refuses arenas)".to_string())
            }
            // Another kernel than the recorded one, lacking a map type a case declares (an
            // arena before 6.9) or a kfunc it calls: the program cannot load there (printed).
            Err(e) if !on_recorded => {
                loadable = false;
                Err(format!("not loadable: {e}"))
            }
            Err(e) => {
                panic!("{name}: BPF_PROG_LOAD failed for a reason other than the verifier: {e}")
            }
        };
        let last = |log: &str| {
            log.lines()
                .rev()
                .find(|l| !l.starts_with("processed") && !l.is_empty())
                .unwrap_or("")
                .to_string()
        };
        // On another kernel: the recorded verdict, gated by `# since:`.
        // (`# until:` a recorded reject that older kernels accept.)
        let expected = (recorded && c.since.is_none_or(|s| running.line() >= s.line()))
            || c.until.is_some_and(|u| running.line() < u.line());
        if !on_recorded && kernel.is_ok() != expected {
            differs += 1;
            println!(
                "differs: {name}: expected {} (6.18's verdict{}), the {running} kernel says {}; ours: {}",
                if expected { "accept" } else { "reject" },
                c.since
                    .map(|s| format!(", since {s}"))
                    .or(c.until.map(|u| format!(", until {u}")))
                    .unwrap_or_default(),
                kernel
                    .as_ref()
                    .map(|_| "accept".to_string())
                    .unwrap_or_else(|l| last(l)),
                match &ours {
                    Ok(_) => "accept".to_string(),
                    Err(e) => format!("reject ({})", shorten(&e[0].to_string())),
                }
            );
        } else if on_recorded && kernel.is_ok() != recorded {
            wrong.push(format!(
                "{name}: recorded `kernel: {}`, the kernel says {}",
                if recorded { "accept" } else { "reject" },
                kernel
                    .as_ref()
                    .map(|_| "accept".to_string())
                    .unwrap_or_else(|l| last(l))
            ));
        }
        match (&ours, &kernel) {
            // Refused before the kernel's verifier (a kfunc not in this kernel's vmlinux BTF,
            // e.g. Debian's nf_conntrack module; a map type it lacks): printed, not a verdict.
            (Ok(_), Err(log)) if !loadable => {
                unloadable += 1;
                println!("{name}: we accept, not loadable on {running}: {log}");
            }
            (Ok(_), Err(log)) => {
                wrong.push(format!("{name}: FALSE ACCEPT (kernel: {})", last(log)))
            }
            (Err(e), Ok(())) => {
                false_rejects += 1;
                println!("{name}: false reject: {}", e[0]);
            }
            _ => agree += 1,
        }
    }
    println!(
        "{} kernel rule cases on {running}: {agree} agree with the kernel, {false_rejects} false rejects, 0 false accepts allowed, {skipped} skipped (named above), {unloadable} accepted by us but not loadable here (named above), {differs} verdicts of this kernel other than 6.18's gated by `# since:` (`differs:` above)",
        cases.len()
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A program the kernel accepts only when `.rodata` is frozen (byte 0 is 42, so the unchecked
/// packet read is dead code), as the static verifier assumes from `init=` with `rdonly_prog`.
const FROZEN_CONFIG: &str = "\
.map .rodata array key=4 value=8 flags=rdonly_prog init=2a00000007000000
r2 = *(u32 *)(r1 + 0)
r1 = map_value(.rodata, 0) ll
r0 = *(u32 *)(r1 + 0)
if r0 == 42 goto out
r0 = *(u8 *)(r2 + 0)
out:
r0 = 2
exit
";

/// The map is frozen: the kernel refuses writes from user space, and the contents are the
/// initial ones.
fn assert_frozen(map: &Map) {
    let key = 0u32.to_ne_bytes();
    let err = map
        .update(&key, &[0; 8], Default::default())
        .expect_err("a frozen map refuses writes from user space");
    assert!(err.to_string().contains("EPERM"), "{err}");
    assert_eq!(
        map.lookup(&key).expect("lookup"),
        Some(vec![42, 0, 0, 0, 7, 0, 0, 0])
    );
}

/// Every map whose contents the static verifier takes as frozen is frozen by the loader before
/// the program loads: text programs (`Loader::data`) and objects (`Loader::object_bytes`); and
/// the loader refuses contents it would not write and freeze (an existing map).
fn loader_freezes_what_the_verifier_assumes_frozen() {
    let a = assemble_unchecked(FROZEN_CONFIG).expect("assembles");
    assert!(a.data[0].read_only);
    // The static verifier needs the frozen bytes to accept it; without them it refuses.
    let input = VerifyInput::new(&a.insns, ebpf_dsl::ProgramType::Xdp)
        .with_maps(&a.relocations, &a.maps)
        .with_kernel(running_kernel());
    assert!(ebpf_dsl::verifier::verify(&input).is_err());
    ebpf_dsl::verifier::verify(&input.clone().with_data(&a.data))
        .expect("the frozen configuration makes the packet read dead");

    // A text program: `Loader::data` writes and freezes `.rodata`; the kernel accepts.
    let spec =
        a.clone()
            .into_program_spec("frozencfg", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
    let loaded = Loader::new()
        .data(a.data.clone())
        .program(spec.clone())
        .load()
        .unwrap_or_else(|e| panic!("text program with frozen .rodata: {e}"));
    assert_frozen(loaded.map_ref(".rodata").expect(".rodata"));

    // An object: what `ebpf-dsl check OBJ.o` verifies (`Object::data`) is what
    // `Loader::object_bytes` writes and freezes.
    let mut obj =
        ebpf_dsl::elf::Object::from_programs(std::slice::from_ref(&spec)).expect("object");
    obj.data = a.data.clone();
    let bytes = ebpf_dsl::elf::write_object(&obj).expect("write");
    let back = ebpf_dsl::elf::read_object(&bytes).expect("read back");
    let p = &back.programs[0].spec;
    let input = VerifyInput::new(&p.insns, p.prog_type)
        .with_maps(&p.relocations, &p.maps)
        .with_data(&back.data)
        .with_kernel(running_kernel());
    ebpf_dsl::verifier::verify(&input).expect("the object's .rodata is frozen");
    let loaded = Loader::new()
        .object_bytes(&bytes)
        .and_then(Loader::load)
        .unwrap_or_else(|e| panic!("object with frozen .rodata: {e}"));
    assert_frozen(loaded.map_ref(".rodata").expect(".rodata"));

    // Contents for a map the loader does not create are refused, not silently dropped.
    let existing = Map::create(&a.maps[0]).expect("create .rodata");
    let err = Loader::new()
        .use_map(existing)
        .data(a.data.clone())
        .program(spec)
        .load()
        .expect_err("contents for an existing map");
    assert!(err.to_string().contains("existing map"), "{err}");
}

/// The first 160 characters of `s`.
fn shorten(s: &str) -> String {
    match s.char_indices().nth(160) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The running kernel's release (Debian's from `uname -v`: `KernelVersion::running`).
fn running_kernel() -> KernelVersion {
    KernelVersion::running().expect("a major.minor kernel release")
}

kernel_tests! {
    privileged: [
        recorded_verdicts_are_the_kernels,
        loader_freezes_what_the_verifier_assumes_frozen,
    ],
}
