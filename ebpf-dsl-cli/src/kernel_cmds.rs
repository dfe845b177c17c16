//! The `load` and `run` subcommands: the program goes into the running kernel.
//!
//! ```text
//! ebpf-dsl load prog.s [--type xdp] [--map NAME:TYPE:KEY:VALUE[:ENTRIES]]... [--log] [--verbose]
//! ebpf-dsl run prog.s --type xdp --packet HEX [--repeat N] [--map ...]...
//! ```

use std::process::ExitCode;

use ebpf_dsl::ProgramType;
use xsk_runtime::program::LoadOptions;
use xsk_runtime::{Error, Loader};

use crate::asm_cmds::{read_source, report};
use crate::map_arg::MapArgs;
use crate::out::{errln, outln};
use crate::CliError;

/// From this `--repeat` on, `run` says that it may take a while before it starts.
const SLOW_REPEAT: u32 = 1_000_000;

/// Options shared by `load` and `run`.
#[derive(Debug)]
pub struct Common {
    pub(crate) file: String,
    /// `--section`, for an ELF object.
    section: Option<String>,
    prog_type: ProgramType,
    /// `--type` was given (not the default).
    type_given: bool,
    maps: MapArgs,
}

/// The arguments of `load`.
#[derive(Debug)]
pub struct LoadArgs {
    common: Common,
    log: bool,
    verbose: bool,
    /// `--strict-alignment`: `BPF_F_STRICT_ALIGNMENT` in `prog_flags`.
    strict_alignment: bool,
}

/// The arguments of `run`.
#[derive(Debug)]
pub struct RunArgs {
    common: Common,
    packet: Vec<u8>,
    repeat: u32,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Assembles the file and loads it with its maps. `Ok(Err(code))`: reported already.
pub(crate) fn assemble_and_load(
    c: &Common,
    opts: LoadOptions,
) -> Result<Result<xsk_runtime::Loaded, ExitCode>, CliError> {
    let object = if c.file == "-" {
        None
    } else {
        std::fs::read(&c.file)
            .ok()
            .filter(|b| crate::elf_cmds::is_elf(b))
    };
    if let Some(bytes) = object {
        if !c.maps.specs().is_empty() {
            return Err(CliError::Usage(format!(
                "{} is an ELF object: its maps come from the object, --map is for assembly sources",
                c.file
            )));
        }
        // `--type` names the type of a section whose name gives none (`check` does the same).
        let unknown = c.type_given.then_some(c.prog_type);
        let (section, function) =
            crate::elf_cmds::object_choice(&bytes, &c.file, c.section.as_deref(), unknown)?;
        let loader = Loader::new()
            .object_bytes_as(
                &bytes,
                unknown,
                |p| p.section == section && p.function == function,
                opts,
            )
            .map_err(|e| CliError::Io(format!("{}: {e}", c.file)))?;
        return finish_load(loader);
    }
    if let Some(s) = &c.section {
        return Err(CliError::Usage(format!(
            "--section {s} is for ELF objects; {} is assembly source",
            c.file
        )));
    }
    // Kernel types by name: resolved against the running kernel's BTF.
    let src = match crate::asm_cmds::resolve_kernel_names(read_source(&c.file)?, &c.file, None)? {
        Ok(s) => s,
        Err(code) => return Ok(Err(code)),
    };
    let mut maps = c.maps.clone();
    maps.add_from_source(&src)?;
    maps.print_warnings();
    let mut assembled = match ebpf_dsl::asm::assemble(&src) {
        Ok(a) => a,
        Err(diags) => {
            report(&diags, &src, &c.file);
            return Ok(Err(ExitCode::from(1)));
        }
    };
    let stem = std::path::Path::new(&c.file)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "prog".into());
    let name: String = stem
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .take(15)
        .collect();
    let lines = ebpf_dsl::asm::text_lines(&assembled, &src, &c.file);
    drop(src);
    maps.rename(&mut assembled.relocations);
    let mut data = std::mem::take(&mut assembled.data);
    maps.rename_data(&mut data);
    let section = assembled.section.take();
    let given = c.type_given.then_some(c.prog_type);
    let prog_type = crate::elf_cmds::text_program_type(section.as_deref(), given)?;
    let mut opts = crate::elf_cmds::section_load_options(section.as_deref(), opts);
    // `.global_func` declarations: the kernel verifies those functions once, from their BTF.
    opts.globals = std::mem::take(&mut assembled.globals);
    let mut locks = std::mem::take(&mut assembled.spin_locks);
    locks.extend(maps.spin_locks());
    let timers = std::mem::take(&mut assembled.timers);
    let mut spec = assembled.into_program_spec(name, prog_type, "GPL", maps.specs());
    spec.lines = lines.into();
    let mut loader = Loader::new().data(data);
    if !locks.is_empty() || !timers.is_empty() {
        // Maps whose value holds a bpf_spin_lock or a bpf_timer are created with BTF saying
        // where they are.
        loader = loader.map_btf(ebpf_dsl::elf::ObjectBtf::for_specials(
            &spec.maps, &locks, &timers,
        ));
    }
    finish_load(loader.program_with(spec, opts))
}

/// Loads what `loader` holds (an object's maps, data and program, or an assembled program),
/// reporting a verifier rejection.
fn finish_load(loader: Loader) -> Result<Result<xsk_runtime::Loaded, ExitCode>, CliError> {
    match loader.load() {
        Ok(l) => Ok(Ok(l)),
        Err(e @ Error::Verifier { .. }) => {
            outln!("verifier: rejected")?;
            if let Some(log) = e.verifier_log() {
                outln!("{}", log.trim_end())?;
            }
            errln!("ebpf-dsl: {}", first_line(&e.to_string()));
            Ok(Err(ExitCode::from(1)))
        }
        Err(e @ Error::UnknownMap { .. }) => Err(CliError::Io(format!(
            "{e}\n(declare it with --map NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES][:FLAGS])"
        ))),
        Err(e) => Err(CliError::Io(e.to_string())),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// The shared options: FILE, the program type, the `--map` descriptions (each name once).
pub(crate) fn parse_common(
    o: crate::cli::KernelOpts,
    prog_type: Option<ProgramType>,
    needs_type: bool,
) -> Result<Common, CliError> {
    let mut maps = MapArgs::default();
    for m in &o.maps {
        maps.push(m)?;
    }
    let type_given = prog_type.is_some();
    let prog_type = match prog_type {
        Some(t) => t,
        None if needs_type => {
            return Err(CliError::Usage(
                "--type is required (e.g. --type xdp)".into(),
            ))
        }
        None => ProgramType::Xdp,
    };
    Ok(Common {
        file: o.file,
        section: o.section,
        prog_type,
        type_given,
        maps,
    })
}

/// Builds the arguments of `load FILE [--type T] [--map ...] [--log] [--verbose]`.
pub fn parse_load(o: crate::cli::LoadOpts) -> Result<LoadArgs, CliError> {
    Ok(LoadArgs {
        common: parse_common(o.common, o.prog_type, false)?,
        log: o.log || o.verbose,
        verbose: o.verbose,
        strict_alignment: o.strict_alignment,
    })
}

/// `load FILE [--type T] [--map ...] [--log] [--verbose]`: loads into the kernel and prints the
/// verifier's verdict (and its log on rejection, or always with `--log`).
pub fn load(args: LoadArgs) -> Result<ExitCode, CliError> {
    let c = &args.common;
    let opts = LoadOptions {
        always_log: args.log,
        verbose: args.verbose,
        prog_flags: if args.strict_alignment {
            ebpf_dsl::spec::BPF_F_STRICT_ALIGNMENT
        } else {
            0
        },
        ..Default::default()
    };
    let loaded = match assemble_and_load(c, opts)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    for name in loaded.program_names() {
        let p = loaded
            .program(name)
            .map_err(|e| CliError::Io(e.to_string()))?;
        outln!(
            "verifier: accepted `{}` ({}, program id {}, tag {})",
            p.name(),
            p.prog_type().unwrap_or(c.prog_type),
            p.id(),
            hex(&p.tag())
        )?;
        if let Some(log) = p.verifier_log() {
            outln!("{}", log.trim_end())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds the arguments of `run FILE --type T --packet HEX [--repeat N] [--map ...]`: `--type`
/// and `--packet` are required.
pub fn parse_run(o: crate::cli::RunOpts) -> Result<RunArgs, CliError> {
    let common = parse_common(o.common, o.prog_type, true)?;
    let packet = o
        .packet
        .ok_or_else(|| CliError::Usage("--packet HEX is required".into()))?
        .0;
    Ok(RunArgs {
        common,
        packet,
        repeat: o.repeat,
    })
}

/// `run FILE --type xdp --packet HEX [--repeat N] [--map ...]`: loads, runs once per repeat
/// with BPF_PROG_TEST_RUN, prints the action, the output packet and the kernel's ns per run.
pub fn run(args: RunArgs) -> Result<ExitCode, CliError> {
    let RunArgs {
        common: c,
        packet,
        repeat,
    } = args;
    let loaded = match assemble_and_load(&c, LoadOptions::default())? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let name = loaded
        .program_names()
        .next()
        .map(str::to_owned)
        .ok_or_else(|| CliError::Io("no program was loaded".into()))?;
    let p = loaded
        .program(&name)
        .map_err(|e| CliError::Io(e.to_string()))?;
    if repeat >= SLOW_REPEAT {
        errln!(
            "ebpf-dsl: running the program {repeat} times in the kernel (BPF_PROG_TEST_RUN); \
             this can take a while, Ctrl-C stops it"
        );
    }
    let r = p
        .test_run(&packet, repeat)
        .map_err(|e| CliError::Io(e.to_string()))?;
    match (c.prog_type, r.action()) {
        (ProgramType::Xdp, Some(a)) => outln!("action: {a} (retval {})", r.retval)?,
        _ => outln!("retval: {} ({:#x})", r.retval, r.retval)?,
    }
    outln!(
        "packet out ({} bytes): {}",
        r.data_out.len(),
        hex(&r.data_out)
    )?;
    outln!(
        "duration: {} ns/run over {} run{}",
        r.duration_ns,
        repeat.max(1),
        if repeat > 1 { "s" } else { "" }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `features`: the running kernel's XDP / AF_XDP features (`xsk_runtime::features::Features`)
/// and, per program type the verifier models, the helpers the kernel refuses though its
/// release offers them (`xsk_runtime::features::unavailable_helpers` against
/// `ebpf_dsl::verifier::offered_to`).
pub fn features() -> Result<ExitCode, CliError> {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_err(|e| CliError::Io(format!("reading the kernel release: {e}")))?;
    let version = std::fs::read_to_string("/proc/sys/kernel/version").unwrap_or_default();
    let kernel =
        ebpf_dsl::verifier::KernelVersion::from_uname(&release, &version).ok_or_else(|| {
            CliError::Io(format!(
                "the kernel release `{}` is not a version",
                release.trim()
            ))
        })?;
    outln!(
        "kernel {} (the static verifier's release table: Linux {kernel})",
        release.trim()
    )?;
    outln!("{}", xsk_runtime::features::Features::probe())?;
    outln!("helpers withheld (offered by Linux {kernel}, refused by this kernel):")?;
    for pt in [
        ProgramType::Xdp,
        ProgramType::SchedCls,
        ProgramType::SchedAct,
        ProgramType::SocketFilter,
    ] {
        let refused = xsk_runtime::features::unavailable_helpers(pt).map_err(|e| {
            CliError::Io(format!(
                "probing the helpers of {pt} programs: {e}{}",
                e.hint().map(|h| format!(" ({h})")).unwrap_or_default()
            ))
        })?;
        let withheld: Vec<String> = refused
            .iter()
            .filter(|&&id| ebpf_dsl::verifier::offered_to(id, pt, kernel))
            .map(|&id| match ebpf_dsl::helpers::helper_by_id(id) {
                Some(h) => format!("{} (#{id})", h.name),
                None => format!("#{id}"),
            })
            .collect();
        outln!(
            "  {:<13} {}",
            pt.to_string(),
            if withheld.is_empty() {
                "none".to_string()
            } else {
                withheld.join(", ")
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
