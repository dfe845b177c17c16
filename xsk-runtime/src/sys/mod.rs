//! Every raw system call of the crate and every `#[repr(C)]` kernel structure.
//!
//! The rest of the crate is safe code on top of the safe functions exported here. Each `unsafe`
//! block in this module tree carries a `// SAFETY:` note on the line above it.
//!
//! - [`bpf`]: the `bpf(2)` system call, its `union bpf_attr` members as one struct per command.
//! - [`mmap`]: memory mappings (the UMEM's memory, the rings), unmapped on drop.
//! - [`xdp`]: the AF_XDP socket ABI (`<linux/if_xdp.h>`) and its system calls.
//! - [`ethtool`]: an interface's queue counts (`SIOCETHTOOL`, `ETHTOOL_GCHANNELS`).
//! - [`packet`]: a sending-only `AF_PACKET` raw socket (`sendmmsg` of copies of a frame).
//! - [`netlink`]: an rtnetlink socket, used to attach XDP programs with `IFLA_XDP` and to query
//!   what is attached.
//! - this module: interface names and indexes, network namespaces (`setns`), mounting bpffs.

pub mod affinity;
pub mod bpf;
pub mod btf;
pub mod epoll;
pub mod ethtool;
pub mod ext;
pub mod genetlink;
pub mod mmap;
pub mod netlink;
pub mod packet;
pub mod ringbuf;
pub mod xdp;

use std::ffi::CString;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::path::Path;

use crate::error::{last_errno, Error, Result};

/// `clock_gettime(CLOCK_TAI)` in nanoseconds: the clock copy-mode AF_XDP TX completion
/// timestamps are taken from (`XDP_TXMD_FLAGS_TIMESTAMP`).
pub fn clock_tai_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a live, writable timespec; CLOCK_TAI exists on every kernel since 3.10.
    let r = unsafe { libc::clock_gettime(libc::CLOCK_TAI, &mut ts) };
    if r != 0 {
        return 0;
    }
    (ts.tv_sec as u64).saturating_mul(1_000_000_000) + ts.tv_nsec as u64
}

/// `if_nametoindex(3)`: the index of the interface `name` in the calling thread's network
/// namespace, or [`Error::UnknownInterface`].
pub fn if_nametoindex(name: &str) -> Result<u32> {
    if name.is_empty() || name.len() >= libc::IF_NAMESIZE {
        return Err(Error::UnknownInterface { name: name.into() });
    }
    let c = CString::new(name).map_err(|_| Error::UnknownInterface { name: name.into() })?;
    // SAFETY: `c` is a valid NUL-terminated string that lives across the call.
    let idx = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if idx == 0 {
        return Err(Error::UnknownInterface { name: name.into() });
    }
    Ok(idx)
}

/// `if_indextoname(3)`: the name of interface `ifindex` in the calling thread's network namespace.
pub fn if_indextoname(ifindex: u32) -> Result<String> {
    let mut buf = [0u8; libc::IF_NAMESIZE];
    // SAFETY: `buf` has IF_NAMESIZE bytes, the size if_indextoname writes at most.
    let p = unsafe { libc::if_indextoname(ifindex, buf.as_mut_ptr().cast()) };
    if p.is_null() {
        return Err(Error::io_hint(
            "if_indextoname",
            last_errno(),
            format!("no interface has index {ifindex} in this network namespace"),
        ));
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(String::from_utf8_lossy(&buf[..len]).into_owned())
}

/// `geteuid(2)`: the effective user id.
pub fn geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// Opens `path` read-only with `O_CLOEXEC` (used for `/proc/self/ns/net` and `/run/netns/*`).
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
///
/// Only the calling thread changes namespace; other threads of the process are unaffected.
pub fn setns_net(fd: BorrowedFd<'_>) -> Result<()> {
    // SAFETY: setns only reads the fd number; `fd` is a live borrowed descriptor.
    let r = unsafe { libc::setns(fd.as_raw_fd(), libc::CLONE_NEWNET) };
    if r != 0 {
        return Err(Error::last_os("setns(CLONE_NEWNET)"));
    }
    Ok(())
}

/// `unshare(CLONE_NEWNET)`: moves the calling thread into a new, empty network namespace (only
/// `lo`, down). Other threads are unaffected; the namespace disappears with its last user.
pub fn unshare_net() -> Result<()> {
    // SAFETY: unshare takes no pointers.
    let r = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    if r != 0 {
        return Err(Error::last_os("unshare(CLONE_NEWNET)"));
    }
    Ok(())
}

/// Lifts `RLIMIT_MEMLOCK` to infinity for this process (`setrlimit`). Kernels before 5.11
/// charge BPF maps and programs to it, and its usual 64 KiB default makes map creation fail
/// with EPERM or ENOMEM; newer kernels use memory cgroups and ignore it. Needs
/// CAP_SYS_RESOURCE to raise the hard limit.
pub fn remove_memlock_limit() -> Result<()> {
    let lim = libc::rlimit {
        rlim_cur: libc::RLIM_INFINITY,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: `lim` is a valid rlimit that lives across the call.
    let r = unsafe { libc::setrlimit(libc::RLIMIT_MEMLOCK, &lim) };
    if r != 0 {
        return Err(Error::last_os("setrlimit(RLIMIT_MEMLOCK)"));
    }
    Ok(())
}

/// The filesystem magic of bpffs (`BPF_FS_MAGIC` in `linux/magic.h`).
pub const BPF_FS_MAGIC: i64 = 0xcafe4a11;

/// True if `path` is on a bpf filesystem.
pub fn is_bpffs(path: &Path) -> Result<bool> {
    let c = path_cstring(path)?;
    // SAFETY: an all-zero statfs is a valid value of this plain C struct.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is NUL-terminated and `st` is a valid, writable statfs.
    let r = unsafe { libc::statfs(c.as_ptr(), &mut st) };
    if r != 0 {
        return Err(Error::last_os("statfs"));
    }
    #[allow(clippy::unnecessary_cast)]
    Ok(st.f_type as i64 == BPF_FS_MAGIC)
}

/// `mount -t bpf bpf PATH`: mounts a bpf filesystem at `path` (which must exist).
pub fn mount_bpffs(path: &Path) -> Result<()> {
    let target = path_cstring(path)?;
    let src = c"bpf";
    // SAFETY: every pointer is a valid NUL-terminated string alive across the call; data is null.
    let r = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            src.as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if r != 0 {
        return Err(Error::io_hint(
            "mount(bpf)",
            last_errno(),
            "mounting bpffs needs CAP_SYS_ADMIN; or mount it yourself: mount -t bpf bpf /sys/fs/bpf",
        ));
    }
    Ok(())
}

/// A path as a C string, or an [`Error::InvalidArgument`] if it contains a NUL byte.
pub fn path_cstring(path: &Path) -> Result<CString> {
    use std::os::unix::ffi::OsStrExt;
    CString::new(path.as_os_str().as_bytes())
        .map_err(|_| Error::invalid(format!("path {} contains a NUL byte", path.display())))
}

/// Duplicates a descriptor (`fcntl(F_DUPFD_CLOEXEC)`).
pub fn dup(fd: BorrowedFd<'_>) -> Result<OwnedFd> {
    fd.try_clone_to_owned().map_err(|e| {
        Error::io(
            "fcntl(F_DUPFD_CLOEXEC)",
            e.raw_os_error().unwrap_or(libc::EIO),
        )
    })
}

/// Wraps a raw descriptor returned by a system call that creates one.
///
/// # Safety
/// `raw` must be a freshly created descriptor owned by nobody else.
pub(crate) unsafe fn owned(raw: i32) -> OwnedFd {
    // SAFETY: the caller guarantees `raw` is a fresh, unowned descriptor.
    unsafe { OwnedFd::from_raw_fd(raw) }
}

/// The CPUs the kernel may ever bring online (`/sys/devices/system/cpu/possible`), the count
/// per-CPU maps size their values by.
pub fn possible_cpus() -> Result<u32> {
    let s = std::fs::read_to_string("/sys/devices/system/cpu/possible").map_err(|e| {
        Error::io(
            "read(/sys/devices/system/cpu/possible)",
            e.raw_os_error().unwrap_or(libc::EIO),
        )
    })?;
    parse_cpu_list(&s)
        .ok_or_else(|| Error::invalid(format!("cannot parse CPU list `{}`", s.trim())))
}

/// Counts the CPUs of a list like `0-3,5,7-8` (the highest index + 1, as the kernel sizes by).
pub fn parse_cpu_list(s: &str) -> Option<u32> {
    let mut max: Option<u32> = None;
    for part in s.trim().split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let hi = match part.split_once('-') {
            Some((_, b)) => b.trim().parse::<u32>().ok()?,
            None => part.parse::<u32>().ok()?,
        };
        max = Some(max.map_or(hi, |m| m.max(hi)));
    }
    max.map(|m| m + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists() {
        assert_eq!(parse_cpu_list("0-1\n"), Some(2));
        assert_eq!(parse_cpu_list("0"), Some(1));
        assert_eq!(parse_cpu_list("0-3,5,7-8"), Some(9));
        assert_eq!(parse_cpu_list("x"), None);
    }

    #[test]
    fn unknown_interface() {
        let e = if_nametoindex("no-such-if-zz").unwrap_err();
        assert!(matches!(e, Error::UnknownInterface { .. }));
        assert!(e.to_string().contains("ip -br link"));
        assert!(if_nametoindex("lo").is_ok());
    }
}
