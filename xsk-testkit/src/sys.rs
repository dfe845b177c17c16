//! The few system calls the sandbox needs, through `nix` (no `unsafe` in the test kit), with
//! the runtime's error type.

use std::os::fd::{BorrowedFd, OwnedFd};
use std::path::Path;

use nix::sched::{setns, CloneFlags};
use xsk_runtime::{Error, Result};

/// The index of interface `name` in the calling thread's network namespace.
pub fn if_nametoindex(name: &str) -> Result<u32> {
    if name.is_empty() || name.len() >= libc::IF_NAMESIZE {
        return Err(Error::UnknownInterface { name: name.into() });
    }
    nix::net::if_::if_nametoindex(name).map_err(|_| Error::UnknownInterface { name: name.into() })
}

/// The effective user id.
pub fn geteuid() -> u32 {
    nix::unistd::geteuid().as_raw()
}

/// Opens `path` read-only with `O_CLOEXEC` (used for `/run/netns/*`).
pub fn open_readonly(path: &Path) -> Result<OwnedFd> {
    let f = std::fs::File::open(path).map_err(|e| {
        Error::io_hint(
            "open",
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("could not open {}", path.display()),
        )
    })?;
    Ok(OwnedFd::from(f))
}

/// `setns(fd, CLONE_NEWNET)`: moves the calling thread into the network namespace `fd` refers to.
pub fn setns_net(fd: BorrowedFd<'_>) -> Result<()> {
    setns(fd, CloneFlags::CLONE_NEWNET).map_err(|e| Error::io("setns(CLONE_NEWNET)", e as i32))
}

/// A new descriptor (`F_DUPFD_CLOEXEC`) for the same open file.
pub fn dup(fd: BorrowedFd<'_>) -> Result<OwnedFd> {
    fd.try_clone_to_owned().map_err(|e| {
        Error::io(
            "fcntl(F_DUPFD_CLOEXEC)",
            e.raw_os_error().unwrap_or(libc::EIO),
        )
    })
}
