//! The `bpf(2)` system call.
//!
//! The kernel's `union bpf_attr` is modelled as one `#[repr(C)]` struct per command (the member
//! of the union the command reads), each with a `const` size assertion against the kernel's
//! layout. The kernel accepts an attribute shorter than its own union (it zero-fills the rest),
//! and one longer only if the extra tail is zero, so each struct stops at the last field we use.
//!
//! The functions here are safe: each takes Rust slices and writes their pointers and lengths
//! into the attribute itself. Operations whose kernel side writes a number of bytes decided by
//! the map (lookups, batches) go through [`MapFd`], which knows the map's real key and value
//! sizes as the kernel reported them and checks every buffer against them.

use std::ffi::CStr;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use ebpf_dsl::Insn;

use crate::error::{last_errno, Error, Result};

/// `enum bpf_cmd` values used by this crate.
#[allow(missing_docs)]
pub mod cmd {
    pub const BPF_MAP_CREATE: i32 = 0;
    pub const BPF_MAP_LOOKUP_ELEM: i32 = 1;
    pub const BPF_MAP_UPDATE_ELEM: i32 = 2;
    pub const BPF_MAP_DELETE_ELEM: i32 = 3;
    pub const BPF_MAP_GET_NEXT_KEY: i32 = 4;
    pub const BPF_PROG_LOAD: i32 = 5;
    pub const BPF_OBJ_PIN: i32 = 6;
    pub const BPF_OBJ_GET: i32 = 7;
    pub const BPF_PROG_TEST_RUN: i32 = 10;
    pub const BPF_PROG_GET_NEXT_ID: i32 = 11;
    pub const BPF_MAP_GET_NEXT_ID: i32 = 12;
    pub const BPF_PROG_GET_FD_BY_ID: i32 = 13;
    pub const BPF_MAP_GET_FD_BY_ID: i32 = 14;
    pub const BPF_OBJ_GET_INFO_BY_FD: i32 = 15;
    pub const BPF_MAP_LOOKUP_AND_DELETE_ELEM: i32 = 21;
    pub const BPF_MAP_FREEZE: i32 = 22;
    pub const BPF_MAP_LOOKUP_BATCH: i32 = 24;
    pub const BPF_MAP_LOOKUP_AND_DELETE_BATCH: i32 = 25;
    pub const BPF_MAP_UPDATE_BATCH: i32 = 26;
    pub const BPF_MAP_DELETE_BATCH: i32 = 27;
    pub const BPF_LINK_CREATE: i32 = 28;
    pub const BPF_LINK_UPDATE: i32 = 29;
    pub const BPF_LINK_GET_FD_BY_ID: i32 = 30;
    pub const BPF_LINK_DETACH: i32 = 34;
}

/// `BPF_ANY`: create a new element or update an existing one.
pub const BPF_ANY: u64 = 0;
/// `BPF_NOEXIST`: create a new element only if it does not exist.
pub const BPF_NOEXIST: u64 = 1;
/// `BPF_EXIST`: update an existing element only.
pub const BPF_EXIST: u64 = 2;
/// `BPF_F_LOCK`: take the element's spin lock.
pub const BPF_F_LOCK: u64 = 4;

/// `BPF_F_TEST_RUN_ON_CPU` (kernel 5.10): run on `cpu`.
pub const BPF_F_TEST_RUN_ON_CPU: u32 = 1;
/// `BPF_F_TEST_XDP_LIVE_FRAMES` (kernel 5.18): XDP test run whose verdicts really act
/// (XDP_TX / XDP_REDIRECT transmit the frames).
pub const BPF_F_TEST_XDP_LIVE_FRAMES: u32 = 2;

/// `BPF_XDP` in `enum bpf_attach_type` (kernel 5.9), for `BPF_LINK_CREATE` on an interface.
pub const BPF_XDP: u32 = 37;
/// `BPF_LINK_TYPE_XDP` in `enum bpf_link_type`.
pub const BPF_LINK_TYPE_XDP: u32 = 6;

/// `BPF_OBJ_NAME_LEN`: bytes of a map or program name including the NUL.
pub const BPF_OBJ_NAME_LEN: usize = 16;

/// `union bpf_attr` for `BPF_MAP_CREATE`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct MapCreateAttr {
    /// `map_type`.
    pub map_type: u32,
    /// `key_size`.
    pub key_size: u32,
    /// `value_size`.
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags`.
    pub map_flags: u32,
    /// `inner_map_fd` (map-in-map templates).
    pub inner_map_fd: u32,
    /// `numa_node` (with `BPF_F_NUMA_NODE`).
    pub numa_node: u32,
    /// `map_name`, NUL-padded.
    pub map_name: [u8; BPF_OBJ_NAME_LEN],
    /// `map_ifindex` (offloaded maps).
    pub map_ifindex: u32,
    /// `btf_fd`.
    pub btf_fd: u32,
    /// `btf_key_type_id`.
    pub btf_key_type_id: u32,
    /// `btf_value_type_id`.
    pub btf_value_type_id: u32,
    /// `btf_vmlinux_value_type_id`.
    pub btf_vmlinux_value_type_id: u32,
    /// `map_extra` (bloom filter hashes, arena address).
    pub map_extra: u64,
}
const _: () = assert!(core::mem::size_of::<MapCreateAttr>() == 72);

/// `union bpf_attr` for `BPF_MAP_*_ELEM` and `BPF_MAP_GET_NEXT_KEY`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct MapElemAttr {
    /// `map_fd`.
    pub map_fd: u32,
    _pad: u32,
    /// `key` pointer.
    pub key: u64,
    /// `value` or `next_key` pointer.
    pub value: u64,
    /// `flags`.
    pub flags: u64,
}
const _: () = assert!(core::mem::size_of::<MapElemAttr>() == 32);

/// `union bpf_attr` for the `BPF_MAP_*_BATCH` commands (kernel 5.6).
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct MapBatchAttr {
    /// `in_batch` pointer (start position; null for the first call).
    pub in_batch: u64,
    /// `out_batch` pointer (where the next call starts).
    pub out_batch: u64,
    /// `keys` pointer.
    pub keys: u64,
    /// `values` pointer.
    pub values: u64,
    /// `count`: in, the buffer capacity in elements; out, how many were processed.
    pub count: u32,
    /// `map_fd`.
    pub map_fd: u32,
    /// `elem_flags`.
    pub elem_flags: u64,
    /// `flags`.
    pub flags: u64,
}
const _: () = assert!(core::mem::size_of::<MapBatchAttr>() == 56);

/// `union bpf_attr` for `BPF_PROG_LOAD`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct ProgLoadAttr {
    /// `prog_type`.
    pub prog_type: u32,
    /// `insn_cnt`.
    pub insn_cnt: u32,
    /// `insns` pointer.
    pub insns: u64,
    /// `license` pointer (C string).
    pub license: u64,
    /// `log_level` (0: no log, 1: on failure, 2: verbose).
    pub log_level: u32,
    /// `log_size`.
    pub log_size: u32,
    /// `log_buf` pointer.
    pub log_buf: u64,
    /// `kern_version` (kprobes before 5.0).
    pub kern_version: u32,
    /// `prog_flags`.
    pub prog_flags: u32,
    /// `prog_name`, NUL-padded.
    pub prog_name: [u8; BPF_OBJ_NAME_LEN],
    /// `prog_ifindex` (offload).
    pub prog_ifindex: u32,
    /// `expected_attach_type`.
    pub expected_attach_type: u32,
    /// `prog_btf_fd`.
    pub prog_btf_fd: u32,
    /// `func_info_rec_size`.
    pub func_info_rec_size: u32,
    /// `func_info`.
    pub func_info: u64,
    /// `func_info_cnt`.
    pub func_info_cnt: u32,
    /// `line_info_rec_size`.
    pub line_info_rec_size: u32,
    /// `line_info`.
    pub line_info: u64,
    /// `line_info_cnt`.
    pub line_info_cnt: u32,
    /// `attach_btf_id`.
    pub attach_btf_id: u32,
    /// `attach_prog_fd`.
    pub attach_prog_fd: u32,
    /// `core_relo_cnt`.
    pub core_relo_cnt: u32,
    /// `fd_array`.
    pub fd_array: u64,
    /// `core_relos`.
    pub core_relos: u64,
    /// `core_relo_rec_size`.
    pub core_relo_rec_size: u32,
    /// `log_true_size` (kernel 6.4, out): the log size the verifier needed.
    pub log_true_size: u32,
}
const _: () = assert!(core::mem::size_of::<ProgLoadAttr>() == 144);

/// `union bpf_attr` for `BPF_OBJ_PIN` / `BPF_OBJ_GET`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct ObjAttr {
    /// `pathname` pointer.
    pub pathname: u64,
    /// `bpf_fd`.
    pub bpf_fd: u32,
    /// `file_flags` (`BPF_F_RDONLY`, `BPF_F_WRONLY`).
    pub file_flags: u32,
}
const _: () = assert!(core::mem::size_of::<ObjAttr>() == 16);

/// `union bpf_attr` for `BPF_PROG_TEST_RUN`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct TestRunAttr {
    /// `prog_fd`.
    pub prog_fd: u32,
    /// `retval` (out).
    pub retval: u32,
    /// `data_size_in`.
    pub data_size_in: u32,
    /// `data_size_out` (in: the buffer size, kernel 5.0; out: the packet size).
    pub data_size_out: u32,
    /// `data_in` pointer.
    pub data_in: u64,
    /// `data_out` pointer.
    pub data_out: u64,
    /// `repeat`.
    pub repeat: u32,
    /// `duration` (out): average ns per run.
    pub duration: u32,
    /// `ctx_size_in`.
    pub ctx_size_in: u32,
    /// `ctx_size_out`.
    pub ctx_size_out: u32,
    /// `ctx_in` pointer.
    pub ctx_in: u64,
    /// `ctx_out` pointer.
    pub ctx_out: u64,
    /// `flags`.
    pub flags: u32,
    /// `cpu`.
    pub cpu: u32,
    /// `batch_size` (live frames, kernel 5.18).
    pub batch_size: u32,
    _pad: u32,
}
const _: () = assert!(core::mem::size_of::<TestRunAttr>() == 80);

/// `union bpf_attr` for `BPF_*_GET_FD_BY_ID` and `BPF_*_GET_NEXT_ID`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct GetIdAttr {
    /// `start_id` / `prog_id` / `map_id` / `link_id`.
    pub id: u32,
    /// `next_id` (out).
    pub next_id: u32,
    /// `open_flags`.
    pub open_flags: u32,
}
const _: () = assert!(core::mem::size_of::<GetIdAttr>() == 12);

/// `union bpf_attr` for `BPF_OBJ_GET_INFO_BY_FD`.
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct InfoAttr {
    /// `bpf_fd`.
    pub bpf_fd: u32,
    /// `info_len` (in: buffer size; out: bytes written).
    pub info_len: u32,
    /// `info` pointer.
    pub info: u64,
}
const _: () = assert!(core::mem::size_of::<InfoAttr>() == 16);

/// `union bpf_attr` for `BPF_LINK_CREATE` (the plain form: no type-specific tail).
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct LinkCreateAttr {
    /// `prog_fd`.
    pub prog_fd: u32,
    /// `target_fd` / `target_ifindex`.
    pub target: u32,
    /// `attach_type`.
    pub attach_type: u32,
    /// `flags` (for XDP: `XDP_FLAGS_*` mode bits).
    pub flags: u32,
}
const _: () = assert!(core::mem::size_of::<LinkCreateAttr>() == 16);

/// `union bpf_attr` for `BPF_LINK_UPDATE` (kernel 5.7; XDP links 5.9).
#[repr(C)]
#[derive(Default, Clone, Copy)]
pub struct LinkUpdateAttr {
    /// `link_fd`.
    pub link_fd: u32,
    /// `new_prog_fd`.
    pub new_prog_fd: u32,
    /// `flags` (`BPF_F_REPLACE`).
    pub flags: u32,
    /// `old_prog_fd`: with `BPF_F_REPLACE`, the program expected to be attached now.
    pub old_prog_fd: u32,
}
const _: () = assert!(core::mem::size_of::<LinkUpdateAttr>() == 16);

/// `BPF_F_REPLACE` for `BPF_LINK_UPDATE`.
pub const BPF_F_REPLACE: u32 = 4;

/// The prefix of `struct bpf_prog_info` we read.
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct ProgInfoRaw {
    /// `type`.
    pub prog_type: u32,
    /// `id`.
    pub id: u32,
    /// `tag`: a hash of the instructions.
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
    /// `nr_map_ids`.
    pub nr_map_ids: u32,
    /// `map_ids` pointer.
    pub map_ids: u64,
    /// `name`.
    pub name: [u8; BPF_OBJ_NAME_LEN],
}
const _: () = assert!(core::mem::size_of::<ProgInfoRaw>() == 80);

/// The prefix of `struct bpf_map_info` we read.
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct MapInfoRaw {
    /// `type`.
    pub map_type: u32,
    /// `id`.
    pub id: u32,
    /// `key_size`.
    pub key_size: u32,
    /// `value_size`.
    pub value_size: u32,
    /// `max_entries`.
    pub max_entries: u32,
    /// `map_flags`.
    pub map_flags: u32,
    /// `name`.
    pub name: [u8; BPF_OBJ_NAME_LEN],
}
const _: () = assert!(core::mem::size_of::<MapInfoRaw>() == 40);

/// The prefix of `struct bpf_link_info` with its XDP member.
#[repr(C)]
#[derive(Default, Clone, Copy, Debug)]
pub struct LinkInfoRaw {
    /// `type` (`BPF_LINK_TYPE_XDP` = 6).
    pub link_type: u32,
    /// `id`.
    pub id: u32,
    /// `prog_id`.
    pub prog_id: u32,
    _pad: u32,
    /// `xdp.ifindex` (0 once the link was detached).
    pub xdp_ifindex: u32,
    _pad2: [u32; 7],
}
const _: () = assert!(core::mem::size_of::<LinkInfoRaw>() == 48);

/// Calls `bpf(cmd, attr, sizeof(*attr))` and returns its non-negative result or the errno.
pub(super) fn sys_bpf<T>(cmd: i32, attr: &mut T) -> std::result::Result<i64, i32> {
    let ptr: *mut T = attr;
    // `attr` is a valid, exclusively borrowed `#[repr(C)]` attribute of the size we pass;
    // every pointer stored inside it was taken by the safe caller from a live slice of the
    // length it also stored, so the kernel reads and writes only memory we own.
    // SAFETY: see above.
    let r = unsafe {
        libc::syscall(
            libc::SYS_bpf,
            cmd as libc::c_long,
            ptr.cast::<libc::c_void>(),
            core::mem::size_of::<T>() as libc::c_uint,
        )
    };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(r as i64)
    }
}

/// Like [`sys_bpf`] for commands that return a new descriptor.
pub(super) fn sys_bpf_fd<T>(cmd: i32, attr: &mut T) -> std::result::Result<OwnedFd, i32> {
    let r = sys_bpf(cmd, attr)?;
    let raw = i32::try_from(r).map_err(|_| libc::EINVAL)?;
    // SAFETY: the kernel just created this descriptor for us and nobody else owns it.
    Ok(unsafe { super::owned(raw) })
}

pub(super) fn fd_u32(fd: BorrowedFd<'_>) -> u32 {
    fd.as_raw_fd() as u32
}

fn ptr_u64<T>(s: &[T]) -> u64 {
    if s.is_empty() {
        0
    } else {
        s.as_ptr() as u64
    }
}

fn mut_ptr_u64<T>(s: &mut [T]) -> u64 {
    if s.is_empty() {
        0
    } else {
        s.as_mut_ptr() as u64
    }
}

/// A kernel object name: up to 15 bytes of `[A-Za-z0-9_.]` (others are replaced by `_`, which
/// the kernel would refuse), NUL-padded.
pub fn obj_name(name: &str) -> [u8; BPF_OBJ_NAME_LEN] {
    let mut out = [0u8; BPF_OBJ_NAME_LEN];
    for (o, b) in out.iter_mut().zip(name.bytes().take(BPF_OBJ_NAME_LEN - 1)) {
        *o = if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' {
            b
        } else {
            b'_'
        };
    }
    out
}

/// The text of a NUL-padded kernel name.
pub fn name_str(raw: &[u8]) -> String {
    let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    String::from_utf8_lossy(&raw[..end]).into_owned()
}

/// `BPF_MAP_CREATE`.
pub fn map_create(attr: &MapCreateAttr) -> std::result::Result<OwnedFd, i32> {
    let mut a = *attr;
    sys_bpf_fd(cmd::BPF_MAP_CREATE, &mut a)
}

/// `BPF_OBJ_GET_INFO_BY_FD` on a map.
pub fn map_info(fd: BorrowedFd<'_>) -> Result<MapInfoRaw> {
    let mut info = MapInfoRaw::default();
    obj_info(fd, &mut info).map_err(|e| Error::io("BPF_OBJ_GET_INFO_BY_FD(map)", e))?;
    Ok(info)
}

/// `BPF_OBJ_GET_INFO_BY_FD` on a program.
pub fn prog_info(fd: BorrowedFd<'_>) -> Result<ProgInfoRaw> {
    let mut info = ProgInfoRaw::default();
    obj_info(fd, &mut info).map_err(|e| Error::io("BPF_OBJ_GET_INFO_BY_FD(prog)", e))?;
    Ok(info)
}

/// `BPF_OBJ_GET_INFO_BY_FD` on a link (kernel 5.8).
pub fn link_info(fd: BorrowedFd<'_>) -> Result<LinkInfoRaw> {
    let mut info = LinkInfoRaw::default();
    obj_info(fd, &mut info).map_err(|e| Error::io("BPF_OBJ_GET_INFO_BY_FD(link)", e))?;
    Ok(info)
}

/// Private marker: the info structs the kernel may write into byte for byte.
trait InfoStruct: Copy + Default {}
impl InfoStruct for ProgInfoRaw {}
impl InfoStruct for MapInfoRaw {}
impl InfoStruct for LinkInfoRaw {}

fn obj_info<T: InfoStruct>(fd: BorrowedFd<'_>, info: &mut T) -> std::result::Result<(), i32> {
    let ptr: *mut T = info;
    let mut a = InfoAttr {
        bpf_fd: fd_u32(fd),
        info_len: core::mem::size_of::<T>() as u32,
        info: ptr as u64,
    };
    sys_bpf(cmd::BPF_OBJ_GET_INFO_BY_FD, &mut a).map(|_| ())
}

/// An open map descriptor together with the shape the kernel reports for it.
///
/// Every element operation checks its buffers against [`MapFd::key_size`] and
/// [`MapFd::value_bytes`] before the kernel copies anything, which is what makes them safe.
#[derive(Debug)]
pub struct MapFd {
    fd: OwnedFd,
    info: MapInfoRaw,
    value_bytes: usize,
}

/// Map types whose user-space value is one value per possible CPU, each rounded up to 8 bytes.
fn is_percpu(map_type: u32) -> bool {
    matches!(map_type, 5 | 6 | 10 | 21)
}

impl MapFd {
    /// Wraps an open map descriptor, asking the kernel for its shape.
    pub fn new(fd: OwnedFd) -> Result<MapFd> {
        let info = map_info(fd.as_fd())?;
        let value_bytes = if is_percpu(info.map_type) {
            let cpus = super::possible_cpus()? as usize;
            (info.value_size as usize).div_ceil(8) * 8 * cpus
        } else {
            info.value_size as usize
        };
        Ok(MapFd {
            fd,
            info,
            value_bytes,
        })
    }

    /// The kernel's view of the map (`struct bpf_map_info`).
    pub fn info(&self) -> &MapInfoRaw {
        &self.info
    }

    /// The key size in bytes.
    pub fn key_size(&self) -> usize {
        self.info.key_size as usize
    }

    /// Bytes of a value as user space reads and writes it (per-CPU maps: one 8-byte aligned
    /// slot per possible CPU).
    pub fn value_bytes(&self) -> usize {
        self.value_bytes
    }

    /// The descriptor.
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// Consumes the wrapper, returning the descriptor.
    pub fn into_fd(self) -> OwnedFd {
        self.fd
    }

    fn check(&self, op: &'static str, key: Option<usize>, value: Option<usize>) -> Result<()> {
        if let Some(k) = key {
            if k != self.key_size() {
                return Err(Error::MapMismatch {
                    map: name_str(&self.info.name),
                    reason: format!(
                        "{op}: key is {k} bytes, the map's key size is {}",
                        self.key_size()
                    ),
                });
            }
        }
        if let Some(v) = value {
            if v != self.value_bytes {
                return Err(Error::MapMismatch {
                    map: name_str(&self.info.name),
                    reason: format!(
                        "{op}: value is {v} bytes, the map's value is {} bytes",
                        self.value_bytes
                    ),
                });
            }
        }
        Ok(())
    }

    /// `BPF_MAP_LOOKUP_ELEM`: copies the value of `key` into `value`. Errno ENOENT: no such key.
    pub fn lookup(&self, key: &[u8], value: &mut [u8], flags: u64) -> Result<(), i32> {
        self.check("lookup", Some(key.len()), Some(value.len()))
            .map_err(|_| libc::EINVAL)?;
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            key: ptr_u64(key),
            value: mut_ptr_u64(value),
            flags,
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_LOOKUP_ELEM, &mut a).map(|_| ())
    }

    /// `BPF_MAP_LOOKUP_AND_DELETE_ELEM` (kernel 4.20 for queue/stack, 5.14 for hashes).
    pub fn lookup_and_delete(&self, key: &[u8], value: &mut [u8]) -> Result<(), i32> {
        self.check("lookup_and_delete", Some(key.len()), Some(value.len()))
            .map_err(|_| libc::EINVAL)?;
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            key: ptr_u64(key),
            value: mut_ptr_u64(value),
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_LOOKUP_AND_DELETE_ELEM, &mut a).map(|_| ())
    }

    /// `BPF_MAP_UPDATE_ELEM` with `BPF_ANY`, `BPF_NOEXIST` or `BPF_EXIST`.
    pub fn update(&self, key: &[u8], value: &[u8], flags: u64) -> Result<(), i32> {
        self.check("update", Some(key.len()), Some(value.len()))
            .map_err(|_| libc::EINVAL)?;
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            key: ptr_u64(key),
            value: ptr_u64(value),
            flags,
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_UPDATE_ELEM, &mut a).map(|_| ())
    }

    /// `BPF_MAP_DELETE_ELEM`.
    pub fn delete(&self, key: &[u8]) -> Result<(), i32> {
        self.check("delete", Some(key.len()), None)
            .map_err(|_| libc::EINVAL)?;
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            key: ptr_u64(key),
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_DELETE_ELEM, &mut a).map(|_| ())
    }

    /// `BPF_MAP_GET_NEXT_KEY`: the key after `key` (the first key if `None`) into `next`.
    /// Errno ENOENT: `key` was the last.
    pub fn next_key(&self, key: Option<&[u8]>, next: &mut [u8]) -> Result<(), i32> {
        self.check("next_key", Some(next.len()), None)
            .map_err(|_| libc::EINVAL)?;
        if let Some(k) = key {
            self.check("next_key", Some(k.len()), None)
                .map_err(|_| libc::EINVAL)?;
        }
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            key: key.map_or(0, ptr_u64),
            value: mut_ptr_u64(next),
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_GET_NEXT_KEY, &mut a).map(|_| ())
    }

    /// `BPF_MAP_FREEZE` (kernel 5.2): no more writes from user space.
    pub fn freeze(&self) -> Result<(), i32> {
        let mut a = MapElemAttr {
            map_fd: fd_u32(self.fd()),
            ..Default::default()
        };
        sys_bpf(cmd::BPF_MAP_FREEZE, &mut a).map(|_| ())
    }

    /// `BPF_MAP_LOOKUP_BATCH` / `BPF_MAP_LOOKUP_AND_DELETE_BATCH` (kernel 5.6).
    ///
    /// `keys` and `values` hold `capacity` elements; `in_batch` is `None` on the first call and
    /// the previous `out_batch` afterwards; `out_batch` must be at least the key size (hash
    /// maps) and 4 bytes (arrays), so it is checked to be `max(key_size, 4)` or more. Returns
    /// the number of elements copied; errno ENOENT with a count means the map ended.
    pub fn lookup_batch(
        &self,
        delete: bool,
        in_batch: Option<&[u8]>,
        out_batch: &mut [u8],
        keys: &mut [u8],
        values: &mut [u8],
        capacity: u32,
    ) -> (u32, std::result::Result<(), i32>) {
        let need_batch = self.key_size().max(4);
        let cap = capacity as usize;
        if out_batch.len() < need_batch
            || in_batch.is_some_and(|b| b.len() < need_batch)
            || keys.len() < cap.saturating_mul(self.key_size())
            || values.len() < cap.saturating_mul(self.value_bytes)
        {
            return (0, Err(libc::EINVAL));
        }
        let mut a = MapBatchAttr {
            in_batch: in_batch.map_or(0, ptr_u64),
            out_batch: mut_ptr_u64(out_batch),
            keys: mut_ptr_u64(keys),
            values: mut_ptr_u64(values),
            count: capacity,
            map_fd: fd_u32(self.fd()),
            ..Default::default()
        };
        let c = if delete {
            cmd::BPF_MAP_LOOKUP_AND_DELETE_BATCH
        } else {
            cmd::BPF_MAP_LOOKUP_BATCH
        };
        let r = sys_bpf(c, &mut a).map(|_| ());
        (a.count.min(capacity), r)
    }

    /// `BPF_MAP_UPDATE_BATCH` (kernel 5.6): `count` keys and values, with `elem_flags`.
    pub fn update_batch(
        &self,
        keys: &[u8],
        values: &[u8],
        count: u32,
        elem_flags: u64,
    ) -> (u32, std::result::Result<(), i32>) {
        let cap = count as usize;
        if keys.len() != cap.saturating_mul(self.key_size())
            || values.len() != cap.saturating_mul(self.value_bytes)
        {
            return (0, Err(libc::EINVAL));
        }
        let mut a = MapBatchAttr {
            keys: ptr_u64(keys),
            values: ptr_u64(values),
            count,
            map_fd: fd_u32(self.fd()),
            elem_flags,
            ..Default::default()
        };
        let r = sys_bpf(cmd::BPF_MAP_UPDATE_BATCH, &mut a).map(|_| ());
        (a.count.min(count), r)
    }

    /// `BPF_MAP_DELETE_BATCH` (kernel 5.6).
    pub fn delete_batch(&self, keys: &[u8], count: u32) -> (u32, std::result::Result<(), i32>) {
        if keys.len() != (count as usize).saturating_mul(self.key_size()) {
            return (0, Err(libc::EINVAL));
        }
        let mut a = MapBatchAttr {
            keys: ptr_u64(keys),
            count,
            map_fd: fd_u32(self.fd()),
            ..Default::default()
        };
        let r = sys_bpf(cmd::BPF_MAP_DELETE_BATCH, &mut a).map(|_| ());
        (a.count.min(count), r)
    }
}

/// What [`prog_load`] needs.
pub struct ProgLoad<'a> {
    /// `enum bpf_prog_type`.
    pub prog_type: u32,
    /// The instructions.
    pub insns: &'a [Insn],
    /// The license.
    pub license: &'a CStr,
    /// The kernel-visible name.
    pub name: &'a str,
    /// `expected_attach_type`.
    pub expected_attach_type: u32,
    /// `prog_flags` (`BPF_F_XDP_HAS_FRAGS`, ...).
    pub prog_flags: u32,
    /// `prog_ifindex` for offload, else 0.
    pub ifindex: u32,
    /// `log_level`.
    pub log_level: u32,
    /// `prog_btf_fd`, `func_info` and `line_info`, if the program has BTF.
    pub btf: Option<ProgBtf<'a>>,
    /// `attach_prog_fd` and `attach_btf_id` (freplace: the target program and function).
    pub attach: Option<(BorrowedFd<'a>, u32)>,
}

/// `BPF_PROG_LOAD`. `log` receives the verifier log (if `log_level` is not 0). Returns the
/// program fd, or the errno with the kernel's `log_true_size` (0 before kernel 6.4).
pub fn prog_load(p: &ProgLoad<'_>, log: &mut [u8]) -> std::result::Result<OwnedFd, (i32, u32)> {
    let insn_cnt = u32::try_from(p.insns.len()).map_err(|_| (libc::E2BIG, 0))?;
    let log_size = u32::try_from(log.len()).map_err(|_| (libc::EINVAL, 0))?;
    let mut a = ProgLoadAttr {
        prog_type: p.prog_type,
        insn_cnt,
        insns: ptr_u64(p.insns),
        license: p.license.as_ptr() as u64,
        log_level: if log.is_empty() { 0 } else { p.log_level },
        log_size: if p.log_level == 0 { 0 } else { log_size },
        log_buf: if p.log_level == 0 {
            0
        } else {
            mut_ptr_u64(log)
        },
        prog_flags: p.prog_flags,
        prog_name: obj_name(p.name),
        prog_ifindex: p.ifindex,
        expected_attach_type: p.expected_attach_type,
        ..Default::default()
    };
    if let Some(b) = &p.btf {
        a.prog_btf_fd = fd_u32(b.fd);
        (a.func_info_rec_size, a.func_info) = (8, ptr_u64(b.func_info));
        a.func_info_cnt = u32::try_from(b.func_info.len()).map_err(|_| (libc::E2BIG, 0))?;
        (a.line_info_rec_size, a.line_info) = (16, ptr_u64(b.line_info));
        a.line_info_cnt = u32::try_from(b.line_info.len()).map_err(|_| (libc::E2BIG, 0))?;
    }
    if let Some((fd, id)) = p.attach {
        (a.attach_prog_fd, a.attach_btf_id) = (fd_u32(fd), id);
    }
    let r = sys_bpf_fd(cmd::BPF_PROG_LOAD, &mut a);
    r.map_err(|e| (e, a.log_true_size))
}

/// `BPF_OBJ_PIN` (kernel 4.4): pins `fd` at `path` on a bpffs.
pub fn obj_pin(fd: BorrowedFd<'_>, path: &CStr) -> std::result::Result<(), i32> {
    let mut a = ObjAttr {
        pathname: path.as_ptr() as u64,
        bpf_fd: fd_u32(fd),
        file_flags: 0,
    };
    sys_bpf(cmd::BPF_OBJ_PIN, &mut a).map(|_| ())
}

/// `BPF_OBJ_GET` (kernel 4.4): opens the object pinned at `path`.
pub fn obj_get(path: &CStr, file_flags: u32) -> std::result::Result<OwnedFd, i32> {
    let mut a = ObjAttr {
        pathname: path.as_ptr() as u64,
        bpf_fd: 0,
        file_flags,
    };
    sys_bpf_fd(cmd::BPF_OBJ_GET, &mut a)
}

/// What [`prog_test_run`] needs.
#[derive(Default)]
pub struct TestRun<'a> {
    /// The packet.
    pub data_in: &'a [u8],
    /// The context (`struct xdp_md` for XDP; kernel 5.15 for XDP).
    pub ctx_in: &'a [u8],
    /// Runs.
    pub repeat: u32,
    /// `BPF_F_TEST_*`.
    pub flags: u32,
    /// CPU for `BPF_F_TEST_RUN_ON_CPU`.
    pub cpu: u32,
    /// Live-frames batch size.
    pub batch_size: u32,
}

/// What [`prog_test_run`] returns.
#[derive(Debug, Clone, Copy)]
pub struct TestRunOut {
    /// `retval`.
    pub retval: u32,
    /// `duration` (ns per run, averaged by the kernel).
    pub duration: u32,
    /// Bytes of `data_out` written.
    pub data_size_out: u32,
    /// Bytes of `ctx_out` written.
    pub ctx_size_out: u32,
}

/// `BPF_PROG_TEST_RUN` (kernel 4.12; sized `data_out` kernel 5.0). `data_out` / `ctx_out` may
/// be empty to not receive them.
pub fn prog_test_run(
    prog: BorrowedFd<'_>,
    t: &TestRun<'_>,
    data_out: &mut [u8],
    ctx_out: &mut [u8],
) -> std::result::Result<TestRunOut, i32> {
    let size = |n: usize| u32::try_from(n).map_err(|_| libc::E2BIG);
    let mut a = TestRunAttr {
        prog_fd: fd_u32(prog),
        data_size_in: size(t.data_in.len())?,
        data_size_out: size(data_out.len())?,
        data_in: ptr_u64(t.data_in),
        data_out: mut_ptr_u64(data_out),
        repeat: t.repeat,
        ctx_size_in: size(t.ctx_in.len())?,
        ctx_size_out: size(ctx_out.len())?,
        ctx_in: ptr_u64(t.ctx_in),
        ctx_out: mut_ptr_u64(ctx_out),
        flags: t.flags,
        cpu: t.cpu,
        batch_size: t.batch_size,
        ..Default::default()
    };
    sys_bpf(cmd::BPF_PROG_TEST_RUN, &mut a)?;
    Ok(TestRunOut {
        retval: a.retval,
        duration: a.duration,
        data_size_out: a.data_size_out.min(size(data_out.len())?),
        ctx_size_out: a.ctx_size_out.min(size(ctx_out.len())?),
    })
}

/// `BPF_LINK_CREATE` (kernel 5.7; XDP 5.9): attaches `prog` to `target` (an ifindex for XDP).
pub fn link_create(
    prog: BorrowedFd<'_>,
    target: u32,
    attach_type: u32,
    flags: u32,
) -> std::result::Result<OwnedFd, i32> {
    let mut a = LinkCreateAttr {
        prog_fd: fd_u32(prog),
        target,
        attach_type,
        flags,
    };
    sys_bpf_fd(cmd::BPF_LINK_CREATE, &mut a)
}

/// `BPF_LINK_UPDATE`: swaps the link's program; with `old` set, only if `old` is attached now.
pub fn link_update(
    link: BorrowedFd<'_>,
    new_prog: BorrowedFd<'_>,
    old: Option<BorrowedFd<'_>>,
) -> std::result::Result<(), i32> {
    let mut a = LinkUpdateAttr {
        link_fd: fd_u32(link),
        new_prog_fd: fd_u32(new_prog),
        flags: if old.is_some() { BPF_F_REPLACE } else { 0 },
        old_prog_fd: old.map_or(0, fd_u32),
    };
    sys_bpf(cmd::BPF_LINK_UPDATE, &mut a).map(|_| ())
}

/// `BPF_LINK_DETACH` (kernel 5.9): detaches the link's program; the link fd stays valid.
pub fn link_detach(link: BorrowedFd<'_>) -> std::result::Result<(), i32> {
    let mut a = LinkUpdateAttr {
        link_fd: fd_u32(link),
        ..Default::default()
    };
    sys_bpf(cmd::BPF_LINK_DETACH, &mut a).map(|_| ())
}

/// `BPF_PROG_GET_FD_BY_ID` / `BPF_MAP_GET_FD_BY_ID` / `BPF_LINK_GET_FD_BY_ID` (pass the command).
pub fn get_fd_by_id(command: i32, id: u32) -> std::result::Result<OwnedFd, i32> {
    let mut a = GetIdAttr {
        id,
        ..Default::default()
    };
    sys_bpf_fd(command, &mut a)
}

/// `BPF_PROG_GET_NEXT_ID` / `BPF_MAP_GET_NEXT_ID`: the id after `start` (ENOENT at the end).
pub fn get_next_id(command: i32, start: u32) -> std::result::Result<u32, i32> {
    let mut a = GetIdAttr {
        id: start,
        ..Default::default()
    };
    sys_bpf(command, &mut a)?;
    Ok(a.next_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised_and_truncated() {
        let n = obj_name("a-very-long-name-here");
        assert_eq!(&n[..15], b"a_very_long_nam");
        assert_eq!(n[15], 0);
        assert_eq!(name_str(&n), "a_very_long_nam");
    }
}

/// The BTF of a program load: the loaded BTF object and the records that point into it.
#[derive(Clone, Copy, Debug)]
pub struct ProgBtf<'a> {
    /// `prog_btf_fd`.
    pub fd: BorrowedFd<'a>,
    /// `struct bpf_func_info` records (`insn_off`, `type_id`).
    pub func_info: &'a [[u32; 2]],
    /// `struct bpf_line_info` records (`insn_off`, `file_name_off`, `line_off`, `line_col`).
    pub line_info: &'a [[u32; 4]],
}
