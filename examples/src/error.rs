//! The examples' one error type: what failed, why, and what to do about it.

use std::fmt;

/// Everything an example can fail with. `main` prints it (with its hint) and exits non-zero;
/// nothing panics on user input.
#[derive(Debug)]
pub enum Error {
    /// `--help` was given: the text to print (exit status 0).
    Help(String),
    /// The command line is wrong (exit status 2).
    Usage(String),
    /// The example needs privileges the process does not have.
    NotRoot {
        /// The program's name.
        program: String,
    },
    /// A call into `xsk-runtime` failed; `context` says what the example was doing.
    Runtime {
        /// What the example was doing.
        context: String,
        /// The runtime's error (errno and hint included).
        source: xsk_runtime::Error,
    },
    /// A file or socket operation of the standard library failed.
    Io {
        /// What the example was doing.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// The run finished but did not achieve what it set out to (e.g. the demo's proof failed).
    Failed(String),
}

/// The examples' result type.
pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Help(text) => f.write_str(text),
            Error::Usage(msg) => write!(f, "{msg} (see --help)"),
            Error::NotRoot { program } => write!(
                f,
                "{program} needs root: it creates network namespaces and veth pairs \
                 (CAP_SYS_ADMIN, CAP_NET_ADMIN), loads and attaches XDP programs and opens \
                 AF_XDP sockets (CAP_BPF, CAP_NET_RAW)\n  hint: run it as root, e.g. `sudo {program}`"
            ),
            Error::Runtime { context, source } => write!(f, "{context}: {source}"),
            Error::Io { context, source } => {
                write!(f, "{context}: {source}")?;
                if source.kind() == std::io::ErrorKind::PermissionDenied {
                    f.write_str("\n  hint: check the file's permissions or run as root")?;
                }
                Ok(())
            }
            Error::Failed(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Runtime { source, .. } => Some(source),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<xsk_runtime::Error> for Error {
    fn from(source: xsk_runtime::Error) -> Self {
        Error::Runtime {
            context: "xsk-runtime".into(),
            source,
        }
    }
}

/// Adds what the example was doing to an error.
pub trait Context<T> {
    /// Wraps the error with `what` (e.g. "attaching the XDP program to eth0").
    fn context(self, what: impl Into<String>) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, xsk_runtime::Error> {
    #[inline]
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Runtime {
            context: what.into(),
            source,
        })
    }
}

impl<T> Context<T> for std::result::Result<T, std::io::Error> {
    #[inline]
    fn context(self, what: impl Into<String>) -> Result<T> {
        self.map_err(|source| Error::Io {
            context: what.into(),
            source,
        })
    }
}
