//! The `ebpf-dsl` command-line tool: assemble, check and disassemble eBPF programs written in
//! the LLVM / kernel pseudo-C syntax.
//!
//! ```text
//! cargo run --release --bin ebpf-dsl -- asm prog.s [-o prog.bin] [--unchecked]
//! cargo run --release --bin ebpf-dsl -- check prog.s
//! cargo run --release --bin ebpf-dsl -- disasm prog.bin
//! cargo run --release --bin ebpf-dsl -- load prog.s [--type xdp] [--log]
//! cargo run --release --bin ebpf-dsl -- run prog.s --type xdp --packet 0011..ff [--repeat N]
//! ```
//!
//! It lives in `xsk-runtime` (not `ebpf-dsl`, which has no OS code) so that subcommands that
//! load and run programs in the kernel can join it. Each subcommand is a function
//! argument parser (`parse_*`, into a struct, run by [`parse_args`]) and a function that runs it,
//! in its own module; add a variant to [`Command`], match arms in [`parse_args`] and
//! [`execute`], and a line in [`USAGE`].

use std::process::ExitCode;

mod asm_cmds;
mod disasm_cmd;
mod kernel_cmds;
mod map_arg;
mod out;

use out::errln;

/// The help text.
const USAGE: &str = "\
usage: ebpf-dsl <command> [args]

commands:
  asm FILE [-o OUT] [--unchecked]
        assemble FILE (LLVM/kernel pseudo-C syntax) to raw instruction bytes, 8 bytes a slot,
        little endian. OUT defaults to FILE with the extension .bin; `-o -` writes to stdout.
        FILE `-` reads stdin (and writes to stdout unless -o is given). The structural checks
        run first (as in `check`); --unchecked encodes anything LLVM would encode.
  check FILE [--type T] [--map NAME:TYPE:KEY:VALUE[:ENTRIES]]... [--license L] [--kernel V]
        [--no-verify]
        report every error in FILE with file:line:col: the assembler's structural checks,
        then the static verifier (T defaults to xdp; describe the maps the program names
        with --map so it knows their types and sizes; --kernel 6.12 lets it assume what
        that kernel version adds, default 6.6; --no-verify skips it). Exit status 1
        if there is an error.
  disasm FILE
        print the raw program in FILE (8 bytes a slot, little endian, as `asm` writes it; `-`
        reads stdin) as assembly with labels for jump targets, which `asm` reassembles to the
        same bytes. Invalid instructions, and an empty input, are errors (exit status 1).
  load FILE [--type T] [--map NAME:TYPE:KEY:VALUE[:ENTRIES]]... [--log] [--verbose]
        assemble FILE and load it into the running kernel (needs root, or CAP_BPF +
        CAP_NET_ADMIN); print the verifier's verdict, and its log on rejection (always with
        --log; every instruction's state with --verbose). T defaults to xdp. Maps the program
        names (`r1 = xsks ll`) are created from --map, e.g. --map xsks:xskmap:4:4:64.
        Exit status 1 if the verifier rejects the program.
  run FILE --type T --packet HEX [--repeat N] [--map ...]...
        load FILE and run it in the kernel on the packet HEX (BPF_PROG_TEST_RUN, at least 14
        bytes for xdp); print the action, the output packet in hex and the kernel's ns per
        run averaged over N runs (default 1, at most 100000000).
  help  this text.

At most 100 errors are printed (then `... and N more errors`). A --map NAME longer than 15
characters is truncated for the kernel (as libbpf does), with a warning.

exit status: 0 success, 1 errors in the program, 2 bad usage or I/O failure (also when stdout
is closed by its reader, quietly).
";

/// Why a subcommand failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments: printed with a pointer to `--help`, exit status 2.
    Usage(String),
    /// An I/O failure (reading the input, writing the output): exit status 2.
    Io(String),
    /// Stdout was closed by the reader (`| head`): exit quietly with status 2.
    BrokenPipe,
}

/// A parsed command line: what to do, with every option checked, before anything is read or
/// run (so that argument parsing alone can be tested and fuzzed in-process).
#[derive(Debug)]
pub enum Command {
    /// `asm`.
    Asm(asm_cmds::AsmArgs),
    /// `check`.
    Check(asm_cmds::CheckArgs),
    /// `disasm FILE`.
    Disasm(String),
    /// `load`.
    Load(kernel_cmds::LoadArgs),
    /// `run`.
    Run(kernel_cmds::RunArgs),
    /// `help`.
    Help,
}

/// Parses the command line (without the program name).
pub fn parse_args(args: &[String]) -> Result<Command, CliError> {
    let Some(cmd) = args.first() else {
        return Err(CliError::Usage("no command given".into()));
    };
    let rest = &args[1..];
    Ok(match cmd.as_str() {
        "asm" => Command::Asm(asm_cmds::parse_asm(rest)?),
        "check" => Command::Check(asm_cmds::parse_check(rest)?),
        "disasm" => Command::Disasm(disasm_cmd::parse_disasm(rest)?),
        "load" => Command::Load(kernel_cmds::parse_load(rest)?),
        "run" => Command::Run(kernel_cmds::parse_run(rest)?),
        "help" | "-h" | "--help" => Command::Help,
        other => return Err(CliError::Usage(format!("unknown command `{other}`"))),
    })
}

/// Runs a parsed command.
fn execute(cmd: Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Asm(a) => asm_cmds::asm(a),
        Command::Check(a) => asm_cmds::check(a),
        Command::Disasm(f) => disasm_cmd::disasm(&f),
        Command::Load(a) => kernel_cmds::load(a),
        Command::Run(a) => kernel_cmds::run(a),
        Command::Help => {
            out::stdout_fmt(format_args!("{USAGE}"))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The arguments as UTF-8 strings (`std::env::args` would panic on others).
fn utf8_args() -> Result<Vec<String>, CliError> {
    std::env::args_os()
        .skip(1)
        .map(|a| {
            a.into_string().map_err(|a| {
                CliError::Usage(format!(
                    "argument {} is not valid UTF-8",
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

fn main() -> ExitCode {
    match utf8_args()
        .and_then(|args| parse_args(&args))
        .and_then(execute)
    {
        Ok(code) => code,
        Err(CliError::Usage(msg)) => {
            errln!("ebpf-dsl: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(CliError::Io(msg)) => {
            errln!("ebpf-dsl: {msg}");
            ExitCode::from(2)
        }
        Err(CliError::BrokenPipe) => ExitCode::from(2),
    }
}

#[cfg(test)]
mod fuzz_args;
