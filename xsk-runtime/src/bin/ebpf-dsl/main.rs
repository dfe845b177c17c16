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
//! `fn(&[String]) -> Result<ExitCode, CliError>` in its own module; add a match arm in
//! [`dispatch`] and a line in [`USAGE`].

use std::process::ExitCode;

mod asm_cmds;
mod disasm_cmd;
mod kernel_cmds;
mod map_arg;

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
        same bytes. Invalid instructions are reported with their slot index (exit status 1).
  load FILE [--type T] [--map NAME:TYPE:KEY:VALUE[:ENTRIES]]... [--log] [--verbose]
        assemble FILE and load it into the running kernel (needs root, or CAP_BPF +
        CAP_NET_ADMIN); print the verifier's verdict, and its log on rejection (always with
        --log; every instruction's state with --verbose). T defaults to xdp. Maps the program
        names (`r1 = xsks ll`) are created from --map, e.g. --map xsks:xskmap:4:4:64.
        Exit status 1 if the verifier rejects the program.
  run FILE --type T --packet HEX [--repeat N] [--map ...]...
        load FILE and run it in the kernel on the packet HEX (BPF_PROG_TEST_RUN, at least 14
        bytes for xdp); print the action, the output packet in hex and the kernel's ns per
        run averaged over N runs (default 1).
  help  this text.

exit status: 0 success, 1 errors in the program, 2 bad usage or I/O failure.
";

/// Why a subcommand failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments: printed with a pointer to `--help`, exit status 2.
    Usage(String),
    /// An I/O failure (reading the input, writing the output): exit status 2.
    Io(String),
}

/// Runs the subcommand named by `args[0]`.
fn dispatch(args: &[String]) -> Result<ExitCode, CliError> {
    let Some(cmd) = args.first() else {
        return Err(CliError::Usage("no command given".into()));
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "asm" => asm_cmds::asm(rest),
        "check" => asm_cmds::check(rest),
        "disasm" => disasm_cmd::disasm(rest),
        "load" => kernel_cmds::load(rest),
        "run" => kernel_cmds::run(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(CliError::Usage(format!("unknown command `{other}`"))),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(code) => code,
        Err(CliError::Usage(msg)) => {
            eprintln!("ebpf-dsl: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(CliError::Io(msg)) => {
            eprintln!("ebpf-dsl: {msg}");
            ExitCode::from(2)
        }
    }
}
