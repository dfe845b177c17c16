//! Feature probes: what this kernel supports, found by asking it (creating the object, setting
//! the flag), never by parsing version strings — distributions backport.
//!
//! Every probe is side-effect free: objects are created and closed at once, binds target
//! ifindex 0 (which never exists, so a kernel that accepts the flags answers ENODEV), the
//! bpf_link probe attaches to the loopback of a private network namespace made for it, and the
//! test-run probes use a program that returns `XDP_DROP`.
//!
//! ```no_run
//! let f = xsk_runtime::features::Features::probe();
//! println!("{f}");
//! assert!(f.xskmap.available);
//! ```

use std::fmt;
use std::os::fd::AsFd;

use ebpf_dsl::{Insn, MapSpec, MapType, ProgramType};

use crate::bpf::maps::Map;
use crate::bpf::program::{LoadOptions, Program, BPF_F_XDP_HAS_FRAGS};
use crate::bpf::test_run::XdpContext;
use crate::error::{errno_name, Error};
use crate::sys::bpf as sysbpf;
use crate::sys::xdp;

/// The answer to one probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probe {
    /// True if the kernel supports it.
    pub available: bool,
    /// How the kernel answered (e.g. "ENODEV: flags accepted", "EINVAL").
    pub detail: String,
}

impl Probe {
    fn yes(detail: impl Into<String>) -> Probe {
        Probe {
            available: true,
            detail: detail.into(),
        }
    }

    fn no(detail: impl Into<String>) -> Probe {
        Probe {
            available: false,
            detail: detail.into(),
        }
    }

    fn from_err(e: &Error) -> Probe {
        Probe::no(match e.errno() {
            Some(errno) => errno_name(errno).to_owned(),
            None => e.to_string(),
        })
    }
}

/// What the running kernel supports for XDP and AF_XDP.
#[derive(Clone, Debug)]
pub struct Features {
    /// `BPF_MAP_TYPE_XSKMAP` (kernel 4.18): created one.
    pub xskmap: Probe,
    /// AF_XDP sockets (kernel 4.18): `socket(AF_XDP, SOCK_RAW, 0)`.
    pub af_xdp: Probe,
    /// `XDP_USE_NEED_WAKEUP` (kernel 5.4): the bind flag is accepted and `XDP_MMAP_OFFSETS`
    /// has the ring-flags field.
    pub need_wakeup: Probe,
    /// `XDP_SHARED_UMEM` bind flag (kernel 4.18; sharing across queues and devices needs 5.10,
    /// which cannot be told without an interface).
    pub shared_umem: Probe,
    /// `XDP_USE_SG`: multi-buffer AF_XDP (kernel 6.6), the bind flag is accepted.
    pub multi_buffer_xsk: Probe,
    /// `BPF_F_XDP_HAS_FRAGS`: multi-buffer XDP programs (kernel 5.18), loaded one.
    pub xdp_frags: Probe,
    /// `BPF_LINK_CREATE` for XDP (kernel 5.9): attached one to `lo` of a private namespace.
    pub xdp_link: Probe,
    /// `BPF_PROG_TEST_RUN` of XDP programs (kernel 4.12).
    pub test_run: Probe,
    /// An `xdp_md` context in test runs (kernel 5.15).
    pub test_run_xdp_ctx: Probe,
    /// `BPF_F_TEST_XDP_LIVE_FRAMES` (kernel 5.18).
    pub live_frames: Probe,
    /// `BPF_MAP_LOOKUP_BATCH` (kernel 5.6) on a hash map.
    pub map_batch: Probe,
}

const DROP: [Insn; 2] = [Insn::new(0xb7, 0, 0, 0, 1), Insn::new(0x95, 0, 0, 0, 0)];

fn bind_flag_probe(flag: u16) -> Probe {
    let sock = match xdp::xsk_socket() {
        Ok(s) => s,
        Err(e) => return Probe::from_err(&e),
    };
    let addr = xdp::SockaddrXdp {
        sxdp_family: xdp::AF_XDP as u16,
        sxdp_flags: flag,
        sxdp_ifindex: 0,
        ..Default::default()
    };
    match xdp::bind(sock.as_fd(), &addr) {
        Err(libc::ENODEV) => Probe::yes("flag accepted (ENODEV for ifindex 0)"),
        Err(libc::EINVAL) => Probe::no("EINVAL: flag unknown"),
        Err(e) => Probe::no(errno_name(e)),
        Ok(()) => Probe::yes("bound"),
    }
}

/// Attaches `prog` with a bpf_link to the loopback of a brand-new network namespace that only
/// a short-lived thread is in, so nothing else ever sees it.
fn probe_xdp_link(prog: &Program) -> Probe {
    std::thread::scope(|s| {
        s.spawn(|| {
            if let Err(e) = crate::sys::unshare_net() {
                return Probe::from_err(&e);
            }
            match sysbpf::link_create(prog.fd(), 1, sysbpf::BPF_XDP, 0) {
                Ok(_) => Probe::yes("attached to lo of a private namespace"),
                Err(e) => Probe::no(errno_name(e)),
            }
        })
        .join()
        .unwrap_or_else(|_| Probe::no("probe thread panicked"))
    })
}

impl Features {
    /// Runs every probe (needs the privileges of a real program: CAP_BPF + CAP_NET_ADMIN, or
    /// root; without them most probes answer EPERM).
    pub fn probe() -> Features {
        let xskmap = match Map::create(&MapSpec {
            name: "probe_xsk".into(),
            map_type: MapType::Xskmap,
            key_size: 4,
            value_size: 4,
            max_entries: 1,
            flags: 0,
            btf: None,
            inner: None,
        }) {
            Ok(_) => Probe::yes("created"),
            Err(e) => Probe::from_err(&e),
        };
        let af_xdp = match xdp::xsk_socket() {
            Ok(_) => Probe::yes("socket created"),
            Err(e) => Probe::from_err(&e),
        };
        let mut need_wakeup = bind_flag_probe(xdp::XDP_USE_NEED_WAKEUP);
        if need_wakeup.available {
            // The ring flags word exists in the offsets since the same kernel (5.4).
            if let Ok(s) = xdp::xsk_socket() {
                if xdp::mmap_offsets(s.as_fd()).is_err() {
                    need_wakeup = Probe::no("XDP_MMAP_OFFSETS failed");
                }
            }
        }
        let shared_umem = bind_flag_probe(xdp::XDP_SHARED_UMEM);
        let multi_buffer_xsk = bind_flag_probe(xdp::XDP_USE_SG);

        let drop = Program::load_insns(
            "probe_drop",
            ProgramType::Xdp,
            "GPL",
            &DROP,
            &LoadOptions::default(),
        );
        let xdp_frags = match Program::load_insns(
            "probe_frags",
            ProgramType::Xdp,
            "GPL",
            &DROP,
            &LoadOptions {
                prog_flags: BPF_F_XDP_HAS_FRAGS,
                ..Default::default()
            },
        ) {
            Ok(_) => Probe::yes("loaded"),
            Err(e) => Probe::from_err(&e),
        };
        let (xdp_link, test_run, test_run_xdp_ctx, live_frames) = match &drop {
            Err(e) => {
                let p = Probe::from_err(e);
                (p.clone(), p.clone(), p.clone(), p)
            }
            Ok(p) => {
                let link = probe_xdp_link(p);
                let pkt = [0u8; 64];
                let tr = match p.test_run(&pkt, 1) {
                    Ok(_) => Probe::yes("ran"),
                    Err(e) => Probe::from_err(&e),
                };
                let ctx = match p.test_run_with(
                    &pkt,
                    &crate::bpf::test_run::TestRunOptions {
                        repeat: 1,
                        xdp_context: Some(XdpContext {
                            ingress_ifindex: 1,
                            rx_queue_index: 0,
                        }),
                        output_capacity: None,
                    },
                ) {
                    Ok(_) => Probe::yes("ran with xdp_md"),
                    Err(e) => Probe::from_err(&e),
                };
                // XDP_DROP on loopback's ingress: nothing leaves the host.
                let live = match p.run_live_frames(
                    &pkt,
                    &crate::bpf::test_run::LiveFramesOptions {
                        ifindex: 1,
                        rx_queue_index: 0,
                        repeat: 1,
                        batch_size: 1,
                    },
                ) {
                    Ok(_) => Probe::yes("ran one dropped frame"),
                    Err(e) => Probe::from_err(&e),
                };
                (link, tr, ctx, live)
            }
        };
        let map_batch = match crate::bpf::maps::HashMap::<u32, u32>::create("probe_batch", 1) {
            Ok(h) => match h.map().lookup_batch(1, false) {
                Ok(_) => Probe::yes("BPF_MAP_LOOKUP_BATCH answered"),
                Err(e) => Probe::from_err(&e),
            },
            Err(e) => Probe::from_err(&e),
        };
        Features {
            xskmap,
            af_xdp,
            need_wakeup,
            shared_umem,
            multi_buffer_xsk,
            xdp_frags,
            xdp_link,
            test_run,
            test_run_xdp_ctx,
            live_frames,
            map_batch,
        }
    }

    /// (name, minimum kernel, probe) for every feature, in table order.
    pub fn rows(&self) -> Vec<(&'static str, &'static str, &Probe)> {
        vec![
            ("XSKMAP", "4.18", &self.xskmap),
            ("AF_XDP sockets", "4.18", &self.af_xdp),
            ("need_wakeup", "5.4", &self.need_wakeup),
            ("shared UMEM (bind flag)", "4.18", &self.shared_umem),
            (
                "multi-buffer AF_XDP (XDP_USE_SG)",
                "6.6",
                &self.multi_buffer_xsk,
            ),
            (
                "multi-buffer XDP (BPF_F_XDP_HAS_FRAGS)",
                "5.18",
                &self.xdp_frags,
            ),
            ("bpf_link for XDP", "5.9", &self.xdp_link),
            ("BPF_PROG_TEST_RUN (XDP)", "4.12", &self.test_run),
            ("test run with xdp_md", "5.15", &self.test_run_xdp_ctx),
            ("live frames (XDP_LIVE_FRAMES)", "5.18", &self.live_frames),
            ("map batch operations", "5.6", &self.map_batch),
        ]
    }
}

impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<40} {:<6} {:<9} how the kernel answered",
            "feature", "since", "available"
        )?;
        for (name, since, p) in self.rows() {
            writeln!(
                f,
                "{:<40} {:<6} {:<9} {}",
                name,
                since,
                if p.available { "yes" } else { "no" },
                p.detail
            )?;
        }
        Ok(())
    }
}

/// The helpers (by id, 1 to [`ebpf_dsl::helpers::MAX_HELPER_ID`]) that the running kernel
/// refuses to programs of `prog_type`, asked of it the way libbpf's
/// `libbpf_probe_bpf_helper` and `bpftool feature probe` ask: one `call N; r0 = 0; exit`
/// loaded (GPL, root) per helper, refused when the verifier says "program of this type
/// cannot use helper" (or "unknown func": a helper newer than the kernel). Any other
/// refusal (the uninitialised arguments, a GPL-only helper) means the helper is offered.
///
/// Give the answer to the static verifier
/// ([`ebpf_dsl::verifier::VerifyInput::unavailable_helpers`]) to judge a program as this
/// kernel will: a kernel built or patched without a helper its release has refuses a call of
/// it, which the release's table alone cannot know. About 200 loads, once per program type
/// and process (cached).
///
/// Errors: the first load refused for want of privileges (`EPERM`, with the hint), or no
/// `bpf(2)` at all.
pub fn unavailable_helpers(prog_type: ProgramType) -> Result<&'static [u32], Error> {
    use std::sync::Mutex;
    type Cache = Vec<(ProgramType, &'static [u32])>;
    static CACHE: Mutex<Cache> = Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, ids)) = cache.iter().find(|(t, _)| *t == prog_type) {
        return Ok(ids);
    }
    let ids: &'static [u32] = Box::leak(probe_unavailable(prog_type)?.into_boxed_slice());
    cache.push((prog_type, ids));
    Ok(ids)
}

/// Whether this kernel reads the `arg:ctx` decl tag of a global function's argument (upstream
/// 6.8): an XDP program whose global function takes a `void *` tagged `arg:ctx` loads. An
/// older kernel ignores the tag and refuses the function ("arg#0 reference type('UNKNOWN ')
/// size cannot be determined"); the loader then writes such an argument as a pointer to the
/// program type's context structure, which every kernel with global functions takes as the
/// context. False too when the probe cannot load at all (no privileges, no BTF): the typed
/// pointer is the form that loads wherever global functions do. Asked once, then cached.
pub fn global_arg_ctx_tag() -> bool {
    crate::bpf::btf::kernel_reads_arg_ctx_tag()
}

/// The probe of [`unavailable_helpers`], uncached.
fn probe_unavailable(prog_type: ProgramType) -> Result<Vec<u32>, Error> {
    let mut log = vec![0u8; 1 << 14];
    let mut refused = Vec::new();
    for id in 1..=ebpf_dsl::helpers::MAX_HELPER_ID {
        let insns = [
            Insn::new(0x85, 0, 0, 0, id as i32),
            Insn::new(0xb7, 0, 0, 0, 0),
            Insn::new(0x95, 0, 0, 0, 0),
        ];
        log.fill(0);
        let load = sysbpf::ProgLoad {
            prog_type: prog_type.as_u32(),
            insns: &insns,
            license: c"GPL",
            name: "probe_helper",
            expected_attach_type: 0,
            prog_flags: 0,
            ifindex: 0,
            log_level: 1,
            btf: None,
            attach: None,
        };
        match sysbpf::prog_load(&load, &mut log) {
            // Cannot happen (r1 is not set), but a kernel that took it offers the helper.
            Ok(_) => {}
            Err((errno, _)) if errno == libc::EPERM || errno == libc::ENOSYS => {
                return Err(Error::io("BPF_PROG_LOAD (helper probe)", errno));
            }
            Err(_) => {
                let end = log.iter().position(|&b| b == 0).unwrap_or(log.len());
                let text = String::from_utf8_lossy(&log[..end]);
                if text.contains("cannot use helper")
                    || text.contains("unknown func")
                    || text.contains("invalid func")
                {
                    refused.push(id);
                }
            }
        }
    }
    Ok(refused)
}
