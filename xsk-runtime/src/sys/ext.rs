//! System calls of the multi-program dispatcher (`bpf::multiprog`): the full `struct
//! bpf_prog_info` (BTF id, map ids, load time), a program's BTF blob by id, `BPF_LINK_CREATE`
//! of an freplace program into a target function, `flock(2)` on the bpffs lock directory, and
//! `fcntl(F_DUPFD_CLOEXEC)` on a descriptor number taken from relocated instructions.

use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};

use super::bpf::{cmd, fd_u32, sys_bpf, sys_bpf_fd, InfoAttr, BPF_OBJ_NAME_LEN};

/// `BPF_BTF_GET_FD_BY_ID` in `enum bpf_cmd` (kernel 5.0).
pub const BPF_BTF_GET_FD_BY_ID: i32 = 19;

/// `struct bpf_prog_info` up to `attach_btf_id` (kernel 5.x layout, 232 bytes).
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct ProgInfoFull {
    /// `type`.
    pub prog_type: u32,
    /// `id`.
    pub id: u32,
    /// `tag`.
    pub tag: [u8; 8],
    /// `jited_prog_len`.
    pub jited_prog_len: u32,
    /// `xlated_prog_len`.
    pub xlated_prog_len: u32,
    /// `jited_prog_insns`.
    pub jited_prog_insns: u64,
    /// `xlated_prog_insns`.
    pub xlated_prog_insns: u64,
    /// `load_time` (ns since boot).
    pub load_time: u64,
    /// `created_by_uid`.
    pub created_by_uid: u32,
    /// `nr_map_ids` (in: capacity of `map_ids`; out: the program's map count).
    pub nr_map_ids: u32,
    /// `map_ids` pointer.
    pub map_ids: u64,
    /// `name`.
    pub name: [u8; BPF_OBJ_NAME_LEN],
    /// `ifindex`.
    pub ifindex: u32,
    /// `gpl_compatible` (bit 0).
    pub gpl_compatible: u32,
    /// `netns_dev`.
    pub netns_dev: u64,
    /// `netns_ino`.
    pub netns_ino: u64,
    /// `nr_jited_ksyms`.
    pub nr_jited_ksyms: u32,
    /// `nr_jited_func_lens`.
    pub nr_jited_func_lens: u32,
    /// `jited_ksyms`.
    pub jited_ksyms: u64,
    /// `jited_func_lens`.
    pub jited_func_lens: u64,
    /// `btf_id`: the program's BTF object (0: none).
    pub btf_id: u32,
    /// `func_info_rec_size`.
    pub func_info_rec_size: u32,
    /// `func_info`.
    pub func_info: u64,
    /// `nr_func_info`.
    pub nr_func_info: u32,
    /// `nr_line_info`.
    pub nr_line_info: u32,
    /// `line_info`.
    pub line_info: u64,
    /// `jited_line_info`.
    pub jited_line_info: u64,
    /// `nr_jited_line_info`.
    pub nr_jited_line_info: u32,
    /// `line_info_rec_size`.
    pub line_info_rec_size: u32,
    /// `jited_line_info_rec_size`.
    pub jited_line_info_rec_size: u32,
    /// `nr_prog_tags`.
    pub nr_prog_tags: u32,
    /// `prog_tags`.
    pub prog_tags: u64,
    /// `run_time_ns`.
    pub run_time_ns: u64,
    /// `run_cnt`.
    pub run_cnt: u64,
    /// `recursion_misses`.
    pub recursion_misses: u64,
    /// `verified_insns`.
    pub verified_insns: u32,
    /// `attach_btf_obj_id`.
    pub attach_btf_obj_id: u32,
    /// `attach_btf_id`.
    pub attach_btf_id: u32,
    _pad: u32,
}
const _: () = assert!(core::mem::size_of::<ProgInfoFull>() == 232);

/// `struct bpf_btf_info`.
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
struct BtfInfo {
    btf: u64,
    btf_size: u32,
    id: u32,
    name: u64,
    name_len: u32,
    kernel_btf: u32,
}
const _: () = assert!(core::mem::size_of::<BtfInfo>() == 32);

/// `union bpf_attr` for `BPF_LINK_CREATE` with `target_btf_id` (tracing / freplace).
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct LinkCreateTargetAttr {
    prog_fd: u32,
    target_fd: u32,
    attach_type: u32,
    flags: u32,
    target_btf_id: u32,
    _pad: u32,
}
const _: () = assert!(core::mem::size_of::<LinkCreateTargetAttr>() == 24);

/// `BPF_OBJ_GET_INFO_BY_FD` on a program with the full info; up to `map_ids.len()` map ids
/// are written into `map_ids` (`nr_map_ids` of the result says how many the program has).
pub fn prog_info_full(
    fd: BorrowedFd<'_>,
    map_ids: &mut [u32],
) -> std::result::Result<ProgInfoFull, i32> {
    let mut info = ProgInfoFull {
        nr_map_ids: u32::try_from(map_ids.len()).map_err(|_| libc::E2BIG)?,
        map_ids: if map_ids.is_empty() {
            0
        } else {
            map_ids.as_mut_ptr() as u64
        },
        ..Default::default()
    };
    let ptr: *mut ProgInfoFull = &mut info;
    let mut a = InfoAttr {
        bpf_fd: fd_u32(fd),
        info_len: core::mem::size_of::<ProgInfoFull>() as u32,
        info: ptr as u64,
    };
    sys_bpf(cmd::BPF_OBJ_GET_INFO_BY_FD, &mut a)?;
    Ok(info)
}

/// The raw `.BTF` blob of the kernel BTF object `id` (`BPF_BTF_GET_FD_BY_ID` and
/// `BPF_OBJ_GET_INFO_BY_FD`, kernel 5.0).
pub fn btf_blob(id: u32) -> std::result::Result<Vec<u8>, i32> {
    let fd = super::bpf::get_fd_by_id(BPF_BTF_GET_FD_BY_ID, id)?;
    let info_of = |buf: &mut [u8]| -> std::result::Result<BtfInfo, i32> {
        let mut info = BtfInfo {
            btf: if buf.is_empty() {
                0
            } else {
                buf.as_mut_ptr() as u64
            },
            btf_size: u32::try_from(buf.len()).map_err(|_| libc::E2BIG)?,
            ..Default::default()
        };
        let ptr: *mut BtfInfo = &mut info;
        let mut a = InfoAttr {
            bpf_fd: fd.as_raw_fd() as u32,
            info_len: core::mem::size_of::<BtfInfo>() as u32,
            info: ptr as u64,
        };
        sys_bpf(cmd::BPF_OBJ_GET_INFO_BY_FD, &mut a)?;
        Ok(info)
    };
    let size = info_of(&mut [])?.btf_size as usize;
    let mut buf = vec![0u8; size];
    let got = info_of(&mut buf)?.btf_size as usize;
    buf.truncate(got.min(size));
    Ok(buf)
}

/// `BPF_LINK_CREATE` of the freplace program `prog` into function `target_btf_id` of program
/// `target` (kernel 5.10 for a target other than the one given at load time).
pub fn link_create_freplace(
    prog: BorrowedFd<'_>,
    target: BorrowedFd<'_>,
    target_btf_id: u32,
) -> std::result::Result<OwnedFd, i32> {
    let mut a = LinkCreateTargetAttr {
        prog_fd: fd_u32(prog),
        target_fd: fd_u32(target),
        target_btf_id,
        ..Default::default()
    };
    sys_bpf_fd(cmd::BPF_LINK_CREATE, &mut a)
}

/// `flock(fd, LOCK_EX)`: waits for the exclusive lock (released when `fd` closes).
pub fn flock_exclusive(fd: BorrowedFd<'_>) -> std::result::Result<(), i32> {
    loop {
        // SAFETY: flock only reads the descriptor number of a live borrowed fd.
        let r = unsafe { libc::flock(fd.as_raw_fd(), libc::LOCK_EX) };
        if r == 0 {
            return Ok(());
        }
        let e = crate::error::last_errno();
        if e != libc::EINTR {
            return Err(e);
        }
    }
}

/// `fcntl(raw, F_DUPFD_CLOEXEC)`: a new descriptor for the open file `raw` refers to (EBADF
/// if none). Used for the map fds written into relocated instructions.
pub fn dup_raw(raw: i32) -> std::result::Result<OwnedFd, i32> {
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) reads only the number; an invalid one is EBADF.
    let r = unsafe { libc::fcntl(raw, libc::F_DUPFD_CLOEXEC, 0) };
    if r < 0 {
        return Err(crate::error::last_errno());
    }
    // SAFETY: the kernel just created this descriptor for us and nobody else owns it.
    Ok(unsafe { super::owned(r) })
}
