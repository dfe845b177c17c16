//! A kernel-exact eBPF interpreter for unit tests: run a [`ProgramSpec`] on a packet, a
//! context or raw memory, without root, on any OS.
//!
//! - Every ISA v1–v4 instruction with RFC 9669's semantics (division by zero gives 0, modulo
//!   by zero keeps `dst`, shift amounts masked, sign extension, atomics, 32-bit results
//!   zero-extended), bpf-to-bpf calls with their own 512-byte stack frames, tail calls.
//! - Memory is regions (stack frames, context, packet, map values, ring-buffer records);
//!   every access is checked, and one out of bounds is a [`VmError`] naming the instruction,
//!   the address and the region — never undefined behaviour, never a panic.
//! - Maps live in memory ([`Map`]): the test seeds them before a run and reads them after.
//! - Helpers: map operations, `bpf_redirect`/`bpf_redirect_map` (the target is recorded in
//!   [`XdpOutcome::redirect`]), `bpf_xdp_adjust_head/meta/tail`, `bpf_csum_diff`,
//!   `bpf_fib_lookup` (routes from [`Vm::route`]), the clocks ([`Vm::clock`]),
//!   `bpf_get_prandom_u32` (seeded, [`Vm::seed`]), `bpf_tail_call`, the ring buffer, and
//!   `bpf_trace_printk` ([`Vm::printk`]).
//! - Trace mode ([`Vm::trace`]): every executed instruction with the registers it changed.
//!
//! ```
//! use ebpf_dsl::vm::Vm;
//! use ebpf_dsl::xdp::XdpAction;
//!
//! // Drop IPv4 packets, pass the rest; count the drops in an array map.
//! let spec = ebpf_dsl::vm::spec_from_text("drop_v4", "
//!     r2 = *(u32 *)(r1 + 0)
//!     r3 = *(u32 *)(r1 + 4)
//!     r4 = r2
//!     r4 += 14
//!     if r4 > r3 goto pass
//!     r5 = *(u16 *)(r2 + 12)
//!     if r5 != 0x8 goto pass       # htons(ETH_P_IP), read little-endian
//!     r1 = 0
//!     *(u32 *)(r10 - 4) = r1
//!     r2 = r10
//!     r2 += -4
//!     r1 = drops ll
//!     call bpf_map_lookup_elem
//!     if r0 == 0 goto drop
//!     r1 = 1
//!     lock *(u64 *)(r0 + 0) += r1
//! drop:
//!     r0 = XDP_DROP
//!     exit
//! pass:
//!     r0 = XDP_PASS
//!     exit
//! ", &[ebpf_dsl::MapSpec {
//!     name: "drops".into(), map_type: ebpf_dsl::MapType::Array,
//!     key_size: 4, value_size: 8, max_entries: 1, flags: 0, btf: None, inner: None,
//! }])?;
//! let mut vm = Vm::new(&spec)?;
//! let mut ipv4 = vec![0u8; 34];
//! ipv4[12..14].copy_from_slice(&[0x08, 0x00]);
//! assert_eq!(vm.run_xdp(&ipv4)?.action, Some(XdpAction::Drop));
//! assert_eq!(vm.run_xdp(&[0u8; 60])?.action, Some(XdpAction::Pass));
//! let drops = vm.map("drops").unwrap().lookup(&0u32.to_le_bytes()).unwrap();
//! assert_eq!(drops, 1u64.to_le_bytes());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alu;
pub mod cli;
mod env;
mod error;
mod exec;
mod fast;
mod hasher;
mod helpers;
mod interp;
mod machine;
mod maps;
mod memory;
mod trace;
mod xdp;

use std::collections::HashMap;

pub use env::{Env, FibRoute, Redirect};
pub use error::{RegionName, VmError, VmErrorKind};
pub use maps::{Map, MapError, BPF_ANY, BPF_EXIST, BPF_NOEXIST};
use memory::skb;
pub use memory::skb::{SkbInput, SkbOutcome, SKB_HEADROOM};
pub use trace::{render as render_trace, TraceEntry};
pub use xdp::{
    XdpFrame, XdpInput, XdpOutcome, XdpView, FRAME_SIZE, SHARED_INFO_SIZE, XDP_HEADROOM,
};

use crate::decode::{decode_indexed, Decoded};
use crate::spec::{MapSpec, ProgramSpec};
use crate::xdp::XdpAction;
use machine::{Loaded, Machine};
use memory::{CtxKind, Memory};

/// Assembles `text` into an XDP [`ProgramSpec`] named `name` declaring `maps`: a shortcut
/// for tests of text programs (`defprogram!` and the builder give a `ProgramSpec` directly).
pub fn spec_from_text(
    name: &str,
    text: &str,
    maps: &[MapSpec],
) -> Result<ProgramSpec, crate::Error> {
    let a = crate::assemble(text)?;
    Ok(ProgramSpec {
        name: name.to_string().into(),
        prog_type: crate::spec::ProgramType::Xdp,
        license: "GPL".into(),
        insns: a.insns.into(),
        relocations: a.relocations.into(),
        maps: maps.to_vec().into(),
        lines: Default::default(),
    })
}

/// Names a map of a [`Vm`]: its `defmap!` item ([`MapDef`](crate::MapDef)), its [`MapSpec`] or its name.
pub trait MapName {
    /// The map's name.
    fn map_name(&self) -> &str;
}

impl MapName for MapSpec {
    fn map_name(&self) -> &str {
        self.name_str()
    }
}
impl<K, V, Kind> MapName for crate::mapdef::MapDef<K, V, Kind> {
    fn map_name(&self) -> &str {
        self.spec().name_str()
    }
}
impl MapName for str {
    fn map_name(&self) -> &str {
        self
    }
}
impl MapName for String {
    fn map_name(&self) -> &str {
        self
    }
}

/// The virtual machine: programs (the first is the entry point, others are tail-call
/// targets), their maps, and the environment (clock, random seed, routes, CPU).
pub struct Vm {
    progs: Vec<Loaded>,
    fd_maps: HashMap<i32, usize>,
    env: Env,
    cpus: usize,
    cpu: usize,
    trace: Option<Vec<TraceEntry>>,
    step_limit: u64,
    prog_type: crate::ProgramType,
    /// The memory of the runs, with the maps: the next run reuses it (its allocations), and
    /// it stays in place (no copies or moves of it per run).
    mem: Memory,
}

impl Vm {
    /// A VM running `spec`, with an empty map (arrays: all zero) for each of its maps.
    ///
    /// Fails if the program does not decode or a relocation names a map it does not declare.
    pub fn new(spec: &ProgramSpec) -> Result<Vm, VmError> {
        let mut vm = Vm {
            progs: Vec::new(),
            fd_maps: HashMap::new(),
            env: Env::default(),
            cpus: 1,
            cpu: 0,
            trace: None,
            step_limit: 100_000_000,
            prog_type: spec.prog_type,
            mem: Memory::new(Vec::new(), 0),
        };
        vm.add_program(spec)?;
        Ok(vm)
    }

    /// Adds a program (a tail-call target) that shares the VM's maps by name; returns the
    /// number to store in a PROG_ARRAY (see [`Vm::set_tail_call`]).
    pub fn add_program(&mut self, spec: &ProgramSpec) -> Result<u32, VmError> {
        let name = spec.name.to_string();
        let fail = |pc, kind| VmError {
            pc,
            program: name.clone(),
            kind,
        };
        let decoded =
            decode_indexed(&spec.insns).map_err(|e| fail(e.index, VmErrorKind::Decode(e)))?;
        let mut slots: Vec<Option<Decoded>> = vec![None; spec.insns.len()];
        for (i, d) in decoded {
            slots[i] = Some(d);
        }
        let mut map_refs = hasher::FastMap::default();
        for r in spec.relocations.iter() {
            let idx = match self.mem.maps.iter().position(|m| m.name() == r.symbol) {
                Some(i) => i,
                None => {
                    let Some(ms) = spec.maps.iter().find(|m| m.name_str() == r.symbol) else {
                        return Err(fail(
                            r.insn_index,
                            VmErrorKind::Unsupported {
                                what: format!("relocation to undeclared map `{}`", r.symbol),
                            },
                        ));
                    };
                    self.mem.maps.push(Map::new(ms, self.cpus));
                    self.mem.maps.len() - 1
                }
            };
            map_refs.insert(r.insn_index, idx);
        }
        for ms in spec.maps.iter() {
            if !self.mem.maps.iter().any(|m| m.name() == ms.name_str()) {
                self.mem.maps.push(Map::new(ms, self.cpus));
            }
        }
        let code = fast::compile(&slots, &map_refs);
        self.progs.push(Loaded {
            name,
            slots,
            map_refs,
            code,
        });
        Ok(self.progs.len() as u32 - 1)
    }

    /// Adds `target` and stores it in slot `index` of the PROG_ARRAY `prog_array`.
    pub fn set_tail_call(
        &mut self,
        prog_array: &(impl MapName + ?Sized),
        index: u32,
        target: &ProgramSpec,
    ) -> Result<(), VmError> {
        let n = self.add_program(target)?;
        let name = prog_array.map_name().to_string();
        let map = self.map_mut(&name).ok_or_else(|| VmError {
            pc: 0,
            program: target.name.to_string(),
            kind: VmErrorKind::Unsupported {
                what: format!("no map named `{name}`"),
            },
        })?;
        map.update(&index.to_le_bytes(), &n.to_le_bytes(), BPF_ANY)
            .map_err(|e| VmError {
                pc: 0,
                program: target.name.to_string(),
                kind: VmErrorKind::Unsupported {
                    what: format!("PROG_ARRAY `{name}` slot {index}: {e}"),
                },
            })
    }

    /// Makes a raw `ld_imm64 rX = map_fd(fd)` without relocation (bytes from elsewhere)
    /// name a new map for `spec`.
    pub fn map_fd(mut self, fd: i32, spec: &MapSpec) -> Vm {
        self.mem.maps.push(Map::new(spec, self.cpus));
        self.fd_maps.insert(fd, self.mem.maps.len() - 1);
        self
    }

    /// The map named `name` (by spec or by name).
    pub fn map(&self, name: &(impl MapName + ?Sized)) -> Option<&Map> {
        self.mem.maps.iter().find(|m| m.name() == name.map_name())
    }

    /// The map named `name`, to seed it or change it between runs.
    pub fn map_mut(&mut self, name: &(impl MapName + ?Sized)) -> Option<&mut Map> {
        self.mem
            .maps
            .iter_mut()
            .find(|m| m.name() == name.map_name())
    }

    /// Every map.
    pub fn maps(&self) -> &[Map] {
        &self.mem.maps
    }

    /// Seeds one element of a map before the run (`BPF_ANY`); chains.
    pub fn with_entry(
        mut self,
        map: &(impl MapName + ?Sized),
        key: &[u8],
        value: &[u8],
    ) -> Result<Vm, MapError> {
        let name = map.map_name().to_string();
        let m = self.map_mut(&name).ok_or_else(|| MapError {
            errno: 2,
            why: format!("no map named `{name}`"),
        })?;
        m.update(key, value, BPF_ANY)?;
        Ok(self)
    }

    /// The number of CPUs of per-CPU maps (default 1); recreates the per-CPU maps empty.
    pub fn cpus(mut self, n: usize) -> Vm {
        self.cpus = n.max(1);
        for m in &mut self.mem.maps {
            if m.is_percpu() {
                *m = Map::new(&m.spec().clone(), self.cpus);
            }
        }
        self
    }

    /// The CPU the program runs on (`bpf_get_smp_processor_id`, per-CPU values); default 0.
    pub fn on_cpu(mut self, cpu: usize) -> Vm {
        self.cpu = cpu.min(self.cpus - 1);
        self
    }

    /// Sets the clock (ns) the `bpf_ktime_get*` helpers read, and how much it advances per
    /// read.
    pub fn clock(mut self, now_ns: u64, step_ns: u64) -> Vm {
        self.env.clock_ns = now_ns;
        self.env.clock_step_ns = step_ns;
        self
    }

    /// Seeds `bpf_get_prandom_u32` (0 is replaced by a fixed non-zero seed).
    pub fn seed(mut self, seed: u64) -> Vm {
        self.env.rng = if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        };
        self
    }

    /// Adds a route for `bpf_fib_lookup`.
    pub fn route(mut self, route: FibRoute) -> Vm {
        self.env.fib.push(route);
        self
    }

    /// Turns trace mode on or off: runs record every executed instruction ([`Vm::last_trace`]).
    pub fn trace(mut self, on: bool) -> Vm {
        self.trace = on.then(Vec::new);
        self
    }

    /// The most instructions one run may execute (default 100 million): a guard against
    /// endless loops in programs the kernel's verifier would refuse.
    pub fn step_limit(mut self, n: u64) -> Vm {
        self.step_limit = n;
        self
    }

    /// The trace of the last run (empty unless [`Vm::trace`] is on).
    pub fn last_trace(&self) -> &[TraceEntry] {
        self.trace.as_deref().unwrap_or(&[])
    }

    /// The lines `bpf_trace_printk` printed, over all runs so far.
    pub fn printk(&self) -> &[String] {
        &self.env.printk
    }

    /// The environment (clock, random state, routes, printk lines).
    pub fn env_mut(&mut self) -> &mut Env {
        &mut self.env
    }

    /// One run: memory from the last run (or new) set up by `setup`, `r1`/`r2`, the result
    /// read by `finish`.
    #[inline(always)]
    fn execute<'s, T>(
        &'s mut self,
        setup: impl FnOnce(&mut Memory),
        r1: u64,
        r2: u64,
        finish: impl FnOnce(u64, &'s Memory, &'s Env) -> T,
    ) -> Result<T, VmError> {
        self.mem.reset(self.cpu);
        setup(&mut self.mem);
        let r = self.run_prepared(r1, r2).map_err(|e| *e);
        let this: &'s Self = self;
        r.map(|r0| finish(r0, &this.mem, &this.env))
    }

    /// Runs the entry program on the memory as set up, `r1`/`r2` its arguments; returns `r0`.
    #[inline(always)]
    fn run_prepared(&mut self, r1: u64, r2: u64) -> Result<u64, Box<VmError>> {
        if self.env.redirect.is_some() {
            self.env.redirect = None;
        }
        if let Some(t) = self.trace.as_mut() {
            t.clear();
        }
        Machine {
            mem: &mut self.mem,
            progs: &self.progs,
            env: &mut self.env,
            trace: &mut self.trace,
            step_limit: self.step_limit,
            tail_target: None,
            tail_calls: 0,
            fd_maps: &self.fd_maps,
        }
        .run(0, r1, r2)
    }

    /// Runs the program as XDP on `packet` (ifindex 1, queue 0, like `BPF_PROG_TEST_RUN`).
    pub fn run_xdp(&mut self, packet: &[u8]) -> Result<XdpOutcome, VmError> {
        self.xdp(packet, 1, 0).map(|v| v.to_outcome())
    }

    /// [`Vm::run_xdp`] without copying the result out: the packet and metadata of the returned
    /// [`XdpView`] are the VM's own buffer, valid until the next run.
    pub fn run_xdp_ref(&mut self, packet: &[u8]) -> Result<XdpView<'_>, VmError> {
        self.xdp(packet, 1, 0)
    }

    /// Runs the program as XDP on `frame` in place: the packet is not copied in or out, and
    /// the program's writes and adjustments stay in the frame (see [`XdpFrame`]). The packet
    /// and metadata of the returned view are the frame's. Every access is checked as in
    /// [`Vm::run_xdp`], and the run's other state (stack, regions, records) is reset as there:
    /// only the packet carries over, because the caller owns it.
    pub fn run_xdp_frame<'a>(
        &'a mut self,
        frame: &'a mut XdpFrame,
    ) -> Result<XdpView<'a>, VmError> {
        // The frame's buffer becomes the run's packet (the VM's own waits in the frame) and
        // goes back afterwards, whatever the run gave: no copy.
        self.mem.reset(self.cpu);
        self.mem.packet.borrow_frame(&mut frame.p);
        self.mem.ctx = CtxKind::Xdp {
            ingress_ifindex: frame.ingress_ifindex,
            rx_queue_index: frame.rx_queue_index,
        };
        let r = self.run_prepared(Memory::ctx_addr(), 0);
        self.mem.packet.give_back(&mut frame.p);
        let r0 = r.map_err(|e| *e)?;
        let p = &frame.p;
        let action = XdpAction::from_value(r0 as i64);
        Ok(XdpView {
            r0,
            action,
            packet: &p.buf[p.data..p.end],
            meta: &p.buf[p.meta..p.data],
            redirect: match action {
                Some(XdpAction::Redirect) => self.env.redirect.as_ref(),
                _ => None,
            },
        })
    }

    /// Runs the program as XDP on `input`.
    pub fn run_xdp_input(&mut self, input: &XdpInput) -> Result<XdpOutcome, VmError> {
        self.xdp(&input.packet, input.ingress_ifindex, input.rx_queue_index)
            .map(|v| v.to_outcome())
    }

    fn xdp(&mut self, packet: &[u8], ifindex: u32, queue: u32) -> Result<XdpView<'_>, VmError> {
        self.execute(
            |mem| {
                xdp::fill_packet(&mut mem.packet, packet);
                mem.ctx = CtxKind::Xdp {
                    ingress_ifindex: ifindex,
                    rx_queue_index: queue,
                };
            },
            Memory::ctx_addr(),
            0,
            |r0, mem, env| {
                let p = &mem.packet;
                let action = XdpAction::from_value(r0 as i64);
                XdpView {
                    r0,
                    action,
                    packet: &p.buf[p.data..p.end],
                    meta: &p.buf[p.meta..p.data],
                    redirect: match action {
                        Some(XdpAction::Redirect) => env.redirect.as_ref(),
                        _ => None,
                    },
                }
            },
        )
    }

    /// Runs the program on a socket buffer holding `input` (from the Ethernet header), as
    /// `BPF_PROG_TEST_RUN` does: a tc classifier (program type `sched_cls`/`sched_act`) sees the
    /// frame from the MAC header with `data`/`data_end`, a socket filter from the network
    /// header (with `ld_abs`/`ld_ind`).
    pub fn run_skb(&mut self, input: &SkbInput) -> Result<SkbOutcome, VmError> {
        let tc = matches!(
            self.prog_type,
            crate::ProgramType::SchedCls | crate::ProgramType::SchedAct
        );
        self.execute(
            |mem| {
                let fields = skb::build(&mut mem.packet, input, tc);
                mem.ctx = CtxKind::Skb(fields);
            },
            Memory::ctx_addr(),
            0,
            |r0, mem, _| match &mem.ctx {
                CtxKind::Skb(f) => skb::outcome(r0, &mem.packet, f),
                // `setup` made it a socket buffer and nothing changes the kind.
                _ => skb::outcome(r0, &mem.packet, &skb::build_new(input, tc).1),
            },
        )
    }

    /// Runs the program on raw memory, the bpf_conformance convention: `r1` = the memory's
    /// address, `r2` = its length. The program's stores change `mem`. Returns `r0`.
    pub fn run_mem(&mut self, mem: &mut [u8]) -> Result<u64, VmError> {
        let len = mem.len() as u64;
        let mut out = Vec::new();
        let r = self.execute(
            |m| m.mem.extend_from_slice(mem),
            Memory::mem_addr(),
            len,
            |r0, m, _| {
                out.extend_from_slice(&m.mem);
                r0
            },
        );
        if out.len() == mem.len() {
            mem.copy_from_slice(&out);
        }
        r
    }
}

#[cfg(test)]
mod tests;
