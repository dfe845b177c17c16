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
//! ```text
//!  MapSpec / ProgramSpec (defmap!/defprogram!, ebpf_dsl::asm, the builder API)
//!     │
//!     ▼
//!  Loader ─► create maps ─► relocate map fds ─► BPF_PROG_LOAD ─► Loaded: maps and programs by name
//!     │                                                              │
//!     │                       Program::test_run / run_live_frames ◄──┤  (BPF_PROG_TEST_RUN)
//!     │                       XdpAttachment::attach ◄────────────────┘  (bpf_link, or IFLA_XDP)
//!     ▼
//!  Umem::new (XDP_UMEM_REG) ─► XskSocket::bind (ring sizes, mmap, bind to (ifindex, queue))
//!     ─► XskMap::set(queue, socket)      ── XskInterface::open does all of it in one call
//!
//!  rx: FillRing::fill_from ─► RxRing::recv (peek) ─► process ─► release ─► refill
//!  tx: TxRing::reserve ─► push ─► submit ─► kick_if_needed ─► CompletionRing::complete_into
//! ```
//!
//! # Modules
//!
//! | module | what it holds |
//! |---|---|
//! | [`maps`] | [`Map`](maps::Map) (any map spec; update flags, lookup, delete, keys, batches) and the typed wrappers `Array`, `HashMap`, `XskMap`, `DevMap`, `CpuMap`, `ProgArray` |
//! | [`program`] | map-fd relocation, [`Program`] loading with the verifier-log policy, the [`Loader`] that creates and relocates a whole set and hands back handles by name |
//! | [`attach`] | [`XdpAttachment`](attach::XdpAttachment): attach (bpf_link, or netlink in generic/driver/offload mode), replace, query, detach on drop, pin |
//! | [`test_run`] | `BPF_PROG_TEST_RUN`: verdict, output packet, ns per run; live frames (a packet generator) |
//! | [`pin`] | bpffs: mount if missing, pin and open maps and programs |
//! | [`features`] | what this kernel supports, found by asking it |
//! | [`umem`] | [`Umem`](umem::Umem), [`Frame`](umem::Frame) ownership, [`FreeList`](umem::FreeList) |
//! | [`ring`] | the single-producer/single-consumer ring protocol (libxdp's), as RAII batches |
//! | [`socket`] | [`XskSocket`](socket::XskSocket) and its typed fill/RX/TX/completion rings, wake-ups, statistics, shared UMEM |
//! | [`xsk`] | [`XskInterface`]: the guides' whole AF_XDP setup in one call, torn down on drop |
//! | [`netns`] | network namespaces and veth pairs, for tests and sandboxes |
//! | [`pod`] | the [`Pod`](pod::Pod) trait for typed map keys and values |
//! | [`sys`] | every raw system call and `#[repr(C)]` kernel struct |
//! | [`error`] | the crate's one [`Error`] type |
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
//! | busy polling for AF_XDP; BPF memory no longer charged to `RLIMIT_MEMLOCK` | 5.11 | [`socket::BusyPoll`], [`sys::remove_memlock_limit`] |
//! | `xdp_md` context in test runs | 5.15 | [`test_run`] |
//! | live frames (`BPF_F_TEST_XDP_LIVE_FRAMES`), multi-buffer XDP programs | 5.18 | [`test_run`], [`program::BPF_F_XDP_HAS_FRAGS`] |
//! | multi-buffer AF_XDP (`XDP_USE_SG`) | 6.6 | [`socket::SocketConfig::multi_buffer`] |
//! | TX metadata (`tx_metadata_len`) | 6.11 | [`umem::UmemConfig::tx_metadata_len`] |
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
//! | an XSKMAP update refused | the value must be a (bound) AF_XDP socket — see [`maps::XskMap`] |
//! | unknown interface | [`Error::UnknownInterface`]: how to list interfaces, per namespace |
//! | bind to a queue that does not exist | the interface's queue counts (`ethtool -l`) |
//! | zero-copy on a driver without it | use copy mode or [`socket::BindMode::ZeroCopyOrCopy`] |
//! | XDP mode the driver lacks, or a program already attached | the kernel's own message (extack) with a hint |
//!
//! # Safety
//!
//! `unsafe` lives only in [`sys`] (system calls, kernel structs, the UMEM's frame memory),
//! [`ring`] (the shared ring memory) and [`pod`] (byte views of plain-old-data values); every
//! block carries a `// SAFETY:` note.
#![deny(missing_docs)]

pub mod error;
pub mod sys;

pub use error::{Error, Result};
pub mod maps;
pub mod netns;
pub mod pod;
pub mod program;
pub mod ring;
pub mod socket;
pub mod umem;
pub mod xsk;
pub use program::{Loaded, Loader, Program};
pub use xsk::XskInterface;
pub mod attach;
mod btf_load;
pub mod features;
pub mod pin;
pub mod test_run;
