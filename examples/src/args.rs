//! Command-line parsing for the examples with `clap` (derive): each program declares its
//! options as a struct; [`parse`] reads the process's arguments into it and turns `--help` into
//! [`Error::Help`] (exit status 0) and a bad command line into [`Error::Usage`] (exit status 2).
//! The value parsers below check durations and MAC addresses.

use std::time::Duration;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};

use crate::error::{Error, Result};

/// Parses the process's arguments into `T` (a `#[derive(Parser)]` struct).
pub fn parse<T: CommandFactory + FromArgMatches>() -> Result<T> {
    parse_from(T::command(), std::env::args_os())
}

/// Parses `args` (program name first) with `cmd` (a derived command, perhaps renamed) into `T`.
pub fn parse_from<T: FromArgMatches>(
    cmd: clap::Command,
    args: impl IntoIterator<Item = impl Into<std::ffi::OsString> + Clone>,
) -> Result<T> {
    let name = cmd.get_name().to_owned();
    cmd.try_get_matches_from(args)
        .and_then(|m| T::from_arg_matches(&m))
        .map_err(|e| usage_error(&name, &e))
}

/// A clap error as the examples' error: help and version texts, or one line saying what is
/// wrong (`unknown option --x for NAME` for an unknown option).
fn usage_error(name: &str, e: &clap::Error) -> Error {
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        return Error::Help(e.render().to_string());
    }
    if e.kind() == ErrorKind::UnknownArgument {
        if let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) {
            return Error::Usage(format!("unknown option {arg} for {name}"));
        }
    }
    let text = e.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    let first = text.split("\n\n").next().unwrap_or(text).trim_end();
    Error::Usage(first.to_owned())
}

/// A duration in seconds (`2.5`), at least 0 and at most a day.
pub fn seconds(v: &str) -> std::result::Result<Duration, String> {
    let s: f64 = v.parse().map_err(|e| format!("bad value `{v}`: {e}"))?;
    if s.is_finite() && (0.0..=86400.0).contains(&s) {
        Ok(Duration::from_secs_f64(s))
    } else {
        Err(format!("must be between 0 and 86400 seconds, got {s}"))
    }
}

/// A MAC address like `02:00:00:00:00:01`.
pub fn mac(v: &str) -> std::result::Result<[u8; 6], String> {
    crate::packet::parse_mac(v)
        .ok_or_else(|| format!("`{v}` is not a MAC address like 02:00:00:00:00:01"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// A program with a value, a default and a flag, as the examples have them.
    #[derive(Debug, Parser)]
    #[command(name = "t", about = "test")]
    struct T {
        #[arg(short, long, value_name = "NAME")]
        iface: Option<String>,
        #[arg(long, value_name = "N", default_value = "64")]
        batch: u32,
        #[arg(long)]
        poll: bool,
        #[arg(long, value_name = "SECS", default_value = "10", value_parser = seconds)]
        duration: Duration,
    }

    fn p(s: &[&str]) -> Result<T> {
        parse_from(T::command(), std::iter::once("t").chain(s.iter().copied()))
    }

    #[test]
    fn parses_forms_and_defaults() {
        let a = p(&["-i", "eth0", "--poll"]).unwrap();
        assert_eq!(a.iface.as_deref(), Some("eth0"));
        assert_eq!(a.batch, 64);
        assert!(a.poll);
        assert_eq!(a.duration, Duration::from_secs(10));
        let a = p(&["--batch=8", "--duration", "0.5"]).unwrap();
        assert_eq!(a.batch, 8);
        assert_eq!(a.iface, None);
        assert!(!a.poll);
        assert_eq!(a.duration, Duration::from_millis(500));
    }

    #[test]
    fn errors() {
        assert!(
            matches!(p(&["--nope"]), Err(Error::Usage(m)) if m == "unknown option --nope for t")
        );
        assert!(matches!(p(&["--iface"]), Err(Error::Usage(_))));
        assert!(matches!(p(&["--poll=1"]), Err(Error::Usage(_))));
        assert!(matches!(p(&["stray"]), Err(Error::Usage(_))));
        assert!(matches!(p(&["--help"]), Err(Error::Help(h)) if h.contains("Usage: t")));
        assert!(matches!(p(&["--batch", "x"]), Err(Error::Usage(_))));
        assert!(matches!(p(&["--duration", "-1"]), Err(Error::Usage(_))));
        assert!(matches!(p(&["--duration", "1e9"]), Err(Error::Usage(_))));
        assert_eq!(mac("02:00:00:00:00:01"), Ok([2, 0, 0, 0, 0, 1]));
        assert!(mac("02:00").is_err());
    }
}
