//! The generator of `verifier_shapes_features.rs`: one program per call of
//! [`Gen::program`], built around a [`Shape`]; the iterator loops are in `iter.rs`, the
//! ordered accesses, map pointer reads and strict-alignment accesses in `memory.rs`.

use crate::common::Rng;
use ebpf_dsl::verifier::KernelVersion;
use ebpf_dsl::ProgramType;

mod iter;
mod memory;

/// Mistake probability, percent per program.
const P_MISTAKE: u64 = 30;

/// The shapes, each program built around one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// A numbers iterator loop.
    IterLoop,
    /// A loop in a loop (numbers or bits iterators).
    IterNested,
    /// A bits iterator loop.
    IterBits,
    /// An RCU read section.
    Rcu,
    /// Load-acquire / store-release through any kind of memory.
    Ordered,
    /// Reads of the map's kernel structure through its pointer.
    MapPtr,
    /// Packet, map value, ring buffer and stack accesses, loaded strict.
    Strict,
}

/// Every shape, in the order of the table.
pub const SHAPES: [Shape; 7] = [
    Shape::IterLoop,
    Shape::IterNested,
    Shape::IterBits,
    Shape::Rcu,
    Shape::Ordered,
    Shape::MapPtr,
    Shape::Strict,
];

impl Shape {
    /// The kernel the shape's feature needs.
    pub fn since(self) -> KernelVersion {
        match self {
            Shape::IterLoop | Shape::IterNested => KernelVersion::since(6, 4),
            Shape::IterBits => KernelVersion::since(6, 11),
            Shape::Rcu => KernelVersion::since(6, 2),
            Shape::Ordered => KernelVersion::since(6, 15),
            Shape::MapPtr | Shape::Strict => KernelVersion::since(4, 18),
        }
    }
}

/// The mistakes a program may carry (one at most, chosen when it starts; a part of the
/// generator that can make it "takes" it, so a mistake no part took leaves a good program).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Oops {
    IterWrongOffset,
    IterLeakOnExit,
    IterNoDestroy,
    IterUseAfterDestroy,
    IterNextWithoutNew,
    IterNoNullTest,
    IterElemPast,
    IterElemWrite,
    IterSlotWrite,
    IterSlotRead,
    IterWrongKind,
    IterNewTwice,
    IndexBound,
    RcuNested,
    RcuMissingUnlock,
    RcuUnmatched,
    RcuTailCall,
    RcuLdAbs,
    RcuExitInside,
}

const ITER_OOPS: [Oops; 13] = [
    Oops::IterWrongOffset,
    Oops::IterLeakOnExit,
    Oops::IterNoDestroy,
    Oops::IterUseAfterDestroy,
    Oops::IterNextWithoutNew,
    Oops::IterNoNullTest,
    Oops::IterElemPast,
    Oops::IterElemWrite,
    Oops::IterSlotWrite,
    Oops::IterSlotRead,
    Oops::IterWrongKind,
    Oops::IterNewTwice,
    Oops::IndexBound,
];

const RCU_OOPS: [Oops; 6] = [
    Oops::RcuNested,
    Oops::RcuMissingUnlock,
    Oops::RcuUnmatched,
    Oops::RcuTailCall,
    Oops::RcuLdAbs,
    Oops::RcuExitInside,
];

/// Stack layout (below r10): the outer iterator at -16 (8 or 16 bytes), the inner one at -32,
/// a spilled map value pointer at -40, the bits iterator's words at -64..-41, eight u64 to
/// index at -128..-65, a map key at -132, a spilled condition at -144.
const OUTER: i64 = 16;
const INNER: i64 = 32;
const SPILL: i64 = 40;
const WORDS: i64 = 64;
const ARRAY: i64 = 128;
const KEY: i64 = 132;
const COND: i64 = 144;

/// Writes one program. Registers: r6 = ctx, r7 = data, r8 = data_end (xdp, tc), r9 a running
/// scalar; r0-r5 are scratch (clobbered by calls).
pub struct Gen {
    rng: Rng,
    out: String,
    subs: String,
    label: usize,
    pt: ProgramType,
    oops: Option<Oops>,
    /// Inside an RCU section or an outer loop: an early exit may not leave the program.
    no_exit: bool,
}

impl Gen {
    /// A generator drawing from `rng`, writing programs of type `pt`.
    pub fn new(rng: Rng, pt: ProgramType) -> Gen {
        Gen {
            rng,
            out: String::new(),
            subs: String::new(),
            label: 0,
            pt,
            oops: None,
            no_exit: false,
        }
    }

    fn l(&mut self, name: &str) -> String {
        self.label += 1;
        format!("{name}_{}", self.label)
    }
    fn emit(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }
    /// Whether the program's pending mistake is `o` (then taken: made once).
    fn take(&mut self, o: Oops) -> bool {
        if self.oops == Some(o) {
            self.oops = None;
            true
        } else {
            false
        }
    }
    fn has_packet(&self) -> bool {
        self.pt != ProgramType::SocketFilter
    }
    fn size(&mut self) -> (&'static str, i64) {
        self.rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)])
    }

    /// One program around `shape` (its mistake, if any, drawn first), with its functions
    /// after the main program's exit.
    pub fn program(&mut self, shape: Shape) -> String {
        self.oops = None;
        if self.rng.chance(P_MISTAKE) {
            match shape {
                Shape::IterLoop | Shape::IterNested | Shape::IterBits => {
                    self.oops = Some(self.rng.pick(&ITER_OOPS))
                }
                Shape::Rcu => self.oops = Some(self.rng.pick(&RCU_OOPS)),
                _ => {}
            }
        }
        self.emit("r6 = r1");
        match self.pt {
            ProgramType::Xdp => {
                self.emit("r7 = *(u32 *)(r6 + 0)");
                self.emit("r8 = *(u32 *)(r6 + 4)");
            }
            ProgramType::SchedCls => {
                self.emit("r7 = *(u32 *)(r6 + 76)");
                self.emit("r8 = *(u32 *)(r6 + 80)");
            }
            _ => {}
        }
        self.emit("r9 = 0");
        match shape {
            Shape::IterLoop => self.iter_loop(false, 0),
            Shape::IterBits => self.iter_loop(true, 0),
            Shape::IterNested => {
                let bits = self.rng.chance(30);
                self.iter_loop(bits, 1)
            }
            Shape::Rcu => self.rcu(),
            Shape::Ordered => {
                for _ in 0..self.rng.range(1, 3) {
                    self.ordered();
                }
            }
            Shape::MapPtr => self.map_ptr(),
            Shape::Strict => {
                for _ in 0..self.rng.range(1, 3) {
                    self.strict();
                }
            }
        }
        self.emit("r0 = r9");
        self.emit("r0 &= 1");
        if self.pt == ProgramType::Xdp {
            self.emit("r0 += 1"); // XDP_DROP or XDP_PASS
        }
        self.emit("exit");
        let subs = std::mem::take(&mut self.subs);
        self.out.push_str(&subs);
        std::mem::take(&mut self.out)
    }

    /// `r1` = r10 - `off`.
    fn fp(&mut self, r: u8, off: i64) {
        self.emit(&format!("r{r} = r10"));
        self.emit(&format!("r{r} += -{off}"));
    }

    /// Leaves the program at once (r0 = 1, a valid verdict for every type here).
    fn exit_now(&mut self) {
        self.emit("r0 = 1");
        self.emit("exit");
    }

    /// `r0` = a pointer to a 64-byte value of `vals`, or a jump to `skip` when NULL.
    fn lookup(&mut self, skip: &str) {
        let key = self.rng.range(0, 15);
        self.emit(&format!("*(u32 *)(r10 - {KEY}) = {key}"));
        self.fp(2, KEY);
        self.emit("r1 = vals ll");
        self.emit("call bpf_map_lookup_elem");
        self.emit(&format!("if r0 == 0 goto {skip}"));
    }

    /// An RCU read section around helper calls, an iterator loop or a function's call.
    fn rcu(&mut self) {
        let lock = "call bpf_rcu_read_lock";
        let unlock = "call bpf_rcu_read_unlock";
        match self.rng.below(4) {
            // balanced under the same condition on both sides (path-sensitive)
            0 => {
                let (s1, s2) = (self.l("nolock"), self.l("nounlock"));
                // the condition's value kept in a stack slot across the section (whose
                // helpers clobber r0-r5 and whose body changes r9)
                self.emit("call bpf_get_prandom_u32");
                self.emit("r9 = r0");
                let k = self.rng.range(0, 100);
                self.emit(&format!("if r9 > {k} goto {s1}"));
                self.emit(lock);
                self.emit(&format!("{s1}:"));
                self.emit(&format!("*(u64 *)(r10 - {COND}) = r9"));
                self.rcu_inside();
                let k2 = if self.take(Oops::RcuMissingUnlock) {
                    k + 1
                } else {
                    k
                };
                self.emit(&format!("r1 = *(u64 *)(r10 - {COND})"));
                self.emit(&format!("if r1 > {k2} goto {s2}"));
                self.emit(unlock);
                self.emit(&format!("{s2}:"));
            }
            // a function of the program opens it, the caller closes it
            1 => {
                let f = self.l("rcu_open");
                self.emit(&format!("call {f}"));
                self.rcu_inside();
                self.emit(unlock);
                let body = format!("{f}:\n{lock}\nr0 = 0\nexit\n");
                self.subs.push_str(&body);
            }
            _ => {
                if !self.take(Oops::RcuUnmatched) {
                    self.emit(lock);
                }
                self.rcu_inside();
                if self.take(Oops::RcuMissingUnlock) {
                    let out = self.l("open");
                    self.emit(&format!("if r9 == 3 goto {out}"));
                    self.emit(unlock);
                    self.emit(&format!("{out}:"));
                } else {
                    self.emit(unlock);
                }
            }
        }
    }

    /// The body of a section: calls (no early exit of the program), then the mistakes.
    fn rcu_inside(&mut self) {
        let outer = std::mem::replace(&mut self.no_exit, true);
        self.rcu_calls();
        self.no_exit = outer;
        self.rcu_mistakes();
    }

    /// Helper calls, a lookup, a ring buffer record, an iterator loop, a function's call.
    fn rcu_calls(&mut self) {
        for _ in 0..self.rng.range(1, 3) {
            match self.rng.below(6) {
                0 => {
                    self.emit("call bpf_get_prandom_u32");
                    self.emit("r9 += r0");
                }
                1 => {
                    self.emit("call bpf_ktime_get_ns");
                    self.emit("r9 ^= r0");
                }
                2 => {
                    let skip = self.l("miss");
                    self.lookup(&skip);
                    self.emit("r1 = *(u64 *)(r0 + 8)");
                    self.emit("r9 += r1");
                    self.emit(&format!("{skip}:"));
                }
                3 => {
                    let skip = self.l("full");
                    self.emit("r1 = ring ll");
                    self.emit("r2 = 16");
                    self.emit("r3 = 0");
                    self.emit("call bpf_ringbuf_reserve");
                    self.emit(&format!("if r0 == 0 goto {skip}"));
                    self.emit("*(u64 *)(r0 + 0) = r9");
                    self.emit("r1 = r0");
                    self.emit("r2 = 0");
                    self.emit("call bpf_ringbuf_submit");
                    self.emit(&format!("{skip}:"));
                }
                4 => {
                    let bits = self.rng.chance(20);
                    self.iter_loop(bits, 0);
                }
                _ => {
                    let f = self.l("leaf");
                    self.emit(&format!("call {f}"));
                    self.emit("r9 += r0");
                    let body = format!("{f}:\ncall bpf_get_prandom_u32\nr0 &= 7\nexit\n");
                    self.subs.push_str(&body);
                }
            }
        }
    }

    /// The section's mistakes (if the program carries one).
    fn rcu_mistakes(&mut self) {
        if self.take(Oops::RcuNested) {
            if self.rng.chance(50) {
                self.emit("call bpf_rcu_read_lock");
                self.emit("call bpf_rcu_read_unlock");
            } else {
                let f = self.l("relock");
                self.emit(&format!("call {f}"));
                let body = format!(
                    "{f}:\ncall bpf_rcu_read_lock\ncall bpf_rcu_read_unlock\nr0 = 0\nexit\n"
                );
                self.subs.push_str(&body);
            }
        }
        if self.pt != ProgramType::Xdp && self.take(Oops::RcuLdAbs) {
            self.emit("r0 = *(u8 *)skb[12]");
            self.emit("r9 += r0");
        }
        if self.pt != ProgramType::SocketFilter && self.take(Oops::RcuTailCall) {
            self.emit("r1 = r6");
            self.emit("r2 = jumps ll");
            self.emit("r3 = 0");
            self.emit("call bpf_tail_call");
        }
        if self.take(Oops::RcuExitInside) {
            let stay = self.l("stay");
            self.emit(&format!("if r9 != 5 goto {stay}"));
            self.exit_now();
            self.emit(&format!("{stay}:"));
        }
    }

    /// Reloads r7 (a shape that reused it).
    fn restore_packet(&mut self) {
        match self.pt {
            ProgramType::Xdp => self.emit("r7 = *(u32 *)(r6 + 0)"),
            ProgramType::SchedCls => self.emit("r7 = *(u32 *)(r6 + 76)"),
            _ => {}
        }
    }
}

/// `(base + off)` / `(base - off)` as the assembler writes a memory operand.
fn mem(base: &str, off: i64) -> String {
    if off < 0 {
        format!("({base} - {})", -off)
    } else {
        format!("({base} + {off})")
    }
}
