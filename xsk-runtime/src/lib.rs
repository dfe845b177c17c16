//! # xsk-runtime
//!
//! Everything between a `const` program of [`ebpf_dsl`] and packets in user space, in pure
//! Rust over raw system calls — no libbpf, no libxdp, no C. It creates eBPF maps, patches their
//! fds into programs, loads programs (with the verifier's log when the kernel refuses),
//! attaches XDP programs to interfaces (bpf_link first, netlink as the fallback), runs them on
//! test packets, and moves packets between the kernel and user space through AF_XDP sockets:
//! UMEM and the four rings. Linux only.
//!
//! # Data flow
//!
//! Two halves with one seam: [`bpf`] takes a program from its spec to an attached program,
//! [`xsk`] moves packets between the kernel and user space; [`xsk::interface`] joins them.
//!
//! ```text
//!  MapSpec / ProgramSpec (defmap!/defprogram!, ebpf_dsl::asm, the builder API)
//!     │
//!     ▼  bpf/
//!  maps/ (create) ─► program (relocate map fds, BPF_PROG_LOAD) ─► loader: Loaded, by name
//!     │                                                               │
//!     │                        test_run: Program::test_run / run_live_frames ◄──┤
//!     │                        attach: XdpAttachment (bpf_link, or IFLA_XDP) ◄──┘   pin, features
//!     ▼  xsk/
//!  umem: Umem::new (memory + XDP_UMEM_REG) ─► queue: DeviceQueue per (ifindex, queue), owner
//!     of its fill + completion rings ─► socket: XskSocket::bind (RX/TX rings, bind)
//!     ─► XskMap::set(queue, socket)      ── interface: XskInterface::open does all of it
//!
//!  rx: FillRing::fill_from ─► RxRing::recv (peek) ─► process ─► release ─► refill
//!  tx: TxRing::reserve ─► push ─► submit ─► kick_if_needed ─► CompletionRing::complete_into
//! ```
//!
//! # Modules
//!
//! | module | what it holds |
//! |---|---|
//! | [`bpf::maps`] | [`Map`](maps::Map) (any map spec; update flags, lookup, delete, keys) and, one file per kind, batch operations, `Array`, `HashMap`, the redirect maps `XskMap`, `DevMap`, `CpuMap`, and `ProgArray` |
//! | [`bpf::program`] | map-fd relocation, [`Program`] loading with the verifier-log policy |
//! | [`bpf::loader`] | the [`Loader`] that creates and relocates a whole set and hands back handles by name ([`Loaded`]) |
//! | [`bpf::attach`] | [`XdpAttachment`](attach::XdpAttachment): attach (bpf_link, or netlink in generic/driver/offload mode), replace, query, detach on drop, pin |
//! | [`bpf::test_run`] | `BPF_PROG_TEST_RUN`: verdict, output packet, ns per run; live frames (a packet generator) |
//! | [`bpf::multiprog`] | libxdp's multi-program dispatcher (version 2): join `xdp-loader` / `xdp-filter` on one interface in priority order (`AttachMethod::Multiprog`) |
//! | [`bpf::pin`] | bpffs: mount if missing, pin and open maps and programs |
//! | [`bpf::features`] | what this kernel supports, found by asking it |
//! | [`xsk::ring`] | the single-producer/single-consumer ring protocol (libxdp's), as RAII batches |
//! | [`xsk::frame`] | the UMEM's memory as owned [`Frame`](umem::Frame) tokens |
//! | [`xsk::umem`] | [`Umem`](umem::Umem) (memory + registration), [`FreeList`](umem::FreeList), [`RxPacket`](umem::RxPacket) |
//! | `xsk/queue.rs` | `DeviceQueue`: the per-(ifindex, queue) owner of a UMEM's fill and completion rings, shared by the sockets of the queue |
//! | `xsk/{fill,completion,rx,tx}.rs` | the four typed rings and their batches (re-exported by [`xsk::socket`]) |
//! | [`xsk::socket`] | [`XskSocket`](socket::XskSocket): bind, wake-ups, statistics, shared UMEM; `xsk/setup.rs`: [`SocketConfig`](socket::SocketConfig) and ring setup; `xsk/reclaim.rs`: no frame lost on close |
//! | [`xsk::interface`] | [`XskInterface`]: the guides' whole AF_XDP setup in one call, torn down on drop |
//! | [`abi`] | the few kernel structs and constants users meet ([`XdpDesc`](abi::XdpDesc), statistics, `XDP_FLAGS_*`) |
//! | [`os`] | safe OS helpers: interface indexes, queue counts, network namespaces, memlock, bpffs |
//! | [`pod`] | the [`Pod`](pod::Pod) trait for typed map keys and values |
//! | [`error`] | the crate's one [`Error`] type |
//! | `sys` (private) | every raw system call and `#[repr(C)]` kernel struct: `bpf(2)`, netlink, AF_XDP sockets, `mmap`, the ethtool ioctl |
//!
//! The old flat paths (`xsk_runtime::maps`, `program`, `attach`, `test_run`, `pin`,
//! `features`, `umem`, `socket`, `ring`) stay as re-exports of the modules above.
//!
//! # Example
//!
//! Load a program, run it on a test packet, attach it; then receive on every queue of an
//! interface with AF_XDP. (Needs root; `no_run` here.)
//!
//! ```no_run
//! use xsk_runtime::attach::{AttachOptions, XdpAttachment};
//! use xsk_runtime::test_run::XdpAction;
//! use xsk_runtime::xsk::{RedirectProgram, XskInterfaceConfig};
//! use xsk_runtime::{Loader, XskInterface};
//!
//! // 1. A program (here from assembly text; `defprogram!` gives the same `ProgramSpec`).
//! let spec = ebpf_dsl::asm::assemble("r0 = XDP_PASS\nexit")
//!     .expect("assembles")
//!     .into_program_spec("pass", ebpf_dsl::ProgramType::Xdp, "GPL", Vec::new());
//! let mut loaded = Loader::new().program(spec).load()?; // verifier log in the error if refused
//! let prog = loaded.take_program("pass")?;
//!
//! // 2. Run it in the kernel on a packet, 1000 times.
//! let run = prog.test_run(&[0u8; 64], 1000)?;
//! assert_eq!(run.action(), Some(XdpAction::Pass));
//! println!("{} ns per run", run.duration_ns);
//!
//! // 3. Attach it (bpf_link; detached when `link` is dropped or the process dies).
//! let link = XdpAttachment::attach_by_name(&prog, "eth0", AttachOptions::default())?;
//! drop(link);
//!
//! // 4. AF_XDP: UMEM, a socket per queue, XSKMAP, redirect program, attachment — one call.
//! let config = XskInterfaceConfig { program: RedirectProgram::Udp, ..Default::default() };
//! let mut xsk = XskInterface::open("eth0", &config)?;
//! let umem = xsk.umem().clone();
//! for q in xsk.queues_mut() {
//!     let rings = q.socket.rings();
//!     let (Some(fill), Some(rx)) = (rings.fill, rings.rx) else { continue };
//!     fill.fill_from(&mut q.free, 64); // empty frames for the kernel
//!     fill.wake_if_needed()?; // a syscall only if the kernel asks (need_wakeup)
//!     let mut batch = rx.recv(64);
//!     for packet in batch.by_ref() {
//!         println!("{} bytes", umem.packet(&packet).len());
//!         let _ = q.free.push(packet.into_frame()); // the frame goes home
//!     }
//!     batch.release();
//! }
//! # Ok::<(), xsk_runtime::Error>(())
//! ```
//!
//! Configurations are checked before any system call, so this part runs anywhere:
//!
//! ```
//! use xsk_runtime::socket::SocketConfig;
//! use xsk_runtime::umem::UmemConfig;
//!
//! let bad = SocketConfig { rx_size: 1000, ..Default::default() };
//! let err = bad.validate().unwrap_err().to_string();
//! assert!(err.contains("not a power of two"), "{err}");
//! assert!(UmemConfig { frame_size: 2048, ..Default::default() }.validate().is_ok());
//! ```
//!
//! # Kernel features
//!
//! [`features::Features::probe`] asks the running kernel; the versions below are where each
//! feature first appeared upstream (distributions backport, so probe rather than compare).
//!
//! | feature | minimum kernel | where |
//! |---|---|---|
//! | `BPF_PROG_TEST_RUN` for XDP | 4.12 | [`test_run`] |
//! | AF_XDP sockets, XSKMAP, copy mode, shared UMEM on one queue | 4.18 | [`socket`], [`maps::XskMap`] |
//! | zero-copy, `XDP_COPY` / `XDP_ZEROCOPY` bind flags | 5.0 | [`socket::BindMode`] |
//! | `XDP_OPTIONS` | 5.3 | [`socket::XskSocket::options`] |
//! | need_wakeup, unaligned chunks | 5.4 | [`socket`], [`umem::UmemConfig`] |
//! | batch map operations | 5.6 | [`maps::Map::lookup_batch`] |
//! | bpf_link for XDP | 5.9 | [`attach`] |
//! | shared UMEM across queues and interfaces; unbound sockets accepted in an XSKMAP | 5.10 | [`socket`], [`maps::XskMap`] |
//! | busy polling for AF_XDP; BPF memory no longer charged to `RLIMIT_MEMLOCK` | 5.11 | [`socket::BusyPoll`], [`os::remove_memlock_limit`] |
//! | `xdp_md` context in test runs | 5.15 | [`test_run`] |
//! | live frames (`BPF_F_TEST_XDP_LIVE_FRAMES`), multi-buffer XDP programs | 5.18 | [`test_run`], [`program::BPF_F_XDP_HAS_FRAGS`] |
//! | device-bound XDP programs, XDP RX metadata kfuncs (hash, timestamp; VLAN tag 6.8); their results to AF_XDP need `bpf_xdp_adjust_meta` (4.15), which a kernel may withhold ([`xsk::metadata::check_rx_metadata_support`]) | 6.3 | [`bpf::kfunc`], [`program::LoadOptions::device_bound`], [`umem::Umem::rx_metadata`] |
//! | multi-buffer AF_XDP (`XDP_USE_SG`) | 6.6 | [`socket::SocketConfig::multi_buffer`] |
//! | a global function's context argument by its `arg:ctx` tag (a `void *`); older kernels get it typed as the context structure, probed: [`features::global_arg_ctx_tag`] | 6.8 | [`program::LoadOptions::globals`] |
//! | TX metadata (`tx_metadata_len`, `XDP_TX_METADATA`: timestamp, checksum; launch time 6.14) | 6.8 (the `XDP_UMEM_TX_METADATA_LEN` flag we use: 6.11) | [`umem::UmemConfig::tx_metadata_len`], [`xsk::tx_metadata`] |
//! | `XDP_MAX_TX_SKB_BUDGET` | 6.17 | [`socket::XskSocket::set_max_tx_skb_budget`] |
//!
//! # Errors
//!
//! One [`Error`] type. Each error names the operation, the errno, and what to do:
//!
//! | symptom | hint given |
//! |---|---|
//! | EPERM from `bpf(2)` | needs CAP_BPF + CAP_NET_ADMIN, or root; before 5.11 also `RLIMIT_MEMLOCK` |
//! | the verifier refuses a program | [`Error::Verifier`] keeps the whole log; `Display` shows its last lines |
//! | a helper the kernel does not offer to the program's type (a kernel built or patched without it) | [`Error::withheld_helper`] names it (probe: [`features::unavailable_helpers`]); [`Error::HelperUnavailable`] when found before loading |
//! | an XSKMAP update refused | the value must be a (bound) AF_XDP socket — see [`maps::XskMap`] |
//! | unknown interface | [`Error::UnknownInterface`]: how to list interfaces, per namespace |
//! | bind to a queue that does not exist | the interface's queue counts (`ethtool -l`) |
//! | zero-copy on a driver without it | use copy mode or [`socket::BindMode::ZeroCopyOrCopy`] |
//! | XDP mode the driver lacks, or a program already attached | the kernel's own message (extack) with a hint |
//!
//! # Safety
//!
//! `unsafe` lives only in the private `sys` module (system calls, kernel structs, mappings),
//! [`xsk::frame`] (the UMEM's frame memory), [`xsk::ring`] (the shared ring memory),
//! [`ringbuf`] (the ring buffer's shared positions and record headers), [`pod`] (byte views
//! of plain-old-data values) and, with the `tokio` feature, `async_io` (registering owned
//! descriptors with tokio); every block carries a `// SAFETY:` note, which
//! `clippy::undocumented_unsafe_blocks` (denied) enforces.
#![deny(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(unnameable_types)]

#[cfg(feature = "tokio")]
pub mod async_io;
pub mod error;
// The kernel ABI mirrors the kernel's headers whole; not every constant or call is used.
#[allow(dead_code)]
pub(crate) mod sys;

pub mod abi;
pub mod os;

pub use error::{Error, Result};
pub mod bpf;
pub mod pod;
pub mod xsk;
pub use bpf::loader::{Loaded, Loader};
pub use bpf::maps::{percpu, ringbuf, typed as typed_maps};
pub use bpf::program::Program;
pub use bpf::{attach, features, maps, multiprog, pin, program, test_run};
pub use xsk::{ring, socket, umem, wait, XskInterface};
