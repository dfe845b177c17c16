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
mod unavailable;
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
    /// `features`.
    Features,
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
        cli::Sub::Features => Command::Features,
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
        Command::Features => kernel_cmds::features(),
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

/// mimalloc's `mi_option_purge_delay`: its index in `mi_option_e` (mimalloc.h of mimalloc 2,
/// the "v2" the dependency builds; libmimalloc-sys names no constant for it). Its default is 10.
const MI_OPTION_PURGE_DELAY: i32 = 15;

/// What [`keep_freed_memory`] makes mimalloc's purge delay: a minute, in milliseconds.
const PURGE_DELAY_MS: std::ffi::c_long = 60_000;

// mimalloc's option cells (the static library libmimalloc-sys links in).
extern "C" {
    fn mi_option_get(option: i32) -> std::ffi::c_long;
    fn mi_option_set(option: i32, value: std::ffi::c_long);
}

/// Keeps the heap's freed regions in the process for a minute instead of 10 ms before mimalloc
/// gives them back to the system (`MADV_DONTNEED`, a "purge"). A command runs for
/// milliseconds: with the default, reading an object and decoding the kernel's BTF (tens of
/// ms) let the purges fall inside the verification that follows, and every 4 KB page of a
/// purged region it reuses is a page fault again (50 more in the verification of a small
/// program such as netobserv's flow parsers, a third of its time); the memory goes back at
/// exit all the same. A `MIMALLOC_PURGE_DELAY` in the environment is left as given, and so is
/// a delay that is not the default (another mimalloc, where the index names another option).
fn keep_freed_memory() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: both functions only read or write one of mimalloc's option cells (any index
    // below its `_mi_option_last`, 15 being one; any value): no memory of ours is involved.
    unsafe {
        if mi_option_get(MI_OPTION_PURGE_DELAY) == 10 {
            mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        }
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
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

#[cfg(test)]
mod purge_tests {
    use super::{keep_freed_memory, mi_option_get, MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS};

    #[test]
    fn the_purge_delay_index_names_the_option_whose_default_is_10_ms() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads one of mimalloc's option cells.
        let before = unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert!(before == 10 || before == PURGE_DELAY_MS, "{before}");
        keep_freed_memory();
        // SAFETY: as above.
        assert_eq!(
            unsafe { mi_option_get(MI_OPTION_PURGE_DELAY) },
            PURGE_DELAY_MS
        );
    }
}
