//! libxdp's state in bpffs: `<bpffs>/xdp/dispatch-<ifindex>-<dispatcher id>/prog<N>-link` and
//! `.../prog<N>-prog` pins, and the `flock(LOCK_EX)` on `<bpffs>/xdp` that makes the pins of
//! one dispatcher appear and disappear as a whole. `<bpffs>` is `$LIBXDP_BPFFS` when set, else
//! `/sys/fs/bpf`; like libxdp, a missing bpffs is mounted only when
//! `LIBXDP_BPFFS_AUTOMOUNT=1`.

use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use crate::bpf::pin::ensure_bpffs;
use crate::bpf::program::Program;
use crate::error::{Error, Result};
use crate::sys;

/// libxdp's environment variable naming the bpffs to use.
pub const BPFFS_ENV: &str = "LIBXDP_BPFFS";
/// libxdp's environment variable allowing it to mount a bpffs there (`1`).
pub const BPFFS_AUTOMOUNT_ENV: &str = "LIBXDP_BPFFS_AUTOMOUNT";

/// The `xdp` state directory (created if missing).
pub fn state_dir() -> Result<PathBuf> {
    let root = std::env::var_os(BPFFS_ENV)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(crate::bpf::pin::DEFAULT_BPFFS));
    let automount = std::env::var(BPFFS_AUTOMOUNT_ENV).is_ok_and(|v| v == "1");
    let is_bpffs = root.exists() && sys::is_bpffs(&root)?;
    if !is_bpffs {
        if automount {
            ensure_bpffs(&root)?;
        } else {
            return Err(Error::invalid(format!(
                "no bpffs at {} (multi-program XDP pins its dispatcher there, as libxdp does): \
                 mount one (mount -t bpf bpf {0}), set {BPFFS_ENV} to a bpffs, or set \
                 {BPFFS_AUTOMOUNT_ENV}=1",
                root.display()
            )));
        }
    }
    let dir = root.join("xdp");
    match std::fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => {
            return Err(Error::io_hint(
                "mkdir",
                e.raw_os_error().unwrap_or(libc::EIO),
                format!("could not create {}", dir.display()),
            ))
        }
    }
    Ok(dir)
}

/// The exclusive lock on the state directory, held until dropped.
#[derive(Debug)]
pub struct Lock(#[allow(dead_code)] OwnedFd);

/// Takes the lock (waits for it).
pub fn lock(dir: &Path) -> Result<Lock> {
    let fd = sys::open_readonly(dir)?;
    sys::ext::flock_exclusive(fd.as_fd())
        .map_err(|e| Error::io_hint("flock", e, format!("locking {}", dir.display())))?;
    Ok(Lock(fd))
}

/// `dispatch-<ifindex>-<dispatcher id>`.
pub fn dispatcher_dir(dir: &Path, ifindex: u32, dispatcher_id: u32) -> PathBuf {
    dir.join(format!("dispatch-{ifindex}-{dispatcher_id}"))
}

/// Pins each slot's link and program (`prog<N>-link`, `prog<N>-prog`) under `pin_dir`; on
/// failure removes what it made. Call with the lock held.
pub fn pin_all(pin_dir: &Path, slots: &[(&OwnedFd, &Program)]) -> Result<()> {
    std::fs::create_dir(pin_dir).map_err(|e| {
        Error::io_hint(
            "mkdir",
            e.raw_os_error().unwrap_or(libc::EIO),
            format!("could not create {}", pin_dir.display()),
        )
    })?;
    let pin = |fd: std::os::fd::BorrowedFd<'_>, p: &Path| -> Result<()> {
        let c = sys::path_cstring(p)?;
        sys::bpf::obj_pin(fd, &c)
            .map_err(|e| Error::io_hint("BPF_OBJ_PIN", e, format!("pinning {}", p.display())))
    };
    for (i, (link, prog)) in slots.iter().enumerate() {
        let r = pin(link.as_fd(), &pin_dir.join(format!("prog{i}-link")))
            .and_then(|()| pin(prog.fd(), &pin_dir.join(format!("prog{i}-prog"))));
        if let Err(e) = r {
            unpin_all(pin_dir, slots.len());
            return Err(e);
        }
    }
    Ok(())
}

/// Removes the pins of `n` slots and the directory (what is missing is skipped). Call with the
/// lock held.
pub fn unpin_all(pin_dir: &Path, n: usize) {
    for i in 0..n {
        let _ = std::fs::remove_file(pin_dir.join(format!("prog{i}-link")));
        let _ = std::fs::remove_file(pin_dir.join(format!("prog{i}-prog")));
    }
    let _ = std::fs::remove_dir(pin_dir);
}
