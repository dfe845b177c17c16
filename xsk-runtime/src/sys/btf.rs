//! `BPF_BTF_LOAD` and the BTF parts of `BPF_PROG_LOAD` (`prog_btf_fd`, `func_info`,
//! `line_info`).

use std::os::fd::OwnedFd;

use super::bpf::sys_bpf_fd;

/// `BPF_BTF_LOAD` in `enum bpf_cmd` (kernel 4.18).
pub const BPF_BTF_LOAD: i32 = 18;

/// `union bpf_attr` for `BPF_BTF_LOAD`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct BtfLoadAttr {
    /// `btf`: the blob.
    pub btf: u64,
    /// `btf_log_buf`.
    pub btf_log_buf: u64,
    /// `btf_size`.
    pub btf_size: u32,
    /// `btf_log_size`.
    pub btf_log_size: u32,
    /// `btf_log_level`.
    pub btf_log_level: u32,
    /// `btf_log_true_size` (kernel 6.4).
    pub btf_log_true_size: u32,
}
const _: () = assert!(core::mem::size_of::<BtfLoadAttr>() == 32);

/// `BPF_BTF_LOAD`: the BTF object's fd, or the errno and the kernel's log (when `log` is not
/// empty).
pub fn btf_load(blob: &[u8], log: &mut [u8]) -> Result<OwnedFd, i32> {
    let btf_size = u32::try_from(blob.len()).map_err(|_| libc::E2BIG)?;
    let log_size = u32::try_from(log.len()).map_err(|_| libc::EINVAL)?;
    let mut a = BtfLoadAttr {
        btf: blob.as_ptr() as u64,
        btf_size,
        btf_log_buf: if log.is_empty() {
            0
        } else {
            log.as_mut_ptr() as u64
        },
        btf_log_size: log_size,
        btf_log_level: u32::from(!log.is_empty()),
        btf_log_true_size: 0,
    };
    sys_bpf_fd(BPF_BTF_LOAD, &mut a)
}
