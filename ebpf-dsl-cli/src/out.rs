//! All output of the CLI goes through here, so that a closed stdout (`ebpf-dsl disasm p.bin |
//! head`) or stderr never panics (`println!` does): [`outln!`] returns
//! [`CliError::BrokenPipe`] (a quiet exit with status 2) or [`CliError::Io`], and [`errln!`]
//! drops what cannot be written to stderr.

use std::fmt;
use std::io::Write;

use crate::CliError;

/// Writes `args` to stdout and flushes. A closed pipe is [`CliError::BrokenPipe`].
pub fn stdout_fmt(args: fmt::Arguments<'_>) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// Writes `bytes` to stdout and flushes. A closed pipe is [`CliError::BrokenPipe`].
pub fn stdout_bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// Writes `args` to stderr, ignoring failures (there is nowhere left to report them).
pub fn stderr_fmt(args: fmt::Arguments<'_>) {
    let _ = std::io::stderr().lock().write_fmt(args);
}

fn write_error(e: std::io::Error) -> CliError {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        CliError::BrokenPipe
    } else {
        CliError::Io(format!("cannot write to stdout: {e}"))
    }
}

/// `println!` that returns `Err(CliError)` instead of panicking: use with `?`.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::stdout_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::stderr_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {errln, outln};
