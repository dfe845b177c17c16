//! Differential test of the static verifier against the running kernel on the shapes the
//! kernel's own selftests and real parsers use and the first generator
//! (`verifier_differential.rs`) does not produce:
//!
//! - **header walks**: a parser's loop over IPv6-style extension headers, the packet offset a
//!   growing variable, a bounds check per round;
//! - **packet comparison forms**: `data_end` against a packet pointer, either operand first,
//!   every operator, the good branch on either side;
//! - **JMP32 bounds** and **non-constant comparisons** (`if r1 > r2` with r2 bounded) used as
//!   map value offsets; **constant-key array lookups** with and without the NULL test;
//! - **loops** with bounded trip counts (counting up or down, `<`, `!=`, JMP32 and signed exits)
//!   whose bodies accumulate, index a map value or the stack by the counter, or read the packet
//!   with a bounds check per iteration;
//! - **linked registers**: a copy (`r2 = r1`, `w2 = w1`, or through a stack spill/fill) is
//!   bounds-checked and the original is used as an offset;
//! - **spills and fills** of bounded scalars (64- and 32-bit) and of packet / map-value
//!   pointers, with the bounds or the pointer used after the fill;
//! - **variable stack offsets**: a masked scalar added to a frame pointer, then written / read;
//! - **helper calls with references**: `bpf_ringbuf_reserve` + submit/discard and
//!   `bpf_sk_lookup_tcp` / `bpf_sk_lookup_udp` / `bpf_skc_lookup_tcp` + `bpf_sk_release` (xdp
//!   and tc).
//!
//! A fraction of the programs carry the usual mistake of the shape (an off-by-one bound, a
//! broken link, a clobbered spill slot, an out-of-frame offset, a leaked or twice-released
//! reference, a loop without progress). Each program goes through `ebpf_dsl::verifier::verify`
//! and `BPF_PROG_LOAD` (as root); the test prints the agreement per shape and fails on any false
//! accept (we accept, the kernel rejects), or if the kernel accepts too few of the programs for
//! the generator to be measuring precision. Needs root; skips with a message otherwise unless
//! `CI=true`. `VERIFIER_SHAPES_SEED=n` explores another corpus, `VERIFIER_SHAPES_PROGRAMS=n`
//! runs n programs per (shape, program type).
//!
//! The packet and map shapes run again (`STRICT_PROGRAMS` each, `VERIFIER_SHAPES_STRICT_PROGRAMS=n`)
//! loaded with `BPF_F_STRICT_ALIGNMENT` and verified with the same flag (`+strict` rows): the
//! kernel then checks the alignment of every packet and map value access (`NET_IP_ALIGN`
//! counted). The features of later sessions (iterators, RCU sections, ordered accesses, map
//! pointer reads) have their own generator, `verifier_shapes_features.rs`.

use xsk_testkit::kernel_tests;

mod common;
use common::*;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};
use xsk_runtime::maps::Map;

const SEED: u64 = 0x5ba9_e50f_1005;
/// Programs per (shape, program type) by default.
const PROGRAMS: usize = 400;
/// Mistake probability, percent per shape instance.
const P_MISTAKE: u64 = 25;
/// Programs per (packet or map shape, program type) loaded again with
/// `BPF_F_STRICT_ALIGNMENT` (and verified with it).
const STRICT_PROGRAMS: usize = 100;
/// `BPF_F_STRICT_ALIGNMENT`.
const STRICT: u32 = 1;

fn maps() -> Vec<MapSpec> {
    let m = common::map_spec;
    vec![
        // 64-byte values: eight u64 slots to index.
        m("vals", MapType::Array, 4, 64, 16),
        m("ring", MapType::Ringbuf, 0, 0, 4096),
    ]
}

/// The shapes, each program built around one of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Loop,
    LinkedRegs,
    SpillFill,
    VarStack,
    RingbufRef,
    SocketRef,
    HeaderWalk,
    PktForms,
    Jmp32,
    NonConstCmp,
    ConstKey,
}

const SHAPES: [Shape; 11] = [
    Shape::Loop,
    Shape::HeaderWalk,
    Shape::PktForms,
    Shape::Jmp32,
    Shape::NonConstCmp,
    Shape::ConstKey,
    Shape::LinkedRegs,
    Shape::SpillFill,
    Shape::VarStack,
    Shape::RingbufRef,
    Shape::SocketRef,
];

/// Writes one program. Registers: r6 = ctx, r7 = data, r8 = data_end (xdp, tc), r9 = a
/// running scalar; r0-r5 are scratch (clobbered by calls).
struct Gen {
    rng: Rng,
    out: String,
    label: usize,
    pt: ProgramType,
}

impl Gen {
    fn l(&mut self, name: &str) -> String {
        self.label += 1;
        format!("{name}_{}", self.label)
    }
    fn emit(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn oops(&mut self) -> bool {
        self.rng.chance(P_MISTAKE)
    }
    fn has_packet(&self) -> bool {
        self.pt != ProgramType::SocketFilter
    }

    fn program(&mut self, shape: Shape) -> String {
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
        // Two loops in a row multiply the kernel's work (every exit state of the first enters
        // the second): one loop a program.
        let n = if shape == Shape::Loop || shape == Shape::HeaderWalk {
            1
        } else {
            self.rng.range(1, 2)
        };
        for _ in 0..n {
            match shape {
                Shape::Loop => self.bounded_loop(),
                Shape::LinkedRegs => self.linked_regs(),
                Shape::SpillFill => self.spill_fill(),
                Shape::VarStack => self.var_stack(),
                Shape::RingbufRef => self.ringbuf_ref(),
                Shape::SocketRef => self.socket_ref(),
                Shape::HeaderWalk => self.header_walk(),
                Shape::PktForms => self.pkt_forms(),
                Shape::Jmp32 => self.jmp32(),
                Shape::NonConstCmp => self.non_const_cmp(),
                Shape::ConstKey => self.const_key(),
            }
        }
        self.emit("r0 = r9");
        self.emit("r0 &= 1");
        if self.pt == ProgramType::Xdp {
            self.emit("r0 += 1"); // XDP_DROP or XDP_PASS
        }
        self.emit("exit");
        std::mem::take(&mut self.out)
    }

    /// An unknown scalar in r0 (a helper result or a context field), r1-r5 clobbered.
    fn unknown_in_r0(&mut self) {
        match (self.rng.below(2), self.pt) {
            (0, _) => self.emit("call bpf_get_prandom_u32"),
            (_, ProgramType::Xdp) => self.emit("r0 = *(u32 *)(r6 + 16)"),
            _ => self.emit("r0 = *(u32 *)(r6 + 0)"),
        }
    }

    /// `r0` = a pointer to a 64-byte value of `vals`, or a jump to `skip` when NULL.
    fn lookup(&mut self, skip: &str) {
        let key = self.rng.range(0, 15);
        self.emit(&format!("*(u32 *)(r10 - 4) = {key}"));
        self.emit("r2 = r10");
        self.emit("r2 += -4");
        self.emit("r1 = vals ll");
        self.emit("call bpf_map_lookup_elem");
        self.emit(&format!("if r0 == 0 goto {skip}"));
    }

    fn bounded_loop(&mut self) {
        let top = self.l("loop");
        let done = self.l("done");
        let oops = self.oops();
        // the body: 0 accumulate, 1 map value index, 2 stack index, 3 packet read
        let body = if self.has_packet() {
            self.rng.below(4)
        } else {
            self.rng.below(3)
        };
        // Trip count; a map value or the stack holds 8 u64 slots.
        let mut n = match body {
            1 | 2 => self.rng.range(1, 8),
            _ => self.rng.pick(&[2, 4, 8, 16, 32, 64, 100, 256]),
        };
        let mut no_progress = false;
        if oops {
            match self.rng.below(3) {
                0 if body == 1 || body == 2 => n = 9, // one slot too far on the last round
                _ => no_progress = true,
            }
        }
        // Without progress the body keeps nothing (no sum, no register copy, which would get
        // a fresh scalar id each round): the loop's state repeats exactly and the kernel says
        // "infinite loop detected" at once instead of walking to its 1M-instruction limit
        // (seconds per program).
        let keep = |g: &mut Gen, x: &str| {
            if !no_progress {
                g.emit(&format!("r9 += {x}"));
            }
        };
        if body == 1 {
            self.lookup(&done);
            self.emit("r5 = r0");
        }
        if body == 2 {
            for s in 1..=8 {
                self.emit(&format!("*(u64 *)(r10 - {}) = {s}", 64 + 8 * s));
            }
        }
        // Counter in r1: 0 up to n (exclusive), or n-1 down to 0.
        let down = self.rng.chance(30);
        if down {
            self.emit(&format!("r1 = {}", n - 1));
        } else {
            self.emit("r1 = 0");
        }
        self.emit(&format!("{top}:"));
        match body {
            0 => keep(self, "r1"),
            1 => {
                self.emit("r2 = r1");
                self.emit("r2 <<= 3");
                self.emit("r3 = r5");
                self.emit("r3 += r2");
                self.emit("r4 = *(u64 *)(r3 + 0)");
                keep(self, "r4");
            }
            2 => {
                self.emit("r2 = r1");
                self.emit("r2 <<= 3");
                self.emit("r3 = r10");
                self.emit("r3 += -128");
                self.emit("r3 += r2");
                self.emit("r4 = *(u64 *)(r3 + 0)");
                keep(self, "r4");
            }
            _ => {
                self.emit("r2 = r7");
                self.emit("r2 += r1");
                self.emit("r3 = r2");
                self.emit("r3 += 1");
                self.emit(&format!("if r3 > r8 goto {done}"));
                self.emit("r4 = *(u8 *)(r2 + 0)");
                keep(self, "r4");
            }
        }
        if down {
            if !no_progress {
                self.emit("r1 -= 1");
            }
            let exit = self.rng.pick(&["if r1 s>= 0 goto", "if w1 s>= 0 goto"]);
            self.emit(&format!("{exit} {top}"));
        } else {
            if !no_progress {
                self.emit("r1 += 1");
            }
            let cmp = self.rng.pick(&["<", "!=", "w<", "s<"]);
            match cmp {
                "w<" => self.emit(&format!("if w1 < {n} goto {top}")),
                c => self.emit(&format!("if r1 {c} {n} goto {top}")),
            }
        }
        self.emit(&format!("{done}:"));
    }

    /// A parser's loop: walk up to n extension headers, each `(hdr[1] + 1) * 8` bytes long
    /// (IPv6 style), the offset a variable added to the packet pointer, a bounds check each
    /// round.
    fn header_walk(&mut self) {
        let top = self.l("walk");
        let done = self.l("walked");
        let oops = self.oops();
        let n = self.rng.range(2, 8);
        let start = self.rng.pick(&[14, 34, 54]);
        self.emit(&format!("r5 = {start}"));
        self.emit("r1 = 0");
        self.emit(&format!("{top}:"));
        if self.rng.chance(50) {
            // keep the offset small, as parsers do (`if (off > MAX) break;`)
            self.emit(&format!("if r5 > 1024 goto {done}"));
        }
        self.emit("r2 = r7");
        self.emit("r2 += r5");
        self.emit("r3 = r2");
        self.emit("r3 += 2");
        self.emit(&format!("if r3 > r8 goto {done}"));
        // the mistake: the length byte read is one past the checked two bytes
        let at = if oops { 2 } else { 1 };
        self.emit(&format!("r4 = *(u8 *)(r2 + {at})"));
        self.emit("r4 += 1");
        self.emit("r4 <<= 3");
        self.emit("r5 += r4");
        self.emit("r9 += r4");
        self.emit("r1 += 1");
        let exit = self.rng.pick(&["<", "w<"]);
        match exit {
            "w<" => self.emit(&format!("if w1 < {n} goto {top}")),
            c => self.emit(&format!("if r1 {c} {n} goto {top}")),
        }
        self.emit(&format!("{done}:"));
    }

    /// Every form of comparing a packet pointer with `data_end`: either operand first, each
    /// operator, the good branch on the fall-through or on the jump; then a read at the edge
    /// of the proven range (the mistake: one byte past it).
    fn pkt_forms(&mut self) {
        let skip = self.l("skip");
        let ok = self.l("ok");
        let oops = self.oops();
        let n = self.rng.range(8, 64);
        self.emit("r1 = r7");
        self.emit(&format!("r1 += {n}"));
        // (comparison, the jump goes to the good branch)
        let (cmp, jump_is_good) = self.rng.pick(&[
            ("r1 > r8", false),
            ("r8 < r1", false),
            ("r1 >= r8", false),
            ("r8 <= r1", false),
            ("r1 <= r8", true),
            ("r8 >= r1", true),
            ("r1 < r8", true),
            ("r8 > r1", true),
        ]);
        if jump_is_good {
            self.emit(&format!("if {cmp} goto {ok}"));
            self.emit(&format!("goto {skip}"));
            self.emit(&format!("{ok}:"));
        } else {
            self.emit(&format!("if {cmp} goto {skip}"));
        }
        let (ty, size) = self
            .rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)]);
        let off = n - size + i64::from(oops);
        self.emit(&format!("r0 = *({ty} *)(r7 + {off})"));
        self.emit("r9 += r0");
        self.emit(&format!("{skip}:"));
    }

    /// A 32-bit comparison bounds a value whose upper half is known zero; the 64-bit register
    /// is then an offset into a map value (the mistake: the upper half is not known).
    fn jmp32(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        self.lookup(&skip);
        self.emit("r5 = r0");
        if oops && self.rng.chance(50) {
            self.emit("r1 = *(u64 *)(r5 + 8)"); // 64 unknown bits
        } else {
            self.emit("r1 = *(u32 *)(r5 + 8)"); // zero-extended
        }
        let limit = if oops { 57 } else { 56 };
        match self.rng.below(5) {
            0 => self.emit(&format!("if w1 > {limit} goto {skip}")),
            1 => self.emit(&format!("if w1 >= {} goto {skip}", limit + 1)),
            2 => {
                // signed: also the negative half must go
                self.emit(&format!("if w1 s> {limit} goto {skip}"));
                self.emit(&format!("if w1 s< 0 goto {skip}"));
            }
            3 => {
                let ok = self.l("ok");
                self.emit(&format!("if w1 <= {limit} goto {ok}"));
                self.emit(&format!("goto {skip}"));
                self.emit(&format!("{ok}:"));
            }
            _ => {
                let ok = self.l("ok");
                self.emit(&format!("if w1 < {} goto {ok}", limit + 1));
                self.emit(&format!("goto {skip}"));
                self.emit(&format!("{ok}:"));
            }
        }
        self.emit("r5 += r1");
        self.emit("r2 = *(u64 *)(r5 + 0)");
        self.emit("r9 += r2");
        self.emit(&format!("{skip}:"));
    }

    /// Bounds from a comparison of two registers: r1 (unknown) <= r2 (bounded) bounds r1.
    fn non_const_cmp(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        self.lookup(&skip);
        self.emit("r5 = r0");
        self.emit("r1 = *(u32 *)(r5 + 0)");
        self.emit("r2 = *(u32 *)(r5 + 4)");
        let mask = if oops { 63 } else { 31 };
        // r2 in 0..=31, so r1 <= 31 and the 8-byte load stays in the 64-byte value
        self.emit(&format!("r2 &= {mask}"));
        let (cmp, jump_is_good) = self.rng.pick(&[
            ("r1 > r2", false),
            ("r2 < r1", false),
            ("w1 > w2", false),
            ("r1 <= r2", true),
            ("r2 >= r1", true),
            ("w1 <= w2", true),
        ]);
        if jump_is_good {
            let ok = self.l("ok");
            self.emit(&format!("if {cmp} goto {ok}"));
            self.emit(&format!("goto {skip}"));
            self.emit(&format!("{ok}:"));
        } else {
            self.emit(&format!("if {cmp} goto {skip}"));
        }
        self.emit("r5 += r1");
        self.emit("r3 = *(u64 *)(r5 + 0)");
        self.emit("r9 += r3");
        self.emit(&format!("{skip}:"));
    }

    /// An array lookup with a constant key: in bounds, recent kernels know the result is not
    /// NULL; out of bounds it is NULL. Half the programs skip the NULL test.
    fn const_key(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        let key = if oops { 16 } else { self.rng.range(0, 15) };
        if self.rng.chance(50) {
            self.emit(&format!("*(u32 *)(r10 - 4) = {key}"));
        } else {
            // a spilled constant register: the kernel tracks its value in the slot
            self.emit(&format!("r1 = {key}"));
            self.emit("*(u32 *)(r10 - 4) = w1");
        }
        self.emit("r2 = r10");
        self.emit("r2 += -4");
        self.emit("r1 = vals ll");
        self.emit("call bpf_map_lookup_elem");
        if self.rng.chance(50) {
            self.emit(&format!("if r0 == 0 goto {skip}"));
        }
        self.emit("r1 = *(u64 *)(r0 + 8)");
        self.emit("r9 += r1");
        self.emit(&format!("{skip}:"));
    }

    fn linked_regs(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        self.lookup(&skip);
        self.emit("r5 = r0");
        // An unknown scalar from the value, copied, the copy checked, the original used.
        self.emit("r1 = *(u32 *)(r5 + 0)");
        let mut limit = 56; // + 8-byte load = the 64-byte value
        let link = self.rng.below(4);
        match link {
            0 => self.emit("r2 = r1"),
            1 => self.emit("w2 = w1"),
            2 => {
                self.emit("*(u64 *)(r10 - 16) = r1");
                self.emit("r2 = *(u64 *)(r10 - 16)");
            }
            _ => {
                // a chain: r3 = r1, r2 = r3
                self.emit("r3 = r1");
                self.emit("r2 = r3");
            }
        }
        if oops {
            match self.rng.below(2) {
                0 => limit = 57,           // one byte too far
                _ => self.emit("r2 += 1"), // the link is broken: r1 stays unbounded
            }
        }
        match self.rng.below(4) {
            0 => self.emit(&format!("if r2 > {limit} goto {skip}")),
            1 => self.emit(&format!("if r2 >= {} goto {skip}", limit + 1)),
            2 => self.emit(&format!("if w2 > {limit} goto {skip}")),
            _ => {
                // the other operand order: `if K < r2` is not in the syntax; compare registers
                self.emit(&format!("r4 = {limit}"));
                self.emit(&format!("if r2 > r4 goto {skip}"));
            }
        }
        self.emit("r5 += r1");
        self.emit("r3 = *(u64 *)(r5 + 0)");
        self.emit("r9 += r3");
        self.emit(&format!("{skip}:"));
    }

    fn spill_fill(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        let slot = self.rng.range(2, 8) * 8;
        let kind = if self.has_packet() {
            self.rng.below(4)
        } else {
            self.rng.below(3)
        };
        match kind {
            // a bounded scalar, 64-bit spill and fill, then an offset into a map value
            0 | 1 => {
                let wide = kind == 0;
                self.unknown_in_r0();
                self.emit("r0 &= 31");
                self.emit("r1 = r0");
                if wide {
                    self.emit(&format!("*(u64 *)(r10 - {slot}) = r1"));
                } else {
                    self.emit(&format!("*(u32 *)(r10 - {slot}) = w1"));
                }
                self.lookup(&skip);
                if oops {
                    match self.rng.below(2) {
                        // a byte of the slot overwritten: the fill is an unknown scalar
                        0 => self.emit(&format!("*(u8 *)(r10 - {}) = 7", slot - 1)),
                        // the fill reads the neighbouring (unwritten) slot
                        _ => self.emit(&format!("*(u64 *)(r10 - {slot}) = r0")),
                    }
                }
                if wide {
                    self.emit(&format!("r2 = *(u64 *)(r10 - {slot})"));
                } else {
                    self.emit(&format!("r2 = *(u32 *)(r10 - {slot})"));
                }
                self.emit("r0 += r2");
                self.emit("r3 = *(u64 *)(r0 + 0)");
                self.emit("r9 += r3");
            }
            // a map value pointer spilled across a helper call
            2 => {
                self.lookup(&skip);
                self.emit(&format!("*(u64 *)(r10 - {slot}) = r0"));
                self.emit("call bpf_get_prandom_u32");
                if oops {
                    self.emit(&format!("*(u32 *)(r10 - {slot}) = w0"));
                }
                self.emit(&format!("r1 = *(u64 *)(r10 - {slot})"));
                self.emit("r2 = *(u64 *)(r1 + 8)");
                self.emit("r9 += r2");
            }
            // a checked packet pointer spilled and filled
            _ => {
                self.emit("r1 = r7");
                self.emit("r1 += 8");
                self.emit(&format!("if r1 > r8 goto {skip}"));
                self.emit(&format!("*(u64 *)(r10 - {slot}) = r7"));
                self.emit("call bpf_get_prandom_u32");
                if oops {
                    // a narrower fill loses the pointer
                    self.emit(&format!("r2 = *(u32 *)(r10 - {slot})"));
                } else {
                    self.emit(&format!("r2 = *(u64 *)(r10 - {slot})"));
                }
                self.emit("r3 = *(u32 *)(r2 + 4)");
                self.emit("r9 += r3");
            }
        }
        self.emit(&format!("{skip}:"));
    }

    fn var_stack(&mut self) {
        let oops = self.oops();
        self.unknown_in_r0();
        // A masked offset into the 64 bytes below r10: r10 - 64 + (0..=mask << shift).
        let (mask, shift) = self.rng.pick(&[(7, 3), (56, 0), (15, 2), (3, 4)]);
        let (ty, size) = self
            .rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)]);
        let max = (mask << shift) + size; // <= 64: the last byte is r10 - 1
                                          // Initialise the region first (reads then see initialised bytes).
        if !oops || self.rng.chance(50) {
            for s in 1..=8 {
                self.emit(&format!("*(u64 *)(r10 - {}) = 0", 8 * s));
            }
        }
        self.emit(&format!("r0 &= {mask}"));
        if shift > 0 {
            self.emit(&format!("r0 <<= {shift}"));
        }
        // the mistake: the base leaves too little room, the last offsets cross r10
        let start = if oops { max - 1 } else { 64 };
        self.emit("r1 = r10");
        self.emit(&format!("r1 += -{start}"));
        self.emit("r1 += r0");
        if self.rng.chance(50) {
            self.emit(&format!("*({ty} *)(r1 + 0) = r9"));
        } else {
            self.emit(&format!("r2 = *({ty} *)(r1 + 0)"));
            self.emit("r9 += r2");
        }
    }

    fn ringbuf_ref(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        let mistake = if oops { self.rng.below(5) } else { 9 };
        self.emit("r1 = ring ll");
        self.emit("r2 = 16");
        self.emit("r3 = 0");
        self.emit("call bpf_ringbuf_reserve");
        if mistake != 0 {
            self.emit(&format!("if r0 == 0 goto {skip}"));
        }
        self.emit("r7 = r0");
        if mistake == 1 {
            self.emit("*(u64 *)(r7 + 16) = r9"); // past the 16 reserved bytes
        } else {
            self.emit("*(u64 *)(r7 + 8) = r9");
        }
        // keep r7 = data for the packet shapes: not needed after this, the program ends soon
        let leak_branch = mistake == 2;
        if leak_branch {
            let out = self.l("leak");
            self.emit(&format!("if r9 == 7 goto {out}"));
            self.submit();
            self.emit(&format!("{out}:"));
        } else {
            self.submit();
        }
        if mistake == 3 {
            self.emit("r1 = r7");
            self.emit("r2 = 0");
            self.emit("call bpf_ringbuf_discard"); // released twice
        }
        if mistake == 4 {
            self.emit("r2 = *(u64 *)(r7 + 0)"); // use after submit
            self.emit("r9 += r2");
        }
        self.emit(&format!("{skip}:"));
        self.restore_packet();
    }

    fn submit(&mut self) {
        self.emit("r1 = r7");
        self.emit("r2 = 0");
        if self.rng.chance(50) {
            self.emit("call bpf_ringbuf_submit");
        } else {
            self.emit("call bpf_ringbuf_discard");
        }
    }

    /// Reloads r7 / r8 (a helper that changes the packet, or a shape that reused r7).
    fn restore_packet(&mut self) {
        match self.pt {
            ProgramType::Xdp => self.emit("r7 = *(u32 *)(r6 + 0)"),
            ProgramType::SchedCls => self.emit("r7 = *(u32 *)(r6 + 76)"),
            _ => {}
        }
    }

    fn socket_ref(&mut self) {
        let skip = self.l("skip");
        let oops = self.oops();
        let mistake = if oops { self.rng.below(4) } else { 9 };
        // struct bpf_sock_tuple for IPv4: 12 bytes on the stack, zeroed
        self.emit("*(u64 *)(r10 - 16) = 0");
        self.emit("*(u32 *)(r10 - 8) = 0");
        self.emit("r1 = r6");
        self.emit("r2 = r10");
        self.emit("r2 += -16");
        self.emit("r3 = 12");
        self.emit("r4 = -1"); // BPF_F_CURRENT_NETNS
        self.emit("r5 = 0");
        let lookup = self.rng.pick(&[
            "bpf_sk_lookup_tcp",
            "bpf_skc_lookup_tcp",
            "bpf_sk_lookup_udp",
        ]);
        self.emit(&format!("call {lookup}"));
        if mistake != 0 {
            self.emit(&format!("if r0 == 0 goto {skip}"));
        }
        // struct bpf_sock: family at 4, protocol at 12
        self.emit("r2 = *(u32 *)(r0 + 4)");
        self.emit("r9 += r2");
        let release = |g: &mut Gen| {
            g.emit("r1 = r0");
            g.emit("call bpf_sk_release");
        };
        match mistake {
            1 => {} // leaked
            2 => {
                self.emit("r7 = r0");
                release(self);
                self.emit("r1 = r7");
                self.emit("call bpf_sk_release"); // twice
            }
            3 => {
                self.emit("r7 = r0");
                release(self);
                self.emit("r2 = *(u32 *)(r7 + 12)"); // use after release
                self.emit("r9 += r2");
            }
            _ => release(self),
        }
        self.emit(&format!("{skip}:"));
        self.restore_packet();
    }
}

fn verifier_shapes_agree_with_the_kernel() {
    let specs = maps();
    let seed = env_num("VERIFIER_SHAPES_SEED").unwrap_or(SEED);
    let per = env_num("VERIFIER_SHAPES_PROGRAMS").map_or(PROGRAMS, |n| n as usize);
    let start = Instant::now();
    let per_strict =
        env_num("VERIFIER_SHAPES_STRICT_PROGRAMS").map_or(STRICT_PROGRAMS, |n| n as usize);
    // (shape, program type, prog_flags)
    let mut rows: Vec<((Shape, ProgramType, u32), Row)> = Vec::new();
    let mut n = 0u64;
    let (mut ours_time, mut kernel_time) = (Duration::ZERO, Duration::ZERO);
    // `VERIFIER_SHAPES_SLOW=ms` prints the programs either verifier spends longer on.
    let slow_ms = env_num("VERIFIER_SHAPES_SLOW").map(u128::from);
    for pt in [
        ProgramType::Xdp,
        ProgramType::SocketFilter,
        ProgramType::SchedCls,
    ] {
        // Fresh kernel maps per program type (a map is bound to the first type using it in
        // some cases; the array and ring buffer are not, but keep the types apart anyway).
        let kmaps: Vec<Map> = specs
            .iter()
            .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
            .collect();
        let refs: Vec<&Map> = kmaps.iter().collect();
        // Every shape, then the packet and map ones again with strict alignment on both
        // sides (the kernel then checks every packet and map value access's alignment,
        // `NET_IP_ALIGN` counted).
        let strict_shapes = SHAPES.into_iter().filter(|s| {
            matches!(
                s,
                Shape::Loop
                    | Shape::HeaderWalk
                    | Shape::PktForms
                    | Shape::Jmp32
                    | Shape::ConstKey
                    | Shape::SpillFill
                    | Shape::RingbufRef
            )
        });
        let runs = SHAPES
            .into_iter()
            .map(|s| (s, 0, per))
            .chain(strict_shapes.map(|s| (s, STRICT, per_strict)));
        for (shape, flags, count) in runs {
            if matches!(
                shape,
                Shape::SocketRef | Shape::HeaderWalk | Shape::PktForms
            ) && pt == ProgramType::SocketFilter
            {
                continue; // socket filters may not look sockets up or read the packet directly
            }
            rows.push(((shape, pt, flags), Row::default()));
            let row = &mut rows.last_mut().expect("just pushed").1;
            for i in 0..count {
                n += 1;
                let mut g = Gen {
                    rng: Rng(seed.wrapping_mul(0x2545_f491_4f6c_dd1d).wrapping_add(n)),
                    out: String::new(),
                    label: 0,
                    pt,
                };
                let src = g.program(shape);
                let a = assemble_unchecked(&src).unwrap_or_else(|d| {
                    panic!("generated program does not assemble: {d:?}\n{src}")
                });
                let t0 = Instant::now();
                let ours = verify(
                    &VerifyInput::new(&a.insns, pt)
                        .with_maps(&a.relocations, &specs)
                        .with_kernel(running_kernel())
                        .with_unavailable_helpers(running_unavailable(pt))
                        .with_prog_flags(flags),
                );
                let dt_ours = t0.elapsed();
                ours_time += dt_ours;
                let t1 = Instant::now();
                let kernel =
                    kernel_verdict_with_flags("shapetest", pt, &a, &specs, &refs, &src, flags);
                let dt_kernel = t1.elapsed();
                kernel_time += dt_kernel;
                if slow_ms.is_some_and(|ms| dt_ours.as_millis().max(dt_kernel.as_millis()) > ms) {
                    println!("slow: ours {dt_ours:.1?}, kernel {dt_kernel:.1?}\n{src}");
                }
                let case = || {
                    case_text(
                        format!("--- {shape:?} {pt} #{i} (prog_flags {flags})\n{src}"),
                        ours.as_ref().err().map(|e| e[0].to_string()),
                        kernel.as_ref().err().map(String::as_str),
                    )
                };
                row.programs += 1;
                match (&ours, &kernel) {
                    (Ok(_), Ok(())) => row.acc_acc += 1,
                    (Err(_), Err(_)) => row.rej_rej += 1,
                    (Ok(_), Err(_)) => row.false_accept.push(case()),
                    (Err(_), Ok(())) => row.false_reject.push(case()),
                }
            }
        }
    }
    // The false rejects' reasons (our rule and message without the instruction) first.
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (_, row) in &rows {
        for c in &row.false_reject {
            if let Some(l) = c.lines().find(|l| l.starts_with("ours: ")) {
                // without "ours: instruction N: ", and short
                let l = l.trim_start_matches("ours: ");
                let l = match l.split_once(": ") {
                    Some((head, rest)) if head.starts_with("instruction ") => rest,
                    _ => l,
                };
                let r: String = l.chars().take(120).collect();
                *reasons.entry(r).or_default() += 1;
            }
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (r, k) in reasons.iter().take(25) {
        println!("false reject x{k}: {r}");
    }
    println!(
        "verifier shapes vs kernel (seed {seed:#x}, {per} programs per shape and type, {:.1?}; {ours_time:.1?} in our verifier, {kernel_time:.1?} in BPF_PROG_LOAD):",
        start.elapsed()
    );
    let (fa, fr, kernel_accepts) = print_rows(
        18,
        rows.iter().map(|((shape, pt, flags), r)| {
            let strict = if *flags == STRICT { "+strict" } else { "" };
            (format!("{shape:?}{strict}"), pt.name(), r)
        }),
    );
    // The strict runs refuse more by design (misaligned offsets the default mode allows):
    // the generator's health is judged on the default runs.
    let default_rows = || rows.iter().filter(|((_, _, flags), _)| *flags == 0);
    let default_accepts = default_rows().map(|(_, r)| r.kernel_accepts()).sum();
    let default_total = default_rows().map(|(_, r)| r.programs).sum();
    let show = env_num("VERIFIER_SHAPES_SHOW").unwrap_or(1) as usize;
    print_disagreements(rows.iter().map(|(_, r)| r), show);
    // The generator measures precision only if the kernel accepts most of what it writes
    // (judged on the default runs: the strict ones refuse more by design). The false-reject
    // ceiling catches precision lost by a change: 0 measured on Linux 6.18 with the default
    // seed and three others since the scalars keep the kernel's 32-bit bounds (3.0% before,
    // JMP32 bounds making most of it).
    assert_shapes_agree(fa, fr, kernel_accepts, default_accepts, default_total);
}

kernel_tests! {
    privileged: [
        verifier_shapes_agree_with_the_kernel,
    ],
}
