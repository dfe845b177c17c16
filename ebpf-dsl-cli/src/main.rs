//! The `ebpf-dsl` command-line tool: assemble, check and disassemble eBPF programs written in
//! the LLVM / kernel pseudo-C syntax, load them into the kernel and test-run them.
//!
//! ```text
//! cargo run --release --bin ebpf-dsl -- asm prog.s [-o prog.bin] [--unchecked]
//! cargo run --release --bin ebpf-dsl -- check prog.s
//! cargo run --release --bin ebpf-dsl -- disasm prog.bin
//! cargo run --release --bin ebpf-dsl -- load prog.s [--type xdp] [--log]
//! cargo run --release --bin ebpf-dsl -- run prog.s --type xdp --packet 0011..ff [--repeat N]
//! cargo run --release --bin ebpf-dsl -- run prog.s --vm --type xdp --packet 0011..ff [--trace]
//! cargo run --release --bin ebpf-dsl -- attach prog.o --iface eth0 [--multiprog --priority 20]
//! cargo run --release --bin ebpf-dsl -- completions bash
//! ```
//!
//! Its own crate (not `ebpf-dsl`, which has no OS code) on top of `xsk-runtime`, so that
//! subcommands that load and run programs in the kernel can join it. The command line is
//! declared with `clap` in [`cli`] (one struct per subcommand, `--help` from its docs); each
//! subcommand has a function that checks what clap cannot (`parse_*`, into the arguments it
//! runs with) and one that runs it, in its own module. To add one: a variant in [`cli::Sub`]
//! and in [`Command`], and match arms in [`parse_args`] and [`execute`].

use std::fmt;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

mod asm_cmds;
mod attach_cmd;
mod cli;
mod disasm_cmd;
mod elf_cmds;
mod kernel_cmds;
mod map_arg;
mod out;
mod values;
mod vm_cmd;

use out::errln;

/// The binary's heap: mimalloc instead of the C library's malloc. A verification allocates and
/// frees many small blocks (states, paths, dependency snapshots) after reading the ELF object and
/// BTF has left glibc's heap fragmented, where its malloc/free pairs take slow paths
/// (consolidation, unsorted-bin searches); mimalloc's per-size free pages do not, and freeing
/// the explorer at the end costs a third as much. By callgrind, 3 to 8 % fewer instructions in
/// the verification of small programs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(m) | CliError::Io(m) => f.write_str(m),
            CliError::BrokenPipe => f.write_str("stdout was closed by its reader"),
        }
    }
}

/// A parsed command line: what to do, with every option checked, before anything is read or
/// run (so that argument parsing alone can be tested and fuzzed in-process).
#[derive(Debug)]
pub enum Command {
    /// `asm`.
    Asm(asm_cmds::AsmArgs),
    /// `check`.
    Check(asm_cmds::CheckArgs),
    /// `disasm FILE [--section NAME] [--type T] [--btf FILE]`.
    Disasm(
        String,
        Option<String>,
        Option<ebpf_dsl::ProgramType>,
        Option<String>,
    ),
    /// `load`.
    Load(kernel_cmds::LoadArgs),
    /// `run`.
    Run(kernel_cmds::RunArgs),
    /// `attach`.
    Attach(attach_cmd::AttachArgs),
    /// `run --vm`.
    RunVm(vm_cmd::VmArgs),
    /// `completions SHELL`.
    Completions(clap_complete::Shell),
    /// `help`, `--help`, `COMMAND --help`, `--version`: the text to print.
    Help(String),
}

/// Parses the command line (without the program name). Usage errors carry the usage line of
/// the subcommand (`usage: ebpf-dsl ...`).
pub fn parse_args(args: &[String]) -> Result<Command, CliError> {
    let argv = std::iter::once("ebpf-dsl").chain(args.iter().map(String::as_str));
    let sub = args.first().map(String::as_str);
    let parsed = match cli::Cli::try_parse_from(argv) {
        Ok(p) => p,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            return Ok(Command::Help(e.render().to_string()));
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return Err(CliError::Usage(format!(
                "no command given\n\n{}",
                cli::clap_message(&e, sub)
            )));
        }
        Err(e) => return Err(CliError::Usage(cli::clap_message(&e, sub))),
    };
    fn with_usage(sub: &'static str) -> impl Fn(CliError) -> CliError {
        move |e| match e {
            CliError::Usage(m) => CliError::Usage(format!("{m}\n\n{}", cli::usage(Some(sub)))),
            other => other,
        }
    }
    Ok(match parsed.command {
        cli::Sub::Asm(o) => Command::Asm(asm_cmds::parse_asm(o).map_err(with_usage("asm"))?),
        cli::Sub::Check(o) => {
            Command::Check(asm_cmds::parse_check(o).map_err(with_usage("check"))?)
        }
        cli::Sub::Disasm(o) => Command::Disasm(o.file, o.section, o.prog_type, o.btf),
        cli::Sub::Load(o) => Command::Load(kernel_cmds::parse_load(o).map_err(with_usage("load"))?),
        cli::Sub::Run(o) if o.vm => {
            Command::RunVm(vm_cmd::parse_run_vm(o).map_err(with_usage("run"))?)
        }
        cli::Sub::Run(o) => Command::Run(kernel_cmds::parse_run(o).map_err(with_usage("run"))?),
        cli::Sub::Attach(o) => {
            Command::Attach(attach_cmd::parse_attach(o).map_err(with_usage("attach"))?)
        }
        cli::Sub::Completions(o) => Command::Completions(o.shell),
    })
}

/// Runs a parsed command.
fn execute(cmd: Command) -> Result<ExitCode, CliError> {
    match cmd {
        Command::Asm(a) => asm_cmds::asm(a),
        Command::Check(a) => asm_cmds::check(a),
        Command::Disasm(f, s, t, b) => disasm_cmd::disasm(&f, s.as_deref(), t, b.as_deref()),
        Command::Load(a) => kernel_cmds::load(a),
        Command::Run(a) => kernel_cmds::run(a),
        Command::RunVm(a) => vm_cmd::run_vm(a),
        Command::Attach(a) => attach_cmd::attach(a),
        Command::Completions(shell) => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cli::Cli::command(), "ebpf-dsl", &mut script);
            out::stdout_bytes(&script)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Help(text) => {
            out::stdout_fmt(format_args!("{text}"))?;
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
                    "argument {} is not valid UTF-8\n\n{}",
                    a.to_string_lossy(),
                    cli::usage(None)
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
            errln!("ebpf-dsl: {msg}");
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
