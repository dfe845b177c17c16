//! The `load` and `run` subcommands: the program goes into the running kernel.
//!
//! ```text
//! ebpf-dsl load prog.s [--type xdp] [--map NAME:TYPE:KEY:VALUE[:ENTRIES]]... [--log] [--verbose]
//! ebpf-dsl run prog.s --type xdp --packet HEX [--repeat N] [--map ...]...
//! ```

use std::process::ExitCode;

use ebpf_dsl::{MapSpec, ProgramType};
use xsk_runtime::program::LoadOptions;
use xsk_runtime::{Error, Loader};

use crate::asm_cmds::{read_source, report};
use crate::CliError;

/// Options shared by `load` and `run`.
struct Common {
    file: String,
    prog_type: ProgramType,
    maps: Vec<MapSpec>,
}

fn parse_hex(s: &str) -> Result<Vec<u8>, CliError> {
    let clean: String = s
        .trim()
        .trim_start_matches("0x")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '-')
        .collect();
    if !clean.len().is_multiple_of(2) {
        return Err(CliError::Usage(format!(
            "--packet: odd number of hex digits ({})",
            clean.len()
        )));
    }
    (0..clean.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&clean[i..i + 2], 16).map_err(|_| {
                CliError::Usage(format!("--packet: `{}` is not hex", &clean[i..i + 2]))
            })
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Assembles the file and loads it with its maps. `Ok(Err(code))`: reported already.
fn assemble_and_load(
    c: &Common,
    opts: LoadOptions,
) -> Result<Result<xsk_runtime::Loaded, ExitCode>, CliError> {
    let src = read_source(&c.file)?;
    let assembled = match ebpf_dsl::asm::assemble(&src) {
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
    let spec = assembled.into_program_spec(name, c.prog_type, "GPL", c.maps.clone());
    match Loader::new().program_with(spec, opts).load() {
        Ok(l) => Ok(Ok(l)),
        Err(e @ Error::Verifier { .. }) => {
            println!("verifier: rejected");
            if let Some(log) = e.verifier_log() {
                println!("{}", log.trim_end());
            }
            eprintln!("ebpf-dsl: {}", first_line(&e.to_string()));
            Ok(Err(ExitCode::from(1)))
        }
        Err(e @ Error::UnknownMap { .. }) => Err(CliError::Io(format!(
            "{e}\n(declare it with --map NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES])"
        ))),
        Err(e) => Err(CliError::Io(e.to_string())),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

/// What [`parse_common`] returns: the shared options, `--packet`/`--repeat` values, flags.
type Parsed = (Common, Vec<(String, String)>, Vec<String>);

/// Parses the arguments both commands share; returns the rest.
fn parse_common(args: &[String], needs_type: bool) -> Result<Parsed, CliError> {
    let mut file = None;
    let mut prog_type = None;
    let mut maps = Vec::new();
    let mut valued = Vec::new();
    let mut flags = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--type" | "-t" => {
                let v = it.next().ok_or_else(|| {
                    CliError::Usage("--type needs a value (xdp, socket_filter, ...)".into())
                })?;
                prog_type = Some(ProgramType::from_name(v).ok_or_else(|| {
                    CliError::Usage(format!(
                        "unknown program type `{v}` (e.g. xdp, sched_cls, socket_filter)"
                    ))
                })?);
            }
            "--map" => {
                let v = it.next().ok_or_else(|| {
                    CliError::Usage(format!("--map needs {}", crate::map_arg::MAP_ARG_SYNTAX))
                })?;
                maps.push(crate::map_arg::parse_map_arg(v)?);
            }
            "--packet" | "--repeat" => {
                let v = it
                    .next()
                    .ok_or_else(|| CliError::Usage(format!("{a} needs a value")))?;
                valued.push((a.clone(), v.clone()));
            }
            "--log" | "--verbose" => flags.push(a.clone()),
            s if s.starts_with('-') && s != "-" => {
                return Err(CliError::Usage(format!("unknown option `{s}`")))
            }
            _ => {
                if file.replace(a.clone()).is_some() {
                    return Err(CliError::Usage("give one FILE".into()));
                }
            }
        }
    }
    let file = file.ok_or_else(|| CliError::Usage("no FILE given".into()))?;
    let prog_type = match prog_type {
        Some(t) => t,
        None if needs_type => {
            return Err(CliError::Usage(
                "--type is required (e.g. --type xdp)".into(),
            ))
        }
        None => ProgramType::Xdp,
    };
    Ok((
        Common {
            file,
            prog_type,
            maps,
        },
        valued,
        flags,
    ))
}

/// `load FILE [--type T] [--map ...] [--log] [--verbose]`: loads into the kernel and prints the
/// verifier's verdict (and its log on rejection, or always with `--log`).
pub fn load(args: &[String]) -> Result<ExitCode, CliError> {
    let (c, valued, flags) = parse_common(args, false)?;
    if let Some((opt, _)) = valued.first() {
        return Err(CliError::Usage(format!("`load` takes no {opt}")));
    }
    let opts = LoadOptions {
        always_log: flags.iter().any(|f| f == "--log" || f == "--verbose"),
        verbose: flags.iter().any(|f| f == "--verbose"),
        ..Default::default()
    };
    let loaded = match assemble_and_load(&c, opts)? {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    for name in loaded.program_names() {
        let p = loaded
            .program(name)
            .map_err(|e| CliError::Io(e.to_string()))?;
        println!(
            "verifier: accepted `{}` ({}, program id {}, tag {})",
            p.name(),
            c.prog_type,
            p.id(),
            hex(&p.tag())
        );
        if let Some(log) = p.verifier_log() {
            println!("{}", log.trim_end());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `run FILE --type xdp --packet HEX [--repeat N] [--map ...]`: loads, runs once per repeat
/// with BPF_PROG_TEST_RUN, prints the action, the output packet and the kernel's ns per run.
pub fn run(args: &[String]) -> Result<ExitCode, CliError> {
    let (c, valued, flags) = parse_common(args, true)?;
    if let Some(f) = flags.first() {
        return Err(CliError::Usage(format!("`run` takes no {f}")));
    }
    let mut packet = None;
    let mut repeat = 1u32;
    for (k, v) in valued {
        match k.as_str() {
            "--packet" => packet = Some(parse_hex(&v)?),
            _ => {
                repeat = v
                    .parse()
                    .map_err(|_| CliError::Usage(format!("--repeat `{v}` is not a number")))?
            }
        }
    }
    let packet = packet.ok_or_else(|| CliError::Usage("--packet HEX is required".into()))?;
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
    let r = p
        .test_run(&packet, repeat)
        .map_err(|e| CliError::Io(e.to_string()))?;
    match (c.prog_type, r.action()) {
        (ProgramType::Xdp, Some(a)) => println!("action: {a} (retval {})", r.retval),
        _ => println!("retval: {} ({:#x})", r.retval, r.retval),
    }
    println!(
        "packet out ({} bytes): {}",
        r.data_out.len(),
        hex(&r.data_out)
    );
    println!(
        "duration: {} ns/run over {} run{}",
        r.duration_ns,
        repeat.max(1),
        if repeat > 1 { "s" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}
