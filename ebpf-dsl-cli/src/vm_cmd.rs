//! `run --vm`: the program runs in `ebpf_dsl::vm`, ebpf-dsl's own interpreter, without root and
//! without touching the kernel. FILE is assembly source or an ELF object (`--section NAME`
//! picks its program); after the run the maps' non-empty elements are printed.
//!
//! ```text
//! ebpf-dsl run prog.s --vm --type xdp --packet HEX [--trace] [--no-maps] [--map ...]...
//! ebpf-dsl run prog.s --vm --mem HEX [--trace] [--unchecked] [--map ...]...
//! ebpf-dsl run prog.o --vm [--section NAME] [--type T] --packet HEX
//! ```

use std::process::ExitCode;

use ebpf_dsl::vm::cli::{run_spec, run_text, CliInput, CliOutput};
use ebpf_dsl::{elf, ProgramSpec, ProgramType};

use crate::asm_cmds::read_source;
use crate::map_arg::MapArgs;
use crate::out::errln;
use crate::CliError;

/// The input of the run, before the file says what the program is.
#[derive(Debug)]
enum Input {
    /// `--packet HEX`, with `--type` if given (an object's program has its own type).
    Packet(Option<ProgramType>, Vec<u8>),
    /// `--mem HEX`.
    Mem(Vec<u8>),
}

/// The arguments of `run --vm`.
#[derive(Debug)]
pub struct VmArgs {
    file: String,
    section: Option<String>,
    maps: MapArgs,
    map_flags: usize,
    input: Input,
    trace: bool,
    unchecked: bool,
    no_maps: bool,
}

fn packet_type(t: ProgramType) -> Result<ProgramType, CliError> {
    if matches!(
        t,
        ProgramType::Xdp
            | ProgramType::SchedCls
            | ProgramType::SchedAct
            | ProgramType::SocketFilter
    ) {
        Ok(t)
    } else {
        Err(CliError::Usage(format!(
            "--vm runs xdp, sched_cls, sched_act and socket_filter programs on a packet, not {t}"
        )))
    }
}

/// Builds the arguments of `run FILE --vm (--type T --packet HEX | --mem HEX) [--trace]
/// [--no-maps] [--section NAME] [--map ...]`.
pub fn parse_run_vm(o: crate::cli::RunOpts) -> Result<VmArgs, CliError> {
    if o.repeat != 1 {
        return Err(CliError::Usage(
            "--repeat times the kernel; --vm runs the program once (vm-bench times the VM)".into(),
        ));
    }
    let mut maps = MapArgs::default();
    for m in &o.common.maps {
        maps.push(m)?;
    }
    let input = match (o.packet, o.mem, o.prog_type) {
        (Some(p), None, t) => Input::Packet(t.map(packet_type).transpose()?, p.0),
        (None, Some(m), None) => Input::Mem(m.0),
        (None, Some(_), Some(_)) => {
            return Err(CliError::Usage(
                "--mem runs the program on raw memory (r1 = address, r2 = length); --type is \
                 for --packet"
                    .into(),
            ))
        }
        (None, None, _) => {
            return Err(CliError::Usage(
                "--vm needs the input: --packet HEX (with --type) or --mem HEX".into(),
            ))
        }
        (Some(_), Some(_), _) => {
            return Err(CliError::Usage(
                "--packet and --mem cannot be used together".into(),
            ))
        }
    };
    Ok(VmArgs {
        file: o.common.file,
        section: o.common.section,
        map_flags: o.common.maps.len(),
        maps,
        input,
        trace: o.trace,
        unchecked: o.unchecked,
        no_maps: o.no_maps,
    })
}

/// The program of object `bytes` that `--section` names (or the only one), with its maps, and
/// the object's global data.
fn object_program(
    bytes: &[u8],
    file: &str,
    section: Option<&str>,
) -> Result<(ProgramSpec, Vec<elf::GlobalData>), CliError> {
    let (section, function) = crate::elf_cmds::object_choice(bytes, file, section, None)?;
    let obj = elf::read_object(bytes)
        .map_err(|e| CliError::Io(format!("{file}: not a valid eBPF ELF object: {e}")))?;
    let data = obj.data;
    obj.programs
        .into_iter()
        .find(|p| p.section == section && p.function == function)
        .map(|p| (p.spec, data))
        .ok_or_else(|| CliError::Io(format!("{file}: no program `{function}` in `{section}`")))
}

/// `run FILE --vm ...`: runs the program (assembled from FILE, or read from the ELF object
/// FILE) once in the VM and prints `r0 = 0x...`, for a packet the action, the output packet
/// and the redirect, then the maps' contents (unless `--no-maps`). A program that fails to
/// assemble or faults in the VM (an out-of-bounds access, ...) is reported on stderr with exit
/// status 1.
pub fn run_vm(args: VmArgs) -> Result<ExitCode, CliError> {
    let VmArgs {
        file,
        section,
        mut maps,
        map_flags,
        input,
        trace,
        unchecked,
        no_maps,
    } = args;
    let out = CliOutput { trace, no_maps };
    let name = if file == "-" { "<stdin>" } else { &file };
    let run = match crate::elf_cmds::read_object_file(&file) {
        Some(bytes) => {
            if map_flags > 0 {
                return Err(CliError::Usage(format!(
                    "--map is for assembly source; {file} is an ELF object, which declares its \
                     maps"
                )));
            }
            if unchecked {
                return Err(CliError::Usage(format!(
                    "--unchecked is for assembly source; {file} is an ELF object"
                )));
            }
            let (spec, data) = object_program(&bytes, &file, section.as_deref())?;
            let input = match input {
                Input::Mem(m) => CliInput::Mem(m),
                Input::Packet(t, bytes) => CliInput::Packet {
                    prog_type: packet_type(t.unwrap_or(spec.prog_type))?,
                    bytes,
                },
            };
            run_spec(name, &spec, &data, &input, out)
        }
        None => {
            if let Some(s) = &section {
                return Err(CliError::Usage(format!(
                    "--section {s} is for ELF objects; {file} is assembly source"
                )));
            }
            let input = match input {
                Input::Mem(m) => CliInput::Mem(m),
                Input::Packet(Some(t), bytes) => CliInput::Packet {
                    prog_type: t,
                    bytes,
                },
                Input::Packet(None, _) => {
                    return Err(CliError::Usage(
                        "--type is required with --packet (e.g. --type xdp)".into(),
                    ))
                }
            };
            let src = read_source(&file)?;
            maps.add_from_source(&src)?;
            run_text(name, &src, &maps.program_specs(), &input, unchecked, out)
        }
    };
    match run {
        Ok(text) => {
            crate::out::stdout_fmt(format_args!("{text}"))?;
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            errln!("{}", e.trim_end());
            if e.contains("undeclared map") {
                errln!("(declare it with --map NAME:TYPE:KEY_SIZE:VALUE_SIZE[:MAX_ENTRIES])");
            }
            Ok(ExitCode::from(1))
        }
    }
}
