//! A small command-line parser for the examples: `--long VALUE`, `--long=VALUE`, `-s VALUE`,
//! flags, defaults, and a generated `--help`.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::error::{Error, Result};

#[derive(Debug, Clone)]
struct Opt {
    long: &'static str,
    short: Option<char>,
    /// The value's placeholder (`NAME`, `SECS`); `None` for a flag.
    metavar: Option<&'static str>,
    help: &'static str,
    default: Option<String>,
}

/// The options a program takes; [`Cli::parse`] turns `argv` into [`Args`].
#[derive(Debug, Clone)]
pub struct Cli {
    name: &'static str,
    about: &'static str,
    usage_notes: Vec<&'static str>,
    opts: Vec<Opt>,
}

impl Cli {
    /// A program called `name`, described by `about` (first line of `--help`).
    pub fn new(name: &'static str, about: &'static str) -> Cli {
        Cli {
            name,
            about,
            usage_notes: Vec::new(),
            opts: Vec::new(),
        }
    }

    /// An option with a value; `default` is used when it is not given (`None`: optional).
    pub fn opt(
        mut self,
        long: &'static str,
        short: Option<char>,
        metavar: &'static str,
        default: Option<&str>,
        help: &'static str,
    ) -> Cli {
        self.opts.push(Opt {
            long,
            short,
            metavar: Some(metavar),
            help,
            default: default.map(str::to_owned),
        });
        self
    }

    /// A flag (no value).
    pub fn flag(mut self, long: &'static str, short: Option<char>, help: &'static str) -> Cli {
        self.opts.push(Opt {
            long,
            short,
            metavar: None,
            help,
            default: None,
        });
        self
    }

    /// A paragraph printed after the options in `--help` (examples, notes).
    pub fn note(mut self, text: &'static str) -> Cli {
        self.usage_notes.push(text);
        self
    }

    /// The `--help` text.
    pub fn help(&self) -> String {
        let mut s = format!(
            "{} — {}\n\nUsage: {} [OPTIONS]\n\nOptions:\n",
            self.name, self.about, self.name
        );
        let mut rows = Vec::new();
        for o in &self.opts {
            let mut left = String::from("  ");
            match o.short {
                Some(c) => left.push_str(&format!("-{c}, ")),
                None => left.push_str("    "),
            }
            left.push_str("--");
            left.push_str(o.long);
            if let Some(m) = o.metavar {
                left.push(' ');
                left.push_str(m);
            }
            let mut right = o.help.to_string();
            if let Some(d) = &o.default {
                right.push_str(&format!(" [default: {d}]"));
            }
            rows.push((left, right));
        }
        rows.push(("      --help".into(), "Print this help".into()));
        let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0) + 2;
        for (l, r) in rows {
            s.push_str(&format!("{l:width$}{r}\n"));
        }
        for n in &self.usage_notes {
            s.push('\n');
            s.push_str(n);
            s.push('\n');
        }
        s
    }

    /// Parses the process's arguments.
    pub fn parse_env(&self) -> Result<Args> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        self.parse(&args)
    }

    /// Parses `args` (without the program name). `--help`/`-h` gives [`Error::Help`].
    pub fn parse(&self, args: &[String]) -> Result<Args> {
        let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
        let mut flags = Vec::new();
        let mut i = 0;
        while i < args.len() {
            let a = &args[i];
            i += 1;
            if a == "--help" || a == "-h" {
                return Err(Error::Help(self.help()));
            }
            let (opt, inline) = if let Some(rest) = a.strip_prefix("--") {
                let (name, inline) = match rest.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (rest, None),
                };
                let o = self.opts.iter().find(|o| o.long == name).ok_or_else(|| {
                    Error::Usage(format!("unknown option --{name} for {}", self.name))
                })?;
                (o, inline)
            } else if let Some(rest) = a.strip_prefix('-').filter(|r| r.chars().count() == 1) {
                let c = rest.chars().next().unwrap_or('-');
                let o = self
                    .opts
                    .iter()
                    .find(|o| o.short == Some(c))
                    .ok_or_else(|| {
                        Error::Usage(format!("unknown option -{c} for {}", self.name))
                    })?;
                (o, None)
            } else {
                return Err(Error::Usage(format!(
                    "unexpected argument `{a}` for {} (options start with --)",
                    self.name
                )));
            };
            match opt.metavar {
                None => {
                    if inline.is_some() {
                        return Err(Error::Usage(format!("--{} takes no value", opt.long)));
                    }
                    flags.push(opt.long);
                }
                Some(m) => {
                    let v = match inline {
                        Some(v) => v,
                        None => {
                            let v = args.get(i).cloned().ok_or_else(|| {
                                Error::Usage(format!("--{} needs a value ({m})", opt.long))
                            })?;
                            i += 1;
                            v
                        }
                    };
                    values.insert(opt.long, v);
                }
            }
        }
        for o in &self.opts {
            if let (Some(d), false) = (&o.default, values.contains_key(o.long)) {
                values.insert(o.long, d.clone());
            }
        }
        Ok(Args {
            values,
            given: flags,
        })
    }
}

/// Parsed arguments.
#[derive(Debug, Clone, Default)]
pub struct Args {
    values: BTreeMap<&'static str, String>,
    given: Vec<&'static str>,
}

impl Args {
    /// True if flag `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.given.contains(&name)
    }

    /// The value of `--name` (given or default) as text.
    pub fn str(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// The value of `--name` parsed as `T`, if given or defaulted.
    pub fn get<T: FromStr>(&self, name: &str) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        match self.values.get(name) {
            None => Ok(None),
            Some(v) => v
                .parse::<T>()
                .map(Some)
                .map_err(|e| Error::Usage(format!("bad value `{v}` for --{name}: {e}"))),
        }
    }

    /// The value of `--name` parsed as `T`; an error if it has neither a value nor a default.
    pub fn req<T: FromStr>(&self, name: &str) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        self.get(name)?
            .ok_or_else(|| Error::Usage(format!("--{name} is required")))
    }

    /// A duration in seconds (`--name 2.5`), at least 0 and at most a day.
    pub fn seconds(&self, name: &str) -> Result<Option<std::time::Duration>> {
        match self.get::<f64>(name)? {
            None => Ok(None),
            Some(s) if s.is_finite() && (0.0..=86400.0).contains(&s) => {
                Ok(Some(std::time::Duration::from_secs_f64(s)))
            }
            Some(s) => Err(Error::Usage(format!(
                "--{name} must be between 0 and 86400 seconds, got {s}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli() -> Cli {
        Cli::new("t", "test")
            .opt("iface", Some('i'), "NAME", None, "interface")
            .opt("batch", None, "N", Some("64"), "batch")
            .flag("poll", None, "poll")
    }

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_forms_and_defaults() {
        let a = cli().parse(&v(&["-i", "eth0", "--poll"])).unwrap();
        assert_eq!(a.str("iface"), Some("eth0"));
        assert_eq!(a.req::<u32>("batch").unwrap(), 64);
        assert!(a.flag("poll"));
        let a = cli().parse(&v(&["--batch=8"])).unwrap();
        assert_eq!(a.req::<u32>("batch").unwrap(), 8);
        assert_eq!(a.str("iface"), None);
        assert!(!a.flag("poll"));
    }

    #[test]
    fn errors() {
        assert!(matches!(cli().parse(&v(&["--nope"])), Err(Error::Usage(_))));
        assert!(matches!(
            cli().parse(&v(&["--iface"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            cli().parse(&v(&["--poll=1"])),
            Err(Error::Usage(_))
        ));
        assert!(matches!(cli().parse(&v(&["stray"])), Err(Error::Usage(_))));
        assert!(matches!(cli().parse(&v(&["--help"])), Err(Error::Help(_))));
        let a = cli().parse(&v(&["--batch", "x"])).unwrap();
        assert!(matches!(a.req::<u32>("batch"), Err(Error::Usage(_))));
    }
}
