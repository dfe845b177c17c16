//! The one error type of the crate.
//!
//! Every fallible function of `xsk-runtime` returns [`Result<T>`](Result) with this [`Error`].
//! An error says what failed (the operation, e.g. `BPF_MAP_CREATE`), the errno when the kernel
//! gave one, and, where we know one, what to do about it (a hint).
//!
//! # Adding variants
//!
//! The enum is `#[non_exhaustive]`. A failed system call with nothing more to say than the
//! operation, the errno and a hint is an [`Error::Io`]; build it with [`Error::io`] (which picks
//! a generic hint from the errno, e.g. EPERM → capabilities) or [`Error::io_hint`] (with your own
//! hint). Errors that carry more data (a verifier log, a name that was not found) get their own
//! variant.

use std::borrow::Cow;
use std::fmt;

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many lines of a verifier log [`Error::Verifier`]'s `Display` shows (the end of the log,
/// where the verifier says why it gave up).
pub const VERIFIER_LOG_TAIL_LINES: usize = 12;

/// The hint for EPERM/EACCES from `bpf(2)` or from a privileged socket option.
pub const HINT_PRIVILEGES: &str =
    "needs CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN before kernel 5.8), or root; \
     also check /proc/sys/kernel/unprivileged_bpf_disabled and any LSM (SELinux, AppArmor) policy";

/// The hint for EPERM when creating a map or loading a program.
pub const HINT_PRIVILEGES_OR_MEMLOCK: &str =
    "needs CAP_BPF and CAP_NET_ADMIN (CAP_SYS_ADMIN before kernel 5.8), or root; \
     on kernels before 5.11 EPERM also means RLIMIT_MEMLOCK is too low \
     (ulimit -l unlimited, or xsk_runtime::os::remove_memlock_limit())";

/// The hint for an EINVAL when a socket is added to an XSKMAP.
pub const HINT_XSKMAP_UNBOUND: &str =
    "the value of an XSKMAP must be the fd of an AF_XDP socket, and the socket must be bound \
     (XDP bind to an interface and queue) before it is added";

/// The hint for ENOMEM/EPERM on kernels that charge BPF memory to `RLIMIT_MEMLOCK`.
pub const HINT_MEMLOCK: &str =
    "out of memory; kernels before 5.11 charge BPF maps and programs to \
     RLIMIT_MEMLOCK: raise it (ulimit -l unlimited, or xsk_runtime::os::remove_memlock_limit())";

/// The error of every fallible operation in `xsk-runtime`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call (or a kernel request over netlink) failed.
    Io {
        /// What was attempted, in the kernel's words (`BPF_MAP_CREATE`, `setsockopt(XDP_UMEM_REG)`).
        op: &'static str,
        /// The errno the kernel returned (`libc::EPERM`, ...).
        errno: i32,
        /// What to do about it, when we know.
        hint: Option<Cow<'static, str>>,
    },
    /// An operation on a map failed in the kernel.
    MapOp {
        /// The map's name.
        map: String,
        /// The operation (`BPF_MAP_UPDATE_ELEM`, ...).
        op: &'static str,
        /// The errno.
        errno: i32,
        /// What to do about it, when we know.
        hint: Option<Cow<'static, str>>,
    },
    /// Attaching, replacing, detaching or querying an XDP program failed.
    Attach {
        /// The interface (name if known, else `ifindex N`).
        iface: String,
        /// What was attempted (`BPF_LINK_CREATE`, `RTM_SETLINK(IFLA_XDP)`, ...).
        op: &'static str,
        /// The errno.
        errno: i32,
        /// The kernel's own explanation (netlink extended ack), when it sent one.
        kernel_message: Option<String>,
        /// What to do about it, when we know.
        hint: Option<Cow<'static, str>>,
    },
    /// `BPF_PROG_LOAD` was refused; `log` is the verifier's whole log.
    Verifier {
        /// The program's name.
        program: String,
        /// The errno of the load (usually EACCES or EINVAL).
        errno: i32,
        /// The verifier's complete log (may be empty if the kernel wrote none).
        log: String,
        /// True if the log still did not fit in the largest buffer we tried.
        truncated: bool,
    },
    /// No network interface has this name (in the calling thread's network namespace).
    UnknownInterface {
        /// The name that was looked up.
        name: String,
    },
    /// A program's relocation names a map that was not given to the loader.
    UnknownMap {
        /// The program whose relocation failed.
        program: String,
        /// The map symbol the relocation names.
        symbol: String,
        /// The instruction index of the `ld_imm64`.
        insn_index: usize,
    },
    /// A relocation points at an instruction that is not the first slot of an `ld_imm64`.
    BadRelocation {
        /// The program.
        program: String,
        /// The instruction index.
        insn_index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A named object was asked of a loaded collection that does not contain it.
    NotFound {
        /// `"map"` or `"program"`.
        kind: &'static str,
        /// The name asked for.
        name: String,
    },
    /// A map does not have the shape a typed wrapper or an operation needs.
    MapMismatch {
        /// The map's name.
        map: String,
        /// What is wrong, e.g. "value size is 8 bytes, the Rust type has 4".
        reason: String,
    },
    /// An argument is invalid before anything reached the kernel.
    InvalidArgument {
        /// What is wrong and how to fix it.
        reason: Cow<'static, str>,
    },
    /// An initial slot of a prog array or a map of maps (an object's `.values = { [i] = &x }`,
    /// [`ebpf_dsl::spec::MapSlot`]) could not be filled: what it names was not loaded, or the
    /// kernel refused the update (`errno`).
    InitialSlot {
        /// The prog array or map of maps.
        map: String,
        /// The slot.
        index: u32,
        /// What was to go in it (`program `tail_1``, `map `inner``).
        value: String,
        /// The errno of `BPF_MAP_UPDATE_ELEM` when the kernel refused it.
        errno: Option<i32>,
        /// Why, and what to do about it.
        reason: Cow<'static, str>,
    },
    /// The running kernel withholds a helper that a program or a feature needs from programs
    /// of its type, though its release has the helper (a kernel built or patched without it:
    /// the verifier would say "program of this type cannot use helper"). Found by the probe
    /// [`crate::features::unavailable_helpers`] before anything was loaded, e.g. by
    /// [`crate::xsk::metadata::check_rx_metadata_support`]. A load refused for the same
    /// reason is an [`Error::Verifier`] whose [`Error::withheld_helper`] names the helper.
    HelperUnavailable {
        /// What needed the helper: a program's name or a feature (`XDP RX metadata in front
        /// of the packet`).
        needed_by: Cow<'static, str>,
        /// The program type the kernel withholds it from.
        prog_type: ebpf_dsl::ProgramType,
        /// The helper's id (`enum bpf_func_id`; 54 is `bpf_xdp_adjust_meta`).
        helper: u32,
        /// What still works without it, and what to do.
        hint: Cow<'static, str>,
    },
    /// An external command (`ip` from iproute2, used by the `xsk-testkit` sandboxes) failed.
    Command {
        /// The command line.
        command: String,
        /// Its exit status or spawn error, and its stderr.
        detail: String,
    },
}

impl Error {
    /// A failed system call: `op` with `errno`, with a generic hint picked from the errno.
    pub fn io(op: &'static str, errno: i32) -> Error {
        Error::Io {
            op,
            errno,
            hint: generic_hint(op, errno).map(Cow::Borrowed),
        }
    }

    /// A failed system call with a specific hint (falls back to the generic one if `None`).
    pub fn io_hint(op: &'static str, errno: i32, hint: impl Into<Cow<'static, str>>) -> Error {
        Error::Io {
            op,
            errno,
            hint: Some(hint.into()),
        }
    }

    /// A failed system call, with the errno taken from `errno` (the calling thread's last error).
    pub fn last_os(op: &'static str) -> Error {
        Error::io(op, last_errno())
    }

    /// An [`Error::InvalidArgument`].
    pub fn invalid(reason: impl Into<Cow<'static, str>>) -> Error {
        Error::InvalidArgument {
            reason: reason.into(),
        }
    }

    /// The errno, when the error came from the kernel.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Io { errno, .. }
            | Error::MapOp { errno, .. }
            | Error::Attach { errno, .. }
            | Error::Verifier { errno, .. } => Some(*errno),
            Error::InitialSlot { errno, .. } => *errno,
            _ => None,
        }
    }

    /// The hint, when there is one.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Io { hint, .. } | Error::MapOp { hint, .. } | Error::Attach { hint, .. } => {
                hint.as_deref()
            }
            Error::Verifier { log, .. } if refused_helper(log).is_some() => {
                Some(HINT_HELPER_NOT_OFFERED)
            }
            Error::Verifier { errno, .. } if is_perm(*errno) => Some(HINT_PRIVILEGES),
            Error::HelperUnavailable { hint, .. } => Some(hint),
            Error::UnknownInterface { .. } => Some(HINT_UNKNOWN_INTERFACE),
            _ => None,
        }
    }

    /// The helper (its id) the kernel does not offer to the program's type: that of an
    /// [`Error::HelperUnavailable`], or the one an [`Error::Verifier`]'s log names ("program
    /// of this type cannot use helper bpf_xdp_adjust_meta#54" gives 54). `None` for any other
    /// error. Whether the type never has the helper or this kernel withholds it is what
    /// [`crate::features::unavailable_helpers`] tells.
    pub fn withheld_helper(&self) -> Option<u32> {
        match self {
            Error::HelperUnavailable { helper, .. } => Some(*helper),
            Error::Verifier { log, .. } => refused_helper(log),
            _ => None,
        }
    }

    /// The whole verifier log of an [`Error::Verifier`].
    pub fn verifier_log(&self) -> Option<&str> {
        match self {
            Error::Verifier { log, .. } => Some(log),
            _ => None,
        }
    }
}

const HINT_UNKNOWN_INTERFACE: &str =
    "list the interfaces with `ip -br link` (names are per network \
     namespace: `ip netns exec NS ip -br link` inside a namespace)";

/// The hint of a load the verifier refused because the kernel does not offer a helper to the
/// program's type.
pub const HINT_HELPER_NOT_OFFERED: &str =
    "the kernel does not offer this helper to programs of this type: either the type never \
     has it, or this kernel was built or patched without it \
     (xsk_runtime::features::unavailable_helpers(type) lists the helpers the running kernel \
     withholds; `ebpf-dsl check --unavailable-helpers running` judges a program as it will)";

/// The log's words when the kernel does not offer a helper to the program's type.
const CANNOT_USE_HELPER: &str = "program of this type cannot use helper ";

/// The helper id of the last "program of this type cannot use helper NAME#ID" line of `log`.
fn refused_helper(log: &str) -> Option<u32> {
    let line = log.lines().rev().find(|l| l.contains(CANNOT_USE_HELPER))?;
    let (_, named) = line.split_once(CANNOT_USE_HELPER)?;
    let (_, id) = named.trim_end().rsplit_once('#')?;
    id.parse().ok()
}

/// `bpf_xdp_adjust_meta`, or `helper #N` for an id the table does not know.
fn helper_name(id: u32) -> Cow<'static, str> {
    match ebpf_dsl::helpers::helper_by_id(id) {
        Some(h) => Cow::Borrowed(h.name),
        None => Cow::Owned(format!("helper #{id}")),
    }
}

fn is_perm(errno: i32) -> bool {
    errno == libc::EPERM || errno == libc::EACCES
}

/// The calling thread's `errno`.
pub(crate) fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// A hint for an errno that holds whatever the operation was.
pub(crate) fn generic_hint(op: &'static str, errno: i32) -> Option<&'static str> {
    match errno {
        libc::EPERM if op.starts_with("BPF_MAP_CREATE") || op.starts_with("BPF_PROG_LOAD") => {
            Some(HINT_PRIVILEGES_OR_MEMLOCK)
        }
        libc::EPERM => Some(HINT_PRIVILEGES),
        libc::EACCES if !op.starts_with("BPF_PROG_LOAD") => Some(HINT_PRIVILEGES),
        libc::ENOMEM if op.starts_with("BPF_") => Some(HINT_MEMLOCK),
        libc::ENOSYS => {
            Some("the kernel has no bpf(2) support (CONFIG_BPF_SYSCALL) or blocks it (seccomp)")
        }
        libc::E2BIG if op.starts_with("BPF_PROG_LOAD") => Some(
            "the program is too large (over 1,000,000 instructions; 4,096 without CAP_BPF) or \
             sets an attribute this kernel does not know",
        ),
        libc::E2BIG if op.starts_with("BPF_") => {
            Some("the kernel does not know an attribute we set: it is older than the feature needs")
        }
        libc::EBADF => {
            Some("a file descriptor was closed or is not of the kind the operation needs")
        }
        _ => None,
    }
}

/// The symbolic name of an errno (`EPERM`), for messages.
pub fn errno_name(errno: i32) -> &'static str {
    match errno {
        libc::EPERM => "EPERM",
        libc::ENOENT => "ENOENT",
        libc::ESRCH => "ESRCH",
        libc::EINTR => "EINTR",
        libc::EIO => "EIO",
        libc::ENXIO => "ENXIO",
        libc::E2BIG => "E2BIG",
        libc::EBADF => "EBADF",
        libc::EAGAIN => "EAGAIN",
        libc::ENOMEM => "ENOMEM",
        libc::EACCES => "EACCES",
        libc::EFAULT => "EFAULT",
        libc::EBUSY => "EBUSY",
        libc::EEXIST => "EEXIST",
        libc::ENODEV => "ENODEV",
        libc::ENOTDIR => "ENOTDIR",
        libc::EINVAL => "EINVAL",
        libc::ENOSPC => "ENOSPC",
        libc::ERANGE => "ERANGE",
        libc::ENOSYS => "ENOSYS",
        libc::ENOTSUP => "EOPNOTSUPP",
        libc::EAFNOSUPPORT => "EAFNOSUPPORT",
        libc::EADDRINUSE => "EADDRINUSE",
        libc::ENETDOWN => "ENETDOWN",
        libc::ENOTSOCK => "ENOTSOCK",
        libc::EPROTONOSUPPORT => "EPROTONOSUPPORT",
        libc::ENOBUFS => "ENOBUFS",
        libc::ENOTCONN => "ENOTCONN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EMSGSIZE => "EMSGSIZE",
        libc::ENOTUNIQ => "ENOTUNIQ",
        libc::ENOTTY => "ENOTTY",
        _ => "errno",
    }
}

fn write_errno(f: &mut fmt::Formatter<'_>, errno: i32) -> fmt::Result {
    // The kernel's internal ENOTSUPP (524) leaks out of some bpf(2) commands; libc has no text
    // for it ("Unknown error 524").
    if errno == 524 {
        return write!(f, "operation not supported (ENOTSUPP 524)");
    }
    let text = std::io::Error::from_raw_os_error(errno);
    // io::Error's Display ends with " (os error N)"; keep only the text.
    let text = text.to_string();
    let text = text.split(" (os error").next().unwrap_or("");
    write!(f, "{} ({} {})", text, errno_name(errno), errno)
}

/// The last `n` lines of `log` (fewer if it is shorter), without trailing blank lines.
pub fn log_tail(log: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = log.trim_end().lines().collect();
    let start = lines.len().saturating_sub(n);
    lines[start..].to_vec()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { op, errno, hint } => {
                write!(f, "{op} failed: ")?;
                write_errno(f, *errno)?;
                if let Some(h) = hint {
                    write!(f, "; hint: {h}")?;
                }
                Ok(())
            }
            Error::MapOp {
                map,
                op,
                errno,
                hint,
            } => {
                write!(f, "{op} on map `{map}` failed: ")?;
                write_errno(f, *errno)?;
                if let Some(h) = hint {
                    write!(f, "; hint: {h}")?;
                }
                Ok(())
            }
            Error::Attach {
                iface,
                op,
                errno,
                kernel_message,
                hint,
            } => {
                write!(f, "{op} on {iface} failed: ")?;
                write_errno(f, *errno)?;
                if let Some(m) = kernel_message {
                    write!(f, "; the kernel says: {m}")?;
                }
                if let Some(h) = hint {
                    write!(f, "; hint: {h}")?;
                }
                Ok(())
            }
            Error::Verifier {
                program,
                errno,
                log,
                truncated,
            } => {
                write!(f, "the verifier rejected program `{program}`: ")?;
                write_errno(f, *errno)?;
                if is_perm(*errno) && log.trim().is_empty() {
                    write!(f, "; hint: {HINT_PRIVILEGES}")?;
                }
                if let Some(id) = refused_helper(log) {
                    write!(
                        f,
                        "; the kernel does not offer {} (helper #{id}) to programs of this \
                         type; hint: {HINT_HELPER_NOT_OFFERED}",
                        helper_name(id)
                    )?;
                }
                let tail = log_tail(log, VERIFIER_LOG_TAIL_LINES);
                if tail.is_empty() {
                    write!(f, "; the kernel wrote no verifier log")?;
                } else {
                    let total = log.trim_end().lines().count();
                    write!(
                        f,
                        "\nverifier log (last {} of {} lines{}):",
                        tail.len(),
                        total,
                        if *truncated { ", truncated" } else { "" }
                    )?;
                    for line in tail {
                        write!(f, "\n  {line}")?;
                    }
                }
                Ok(())
            }
            Error::UnknownInterface { name } => {
                write!(
                    f,
                    "no network interface named `{name}` in this network namespace; hint: {HINT_UNKNOWN_INTERFACE}"
                )
            }
            Error::UnknownMap {
                program,
                symbol,
                insn_index,
            } => write!(
                f,
                "program `{program}`: instruction {insn_index} references map `{symbol}`, which was not created; \
                 hint: pass its MapSpec to the loader (ProgramSpec.maps lists what a program uses)"
            ),
            Error::BadRelocation {
                program,
                insn_index,
                reason,
            } => write!(
                f,
                "program `{program}`: bad relocation at instruction {insn_index}: {reason}"
            ),
            Error::NotFound { kind, name } => write!(f, "no {kind} named `{name}` was loaded"),
            Error::MapMismatch { map, reason } => write!(f, "map `{map}`: {reason}"),
            Error::InvalidArgument { reason } => write!(f, "invalid argument: {reason}"),
            Error::InitialSlot {
                map,
                index,
                value,
                errno,
                reason,
            } => {
                write!(f, "initial slot [{index}] of map `{map}` ({value}): ")?;
                if let Some(e) = errno {
                    write!(f, "BPF_MAP_UPDATE_ELEM failed: ")?;
                    write_errno(f, *e)?;
                    write!(f, "; ")?;
                }
                write!(f, "{reason}")
            }
            Error::HelperUnavailable {
                needed_by,
                prog_type,
                helper,
                hint,
            } => write!(
                f,
                "{needed_by} needs {} (helper #{helper}), which the running kernel withholds \
                 from {prog_type} programs (built or patched without it; its verifier says \
                 \"program of this type cannot use helper\"); hint: {hint}",
                helper_name(*helper)
            ),
            Error::Command { command, detail } => write!(f, "command `{command}` failed: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> std::io::Error {
        match e.errno() {
            Some(errno) => std::io::Error::new(
                std::io::Error::from_raw_os_error(errno).kind(),
                e.to_string(),
            ),
            None => std::io::Error::other(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eperm_has_capability_hint() {
        let e = Error::io("BPF_MAP_CREATE", libc::EPERM);
        let s = e.to_string();
        assert!(s.starts_with("BPF_MAP_CREATE failed: "), "{s}");
        assert!(s.contains("EPERM 1"), "{s}");
        assert!(s.contains("CAP_BPF and CAP_NET_ADMIN"), "{s}");
        assert_eq!(e.errno(), Some(libc::EPERM));
    }

    #[test]
    fn verifier_display_shows_last_lines_and_keeps_log() {
        let log: String = (0..40).map(|i| format!("line {i}\n")).collect();
        let e = Error::Verifier {
            program: "p".into(),
            errno: libc::EACCES,
            log: log.clone(),
            truncated: false,
        };
        let s = e.to_string();
        assert!(s.contains("line 39"), "{s}");
        assert!(s.contains("line 28"), "{s}");
        assert!(!s.contains("line 27\n"), "{s}");
        assert!(s.contains("last 12 of 40 lines"), "{s}");
        assert_eq!(e.verifier_log(), Some(log.as_str()));
    }

    #[test]
    fn a_helper_the_kernel_does_not_offer_is_named() {
        let log = "16: (85) call bpf_xdp_adjust_meta#54\nprogram of this type cannot use helper \
                   bpf_xdp_adjust_meta#54\nprocessed 17 insns (limit 1000000)\n";
        let e = Error::Verifier {
            program: "xdp_rx_meta".into(),
            errno: libc::EINVAL,
            log: log.into(),
            truncated: false,
        };
        assert_eq!(e.withheld_helper(), Some(54));
        assert_eq!(e.hint(), Some(HINT_HELPER_NOT_OFFERED));
        let s = e.to_string();
        assert!(
            s.contains("does not offer bpf_xdp_adjust_meta (helper #54) to programs of this type"),
            "{s}"
        );
        assert!(s.contains("processed 17 insns"), "{s}");
        let other = Error::Verifier {
            program: "p".into(),
            errno: libc::EINVAL,
            log: "R0 !read_ok\n".into(),
            truncated: false,
        };
        assert_eq!((other.withheld_helper(), other.hint()), (None, None));

        let e = Error::HelperUnavailable {
            needed_by: "XDP RX metadata".into(),
            prog_type: ebpf_dsl::ProgramType::Xdp,
            helper: 54,
            hint: "what still works".into(),
        };
        assert_eq!(
            (e.withheld_helper(), e.hint()),
            (Some(54), Some("what still works"))
        );
        let s = e.to_string();
        assert!(
            s.starts_with("XDP RX metadata needs bpf_xdp_adjust_meta (helper #54), which the running kernel withholds from xdp programs"),
            "{s}"
        );
        assert!(s.ends_with("; hint: what still works"), "{s}");
    }

    #[test]
    fn specific_hint_wins() {
        let e = Error::io_hint("BPF_MAP_UPDATE_ELEM", libc::EINVAL, HINT_XSKMAP_UNBOUND);
        assert!(e.to_string().contains("must be bound"));
    }
}
