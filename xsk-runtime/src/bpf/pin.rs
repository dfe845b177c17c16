//! Pinning maps and programs to a bpf filesystem (bpffs), so they outlive the process, and
//! opening pinned ones (`BPF_OBJ_PIN` / `BPF_OBJ_GET`, kernel 4.4).
//!
//! Pins live under a bpffs mount, by convention `/sys/fs/bpf`; [`ensure_bpffs`] mounts one
//! there (or anywhere) if it is missing. A pin is a file: remove it with [`unpin`] (or `rm`),
//! and the object goes away once nothing else holds it.

use std::path::Path;

use crate::bpf::maps::Map;
use crate::bpf::program::Program;
use crate::error::{Error, Result};
use crate::sys::{self, bpf as sysbpf};

/// The conventional bpffs mount point.
pub const DEFAULT_BPFFS: &str = "/sys/fs/bpf";

/// Makes sure `dir` is on a bpffs: creates the directory and mounts a bpffs on it if it is not
/// (needs CAP_SYS_ADMIN). Returns `true` if it mounted one.
pub fn ensure_bpffs(dir: &Path) -> Result<bool> {
    if dir.exists() && sys::is_bpffs(dir)? {
        return Ok(false);
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::io_hint(
            "mkdir",
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("could not create {}", dir.display()),
        )
    })?;
    if sys::is_bpffs(dir)? {
        return Ok(false);
    }
    sys::mount_bpffs(dir)?;
    Ok(true)
}

fn pin_hint(path: &Path, errno: i32) -> Error {
    let hint = match errno {
        libc::EPERM => format!(
            "{} is not on a bpf filesystem (mount one: mount -t bpf bpf /sys/fs/bpf, or call \
             ensure_bpffs), or you lack CAP_BPF",
            path.display()
        ),
        libc::EEXIST => format!("{} exists already; unpin it first", path.display()),
        libc::ENOENT => format!(
            "{} or its directory does not exist (directories in bpffs are made with mkdir)",
            path.display()
        ),
        _ => format!("path {}", path.display()),
    };
    Error::io_hint("BPF_OBJ_PIN", errno, hint)
}

fn get_hint(path: &Path, errno: i32) -> Error {
    let hint = match errno {
        libc::ENOENT => format!("nothing is pinned at {}", path.display()),
        libc::EINVAL | libc::EPERM => {
            format!("{} is not a pin on a bpf filesystem", path.display())
        }
        _ => format!("path {}", path.display()),
    };
    Error::io_hint("BPF_OBJ_GET", errno, hint)
}

fn pin_fd(fd: std::os::fd::BorrowedFd<'_>, path: &Path) -> Result<()> {
    let c = sys::path_cstring(path)?;
    sysbpf::obj_pin(fd, &c).map_err(|e| pin_hint(path, e))
}

fn get_fd(path: &Path) -> Result<std::os::fd::OwnedFd> {
    let c = sys::path_cstring(path)?;
    sysbpf::obj_get(&c, 0).map_err(|e| get_hint(path, e))
}

/// Removes the pin at `path` (the object lives on while something else holds it).
pub fn unpin(path: &Path) -> Result<()> {
    std::fs::remove_file(path).map_err(|e| {
        Error::io_hint(
            "unlink",
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("could not remove the pin {}", path.display()),
        )
    })
}

impl Map {
    /// Pins the map at `path` (on a bpffs).
    pub fn pin(&self, path: impl AsRef<Path>) -> Result<()> {
        pin_fd(self.fd(), path.as_ref())
    }

    /// Opens the map pinned at `path`.
    pub fn from_pinned(path: impl AsRef<Path>) -> Result<Map> {
        Map::from_fd(get_fd(path.as_ref())?)
    }
}

impl Program {
    /// Pins the program at `path` (on a bpffs).
    pub fn pin(&self, path: impl AsRef<Path>) -> Result<()> {
        pin_fd(self.fd(), path.as_ref())
    }

    /// Opens the program pinned at `path`.
    pub fn from_pinned(path: impl AsRef<Path>) -> Result<Program> {
        Program::from_fd(get_fd(path.as_ref())?)
    }
}
