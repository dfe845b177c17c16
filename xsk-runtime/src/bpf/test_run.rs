//! `BPF_PROG_TEST_RUN`: run a loaded program on a packet in the kernel, without an interface.
//!
//! - [`Program::test_run`]: the verdict, the packet as the program left it, and the kernel's
//!   average ns per run over `repeat` runs (kernel 4.12; XDP context `struct xdp_md` in 5.15).
//! - [`Program::run_live_frames`]: `BPF_F_TEST_XDP_LIVE_FRAMES` (kernel 5.18). The verdicts act
//!   for real: `XDP_TX` transmits the frame out of the interface given as `ingress_ifindex`,
//!   `XDP_REDIRECT` redirects it — a packet generator without a packet generator.

use crate::bpf::program::Program;
use crate::error::{Error, Result};
use crate::sys::bpf as sysbpf;

/// XDP verdicts (`enum xdp_action`): the type the program builders return them with, so a
/// test run's [`action`](TestRunResult::action) compares with what the program returns.
pub use ebpf_dsl::xdp::XdpAction;

/// `struct xdp_md` as a test run's context (kernel 5.15): which interface and queue the packet
/// pretends to arrive on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct XdpContext {
    /// `ingress_ifindex`: must exist in the caller's network namespace (0 = loopback's view,
    /// no device).
    pub ingress_ifindex: u32,
    /// `rx_queue_index`: must be below the interface's RX queue count.
    pub rx_queue_index: u32,
}

impl XdpContext {
    fn to_bytes(self, data_len: u32) -> [u8; 24] {
        let fields = [
            0u32,
            data_len,
            0,
            self.ingress_ifindex,
            self.rx_queue_index,
            0,
        ];
        let mut out = [0u8; 24];
        for (chunk, f) in out.chunks_exact_mut(4).zip(fields) {
            chunk.copy_from_slice(&f.to_ne_bytes());
        }
        out
    }
}

/// Options of [`Program::test_run_with`].
#[derive(Clone, Debug, Default)]
pub struct TestRunOptions {
    /// Runs (0 and 1 both mean once); the duration is averaged over them.
    pub repeat: u32,
    /// An XDP context (`struct xdp_md`), else none.
    pub xdp_context: Option<XdpContext>,
    /// Room for the output packet; default: input length + 4096 (programs may grow packets
    /// with `bpf_xdp_adjust_head`/`tail`).
    pub output_capacity: Option<usize>,
}

/// The outcome of [`Program::test_run`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestRunResult {
    /// The program's return value (r0, 32 bits).
    pub retval: u32,
    /// The packet after the program (empty if the kernel returned none).
    pub data_out: Vec<u8>,
    /// Average ns per run, as measured by the kernel.
    pub duration_ns: u32,
}

impl TestRunResult {
    /// The return value as an XDP verdict.
    pub fn action(&self) -> Option<XdpAction> {
        XdpAction::from_value(i64::from(self.retval))
    }
}

/// Options of [`Program::run_live_frames`].
#[derive(Clone, Debug)]
pub struct LiveFramesOptions {
    /// The interface frames are injected on (`xdp_md.ingress_ifindex`); `XDP_TX` sends out of
    /// it. In the caller's network namespace.
    pub ifindex: u32,
    /// `xdp_md.rx_queue_index`.
    pub rx_queue_index: u32,
    /// Frames to run (`repeat`).
    pub repeat: u32,
    /// Frames per batch (`batch_size`, default 64 when 0; the kernel caps it at 256).
    pub batch_size: u32,
}

impl Program {
    /// Runs the program once on `packet` (at least 14 bytes for XDP), `repeat` times
    /// (`BPF_PROG_TEST_RUN`, kernel 4.12).
    pub fn test_run(&self, packet: &[u8], repeat: u32) -> Result<TestRunResult> {
        self.test_run_with(
            packet,
            &TestRunOptions {
                repeat,
                ..Default::default()
            },
        )
    }

    /// [`Program::test_run`] with options.
    pub fn test_run_with(&self, packet: &[u8], opts: &TestRunOptions) -> Result<TestRunResult> {
        if packet.len() < 14 && self.prog_type() == Some(ebpf_dsl::ProgramType::Xdp) {
            return Err(Error::invalid(format!(
                "an XDP test run needs a packet of at least 14 bytes (an Ethernet header), got {}",
                packet.len()
            )));
        }
        let len = u32::try_from(packet.len()).map_err(|_| Error::invalid("packet too large"))?;
        let ctx = opts.xdp_context.map(|c| c.to_bytes(len));
        let mut out = vec![0u8; opts.output_capacity.unwrap_or(packet.len() + 4096)];
        let t = sysbpf::TestRun {
            data_in: packet,
            ctx_in: ctx.as_ref().map_or(&[][..], |c| &c[..]),
            repeat: opts.repeat,
            ..Default::default()
        };
        let r = sysbpf::prog_test_run(self.fd(), &t, &mut out, &mut []).map_err(|e| {
            let hint: std::borrow::Cow<'static, str> = match e {
                libc::ENOSPC => "the output packet is larger than output_capacity".into(),
                libc::EINVAL => test_run_einval_hint(self.prog_type()).into(),
                // 524 is the kernel's internal ENOTSUPP, which BPF_PROG_TEST_RUN returns for
                // program types without a test_run operation (kprobe, tracepoint, ...).
                libc::EOPNOTSUPP | 524 => match self.prog_type() {
                    Some(t) => format!(
                        "BPF_PROG_TEST_RUN is not supported for {t} programs by this kernel; \
                         it runs xdp, socket_filter, sched_cls, sched_act and a few tracing types"
                    )
                    .into(),
                    None => "BPF_PROG_TEST_RUN is not supported for this program type".into(),
                },
                _ => return Error::io("BPF_PROG_TEST_RUN", e),
            };
            Error::io_hint("BPF_PROG_TEST_RUN", e, hint)
        })?;
        out.truncate(r.data_size_out as usize);
        Ok(TestRunResult {
            retval: r.retval,
            data_out: out,
            duration_ns: r.duration,
        })
    }

    /// Injects `repeat` copies of `packet` through the program with
    /// `BPF_F_TEST_XDP_LIVE_FRAMES` (kernel 5.18): verdicts act for real, so `XDP_TX` transmits
    /// each frame out of `opts.ifindex` (the basis of `xsk-pktgen`). Returns the kernel's
    /// average ns per frame.
    ///
    /// The program should return `XDP_TX` or `XDP_REDIRECT`; `XDP_PASS` frames go to the stack
    /// and `XDP_DROP` frames are recycled. A kernel without live frames answers EINVAL (before
    /// 5.18) or, built or patched to refuse them, EPERM even to root: both come with a hint
    /// ([`LIVE_FRAMES_REFUSED_HINT`] for EPERM and EOPNOTSUPP).
    pub fn run_live_frames(&self, packet: &[u8], opts: &LiveFramesOptions) -> Result<u32> {
        if packet.len() < 14 {
            return Err(Error::invalid("a live frame needs at least 14 bytes"));
        }
        let len = u32::try_from(packet.len()).map_err(|_| Error::invalid("packet too large"))?;
        let ctx = XdpContext {
            ingress_ifindex: opts.ifindex,
            rx_queue_index: opts.rx_queue_index,
        }
        .to_bytes(len);
        let t = sysbpf::TestRun {
            data_in: packet,
            ctx_in: &ctx,
            repeat: opts.repeat.max(1),
            flags: sysbpf::BPF_F_TEST_XDP_LIVE_FRAMES,
            batch_size: opts.batch_size,
            ..Default::default()
        };
        let r = sysbpf::prog_test_run(self.fd(), &t, &mut [], &mut []).map_err(|e| {
            let hint = match e {
                libc::EINVAL => {
                    "live frames need kernel 5.18, an XDP program, a packet of 14+ bytes and at \
                     most a page, an existing ifindex and queue, and batch_size <= 256"
                }
                libc::EPERM | libc::EOPNOTSUPP | 524 => LIVE_FRAMES_REFUSED_HINT,
                _ => return Error::io("BPF_PROG_TEST_RUN(LIVE_FRAMES)", e),
            };
            Error::io_hint("BPF_PROG_TEST_RUN(LIVE_FRAMES)", e, hint)
        })?;
        Ok(r.duration)
    }
}

/// The hint of a live-frames run the kernel refused with EPERM or EOPNOTSUPP.
pub const LIVE_FRAMES_REFUSED_HINT: &str =
    "live frames need CAP_BPF and CAP_NET_ADMIN (or root), and a kernel that allows them: one \
     built or patched without them refuses even root (Features::probe().live_frames tells); \
     to send frames without them, use an AF_PACKET socket (xsk_runtime::os::PacketSender)";

/// What EINVAL from `BPF_PROG_TEST_RUN` most likely means for this program type.
fn test_run_einval_hint(prog_type: Option<ebpf_dsl::ProgramType>) -> &'static str {
    use ebpf_dsl::ProgramType as T;
    match prog_type {
        Some(T::Xdp) => {
            "the kernel refused the input: an XDP test packet needs 14+ bytes (and fits in a \
             page unless the program is loaded with BPF_F_XDP_HAS_FRAGS); an xdp_md context needs \
             kernel 5.15, an existing ingress_ifindex and rx_queue_index below its queue count"
        }
        Some(T::SocketFilter | T::SchedCls | T::SchedAct) => {
            "the kernel refused the input: a socket buffer test packet needs 14+ bytes (an \
             Ethernet header) and at most a page minus the skb's head- and tailroom (about 3,700 \
             bytes with 4 KiB pages)"
        }
        _ => "the kernel refused the input for this program type (size of the packet or context)",
    }
}
