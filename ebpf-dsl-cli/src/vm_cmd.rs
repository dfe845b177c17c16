//! `run --vm`: the program runs in `ebpf_dsl::vm`, ebpf-dsl's own interpreter, without root and
//! without touching the kernel.
//!
//! ```text
//! ebpf-dsl run prog.s --vm --type xdp --packet HEX [--trace] [--map ...]...
//! ebpf-dsl run prog.s --vm --mem HEX [--trace] [--unchecked] [--map ...]...
//! ```

use std::process::ExitCode;

use ebpf_dsl::vm::cli::{run_cli, run_cli_unchecked, CliInput};
use ebpf_dsl::ProgramType;

use crate::asm_cmds::read_source;
use crate::map_arg::MapArgs;
use crate::out::errln;
use crate::CliError;

/// The arguments of `run --vm`.
#[derive(Debug)]
pub struct VmArgs {
    file: String,
    maps: MapArgs,
    input: CliInput,
    trace: bool,
    unchecked: bool,
}

/// Builds the arguments of `run FILE --vm (--type T --packet HEX | --mem HEX) [--trace]
/// [--map ...]`.
pub fn parse_run_vm(o: crate::cli::RunOpts) -> Result<VmArgs, CliError> {
    if let Some(s) = &o.common.section {
        return Err(CliError::Usage(format!(
            "--section {s} is for ELF objects; --vm runs assembly source (`ebpf-dsl disasm` \
             an object to get it)"
        )));
    }
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
        (Some(p), None, Some(t)) => {
            if !matches!(
                t,
                ProgramType::Xdp
                    | ProgramType::SchedCls
                    | ProgramType::SchedAct
                    | ProgramType::SocketFilter
            ) {
                return Err(CliError::Usage(format!(
                    "--vm runs xdp, sched_cls, sched_act and socket_filter programs on a \
                     packet, not {t}"
                )));
            }
            CliInput::Packet {
                prog_type: t,
                bytes: p.0,
            }
        }
        (Some(_), None, None) => {
            return Err(CliError::Usage(
                "--type is required with --packet (e.g. --type xdp)".into(),
            ))
        }
        (None, Some(m), None) => CliInput::Mem(m.0),
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
        maps,
        input,
        trace: o.trace,
        unchecked: o.unchecked,
    })
}

/// `run FILE --vm ...`: assembles FILE, runs it once in the VM and prints `r0 = 0x...` (and
/// for a packet the action, the output packet and the redirect). A program that fails to
/// assemble or faults in the VM (an out-of-bounds access, ...) is reported on stderr with exit
/// status 1.
pub fn run_vm(args: VmArgs) -> Result<ExitCode, CliError> {
    let VmArgs {
        file,
        mut maps,
        input,
        trace,
        unchecked,
    } = args;
    if file != "-" {
        if let Ok(bytes) = std::fs::read(&file) {
            if crate::elf_cmds::is_elf(&bytes) {
                return Err(CliError::Io(format!(
                    "{file} is an ELF object; run --vm takes assembly source (`ebpf-dsl disasm \
                     {file}` prints it, with its maps as `.map` lines)"
                )));
            }
        }
    }
    let src = read_source(&file)?;
    maps.add_from_source(&src)?;
    let name = if file == "-" { "<stdin>" } else { &file };
    let run = if unchecked {
        run_cli_unchecked
    } else {
        run_cli
    };
    match run(name, &src, &maps.program_specs(), &input, trace) {
        Ok(out) => {
            crate::out::stdout_fmt(format_args!("{out}"))?;
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
