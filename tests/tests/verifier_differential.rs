//! Differential test of the static verifier against the running kernel.
//!
//! A structure-aware generator (fixed seed) writes a few thousand XDP, socket-filter and tc
//! (`sched_cls`) programs the way people write them — packet parsing with bounds checks, variable header
//! offsets, stack spills, map lookups with null checks, helper calls, bounded loops, context
//! reads — and injects the usual mistakes into some of them (missing or short bounds checks,
//! checks on the wrong branch, missing null checks, reads of clobbered registers, bad context
//! offsets and sizes, out-of-frame or misaligned stack access, division by a zero constant,
//! out-of-range shifts, loops without progress, stale packet pointers after
//! `bpf_xdp_adjust_head`, helpers the program type may not call, leaked ring buffer
//! reservations, ...). Each program goes through `ebpf_dsl::verifier::verify` and through
//! `BPF_PROG_LOAD` (as root), and the test prints the agreement table.
//!
//! It fails on any false accept (we accept, the kernel rejects) and when false rejects exceed
//! 5% of the programs the kernel accepts. Where both reject, it also reports (without failing)
//! whether the kernel's log names the instruction we name, and a table of our rules against
//! the kernel's reasons (`kernel_log`). Needs root; skips with a message otherwise unless
//! `CI=true`.

use xsk_testkit::kernel_tests;

mod common;
use common::*;
mod kernel_log;

use std::fmt::Write as _;
use std::time::Instant;

use ebpf_dsl::asm::assemble_unchecked;
use ebpf_dsl::verifier::{verify, VerifyInput};
use ebpf_dsl::{MapSpec, MapType, ProgramType};
use xsk_runtime::maps::Map;

const SEED: u64 = 0x005e_ed0f_7e57;
const XDP_PROGRAMS: usize = 6000;
const SOCKET_FILTER_PROGRAMS: usize = 3000;
const TC_PROGRAMS: usize = 3000;

fn maps() -> Vec<MapSpec> {
    let m = common::map_spec;
    vec![
        m("xsks", MapType::Xskmap, 4, 4, 64),
        m("counters", MapType::Array, 4, 16, 64),
        m("flows", MapType::Hash, 8, 8, 1024),
        m("ring", MapType::Ringbuf, 0, 0, 4096),
        m("jumps", MapType::ProgArray, 4, 4, 8),
    ]
}

/// Writes one program. Registers: r6 = ctx, r7 = data, r8 = data_end, r9 = a running scalar;
/// r0-r5 are scratch (clobbered by calls).
struct Gen {
    rng: Rng,
    out: String,
    subs: String,
    label: usize,
    /// Bytes of the packet proven readable from r7 (as far as the generator knows).
    checked: i64,
    xdp: bool,
    /// A tc classifier (direct packet access through `__sk_buff`; `xdp` is set too).
    tc: bool,
    /// Mistake probability in percent, per block.
    p_mistake: u64,
}

impl Gen {
    fn l(&mut self, name: &str) -> String {
        self.label += 1;
        format!("{name}{}", self.label)
    }
    fn emit(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn oops(&mut self) -> bool {
        self.rng.chance(self.p_mistake)
    }
    fn size(&mut self) -> (&'static str, i64) {
        self.rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)])
    }

    fn xdp_program(&mut self) -> String {
        self.emit("r6 = r1");
        if self.tc {
            self.emit("r7 = *(u32 *)(r6 + 76)");
            self.emit("r8 = *(u32 *)(r6 + 80)");
            self.emit("r9 = *(u32 *)(r6 + 0)");
            self.emit("if r9 > 1500 goto out");
        } else {
            self.emit("r7 = *(u32 *)(r6 + 0)");
            self.emit("r8 = *(u32 *)(r6 + 4)");
            self.emit("r9 = *(u32 *)(r6 + 16)");
            self.emit("if r9 > 63 goto out");
        }
        // Most programs start with an Ethernet/IPv4 bounds check.
        if self.rng.chance(80) {
            let n = self.rng.pick(&[14, 34, 42, 54]);
            self.bounds(n);
        }
        let blocks = self.rng.range(1, 7);
        for _ in 0..blocks {
            self.block(0);
        }
        self.ret();
        self.emit("out:");
        self.emit("r0 = 2");
        self.emit("exit");
        let subs = std::mem::take(&mut self.subs);
        self.out.push_str(&subs);
        std::mem::take(&mut self.out)
    }

    fn socket_program(&mut self) -> String {
        self.emit("r6 = r1");
        self.emit("r9 = *(u32 *)(r6 + 0)");
        self.emit("if r9 > 1500 goto out");
        let blocks = self.rng.range(1, 6);
        for _ in 0..blocks {
            self.block(0);
        }
        self.ret();
        self.emit("out:");
        self.emit("r0 = 0");
        self.emit("exit");
        let subs = std::mem::take(&mut self.subs);
        self.out.push_str(&subs);
        std::mem::take(&mut self.out)
    }

    fn ret(&mut self) {
        if self.oops() {
            match self.rng.below(4) {
                0 => self.emit("r0 = r7"),
                1 => self.emit("r0 = r9"),
                2 => self.emit("r0 = r10"),
                _ => {} // r0 whatever the last block left (maybe nothing)
            }
        } else if self.tc {
            let a = self.rng.pick(&[-1, 0, 2, 7]);
            self.emit(&format!("r0 = {a}"));
        } else if self.xdp {
            let a = self.rng.range(0, 4);
            self.emit(&format!("r0 = {a}"));
        } else {
            let a = self.rng.pick(&[0, 64, 0xffff]);
            self.emit(&format!("r0 = {a}"));
        }
        self.emit("exit");
    }

    fn bounds(&mut self, n: i64) {
        let oops = self.oops();
        self.emit("r4 = r7");
        self.emit(&format!("r4 += {n}"));
        if oops {
            match self.rng.below(4) {
                0 => self.emit("if w4 > w8 goto out"),
                1 => self.emit("if r4 <= r8 goto out"),
                2 => self.emit("if r4 > r8 goto out"), // fine, but then an access beyond it follows
                _ => self.emit("if r8 > r4 goto out"),
            }
            if self.rng.chance(50) {
                let (s, b) = self.size();
                let off = (n - b + self.rng.range(1, 4)).max(0);
                self.emit(&format!("r0 = *({s} *)(r7 + {off})"));
            }
        } else {
            self.emit("if r4 > r8 goto out");
            self.checked = self.checked.max(n);
        }
    }

    fn block(&mut self, depth: u32) {
        let kinds: &[u8] = if self.tc {
            b"ABBCDEFGHIJKLPPPQQSTUN"
        } else if self.xdp {
            b"ABBCDEFGHIJKLMPPPQQRSTU"
        } else {
            b"DEFGHIJKLNOPPU"
        };
        match self.rng.pick(kinds) {
            b'A' => {
                let n = self.rng.range(1, 80);
                self.bounds(n)
            }
            b'B' => self.pkt_access(),
            b'C' => self.var_offset(),
            b'D' => self.stack(),
            b'E' => self.map_lookup(),
            b'F' => self.helper(),
            b'G' => self.alu(),
            b'H' => self.looped(),
            b'I' => self.ctx(),
            b'J' if depth == 0 => {
                let skip = self.l("skip");
                let op = self.rng.pick(&["==", "!=", ">", "<", "s>", "&"]);
                let k = self.rng.range(0, 64);
                self.emit(&format!("if r9 {op} {k} goto {skip}"));
                let saved = self.checked;
                self.block(1);
                self.checked = saved;
                self.emit(&format!("{skip}:"));
            }
            b'K' => self.ringbuf(),
            b'L' => self.subprog_call(),
            b'M' => self.adjust_head(),
            b'N' => self.ld_abs(),
            b'O' => self.skb_load_bytes(),
            b'P' => self.map_value_var_offset(),
            b'Q' => self.pkt_var_offset_bounded(),
            b'R' => self.meta(),
            b'S' => self.pkt_to_subprog(),
            b'T' => self.parse_loop(),
            b'U' => self.map_update(),
            _ => self.alu(),
        }
    }

    fn pkt_access(&mut self) {
        let (s, b) = self.size();
        let oops = self.oops();
        let store = self.rng.chance(25);
        let off = if oops || self.checked < b {
            (self.checked - b + self.rng.range(1, 6)).max(0)
        } else {
            self.rng.range(0, self.checked - b)
        };
        if store {
            self.emit(&format!("*({s} *)(r7 + {off}) = r9"));
        } else {
            let d = self.rng.range(0, 5);
            self.emit(&format!("r{d} = *({s} *)(r7 + {off})"));
            if self.rng.chance(50) {
                self.emit(&format!("r9 ^= r{d}"));
            }
        }
    }

    fn var_offset(&mut self) {
        if self.checked < 15 {
            self.bounds(34);
        }
        let oops = self.oops();
        let m = self.rng.range(1, 40);
        let j = if oops {
            m - self.rng.range(0, 1)
        } else {
            self.rng.range(0, (m - 1).max(0))
        };
        self.emit("r5 = *(u8 *)(r7 + 14)");
        if !(oops && self.rng.chance(30)) {
            self.emit("r5 &= 15");
        } else {
            self.emit("r5 <<= 16");
        }
        self.emit("r5 <<= 2");
        self.emit("r4 = r7");
        self.emit("r4 += r5");
        self.emit("r3 = r4");
        self.emit(&format!("r3 += {m}"));
        if oops && self.rng.chance(30) {
            self.emit(&format!("r0 = *(u8 *)(r4 + {j})"));
            self.emit("if r3 > r8 goto out");
        } else {
            self.emit("if r3 > r8 goto out");
            self.emit(&format!("r0 = *(u8 *)(r4 + {j})"));
        }
        self.emit("r9 += r0");
    }

    fn stack(&mut self) {
        let slot = self.rng.range(1, 8) * 8;
        if self.oops() {
            match self.rng.below(5) {
                0 => self.emit("*(u64 *)(r10 - 520) = r9"),
                1 => self.emit("*(u32 *)(r10 - 6) = r9"),
                2 => {
                    self.emit(&format!("*(u64 *)(r10 - {slot}) = r7"));
                    self.emit(&format!("r0 = *(u32 *)(r10 - {slot})"));
                }
                3 => self.emit(&format!("*(u32 *)(r10 - {slot}) = r7")),
                _ => self.emit("r0 = *(u64 *)(r10 + 8)"),
            }
            return;
        }
        match self.rng.below(5) {
            0 => {
                self.emit(&format!("*(u64 *)(r10 - {slot}) = r9"));
                self.emit(&format!("r9 = *(u64 *)(r10 - {slot})"));
            }
            1 => {
                let v = self.rng.range(-5, 100);
                self.emit(&format!("*(u32 *)(r10 - {slot}) = {v}"));
                self.emit(&format!("r0 = *(u32 *)(r10 - {slot})"));
                self.emit("r9 += r0");
            }
            2 if self.xdp => {
                self.emit(&format!("*(u64 *)(r10 - {slot}) = r7"));
                self.emit(&format!("r7 = *(u64 *)(r10 - {slot})"));
            }
            3 => {
                self.emit(&format!("*(u64 *)(r10 - {slot}) = 0"));
                self.emit("r1 = 1");
                self.emit(&format!("lock *(u64 *)(r10 - {slot}) += r1"));
            }
            _ => {
                self.emit(&format!("r0 = *(u16 *)(r10 - {slot})"));
                self.emit("r9 |= r0");
            }
        }
    }

    fn map_lookup(&mut self) {
        let skip = self.l("miss");
        let hash = self.rng.chance(35);
        let (map, ksz, vsz) = if hash {
            ("flows", 8, 8)
        } else {
            ("counters", 4, 16)
        };
        let oops = self.oops();
        let mistake = if oops { self.rng.below(5) } else { 99 };
        let kslot = if mistake == 0 { ksz - 4 } else { 8 };
        if mistake != 1 {
            self.emit(&format!("*(u{} *)(r10 - {kslot}) = r9", ksz * 8));
        }
        self.emit("r2 = r10");
        self.emit(&format!("r2 += -{kslot}"));
        self.emit(&format!("r1 = {map} ll"));
        self.emit("call bpf_map_lookup_elem");
        if mistake != 2 {
            self.emit(&format!("if r0 == 0 goto {skip}"));
        }
        let off = if mistake == 3 {
            vsz - 4
        } else {
            self.rng.range(0, vsz / 8 - 1) * 8
        };
        match self.rng.below(3) {
            0 => {
                self.emit(&format!("r1 = *(u64 *)(r0 + {off})"));
                self.emit("r1 += 1");
                self.emit(&format!("*(u64 *)(r0 + {off}) = r1"));
            }
            1 => {
                self.emit("r1 = 1");
                self.emit(&format!("lock *(u64 *)(r0 + {off}) += r1"));
            }
            _ => {
                self.emit(&format!("r1 = *(u32 *)(r0 + {off})"));
                self.emit("r9 += r1");
            }
        }
        if mistake == 4 {
            self.emit("r9 += r2");
        }
        if mistake != 2 {
            self.emit(&format!("{skip}:"));
        }
    }

    fn helper(&mut self) {
        let oops = self.oops();
        if oops {
            match self.rng.below(5) {
                0 => {
                    self.emit("call bpf_ktime_get_ns");
                    self.emit("r9 += r3");
                }
                1 if self.tc => {
                    self.emit("r1 = r6");
                    self.emit("r2 = 0");
                    self.emit("call bpf_xdp_adjust_head");
                }
                1 if self.xdp => {
                    self.emit("r1 = r6");
                    self.emit("r2 = 0");
                    self.emit("r3 = r10");
                    self.emit("r3 += -8");
                    self.emit("r4 = 8");
                    self.emit("call bpf_skb_load_bytes");
                }
                1 => {
                    self.emit("r1 = 1");
                    self.emit("r2 = 0");
                    self.emit("call bpf_redirect");
                }
                2 => {
                    self.emit("r1 = counters ll");
                    self.emit("r2 = 0");
                    self.emit("r3 = 0");
                    self.emit("call bpf_redirect_map");
                }
                3 => {
                    self.emit("*(u64 *)(r10 - 24) = r9");
                    self.emit("r1 = r10");
                    self.emit("r1 += -24");
                    self.emit("r2 = 32");
                    self.emit("r3 = 0");
                    self.emit("r4 = 0");
                    self.emit("r5 = 0");
                    self.emit("call bpf_trace_printk");
                }
                _ => {
                    self.emit("r1 = r9");
                    self.emit("call bpf_xdp_adjust_tail");
                }
            }
            return;
        }
        match self.rng.below(7) {
            0 => {
                let h = self.rng.pick(&[
                    "bpf_ktime_get_ns",
                    "bpf_get_prandom_u32",
                    "bpf_get_smp_processor_id",
                ]);
                self.emit(&format!("call {h}"));
                self.emit("r9 += r0");
            }
            1 if self.xdp => {
                self.emit("r1 = 1");
                self.emit("r2 = 0");
                self.emit("call bpf_redirect");
            }
            2 if self.xdp => {
                self.emit("r1 = xsks ll");
                self.emit("r2 = r9");
                self.emit("r3 = 2");
                self.emit("call bpf_redirect_map");
            }
            3 => {
                self.emit("*(u64 *)(r10 - 24) = r9");
                self.emit("r1 = r10");
                self.emit("r1 += -24");
                self.emit("r2 = 8");
                self.emit("r3 = r9");
                self.emit("r4 = 0");
                self.emit("r5 = 0");
                self.emit("call bpf_trace_printk");
            }
            4 if self.xdp => {
                self.emit("*(u64 *)(r10 - 16) = r9");
                self.emit("r1 = r10");
                self.emit("r1 += -16");
                self.emit("r2 = 8");
                self.emit("r3 = 0");
                self.emit("r4 = 0");
                self.emit("r5 = 0");
                self.emit("call bpf_csum_diff");
            }
            5 => {
                self.emit("r1 = r6");
                self.emit("r2 = jumps ll");
                self.emit("r3 = 0");
                self.emit("call bpf_tail_call");
            }
            _ => {
                self.emit("r1 = r6");
                if self.tc {
                    self.emit("call bpf_get_hash_recalc");
                } else if self.xdp {
                    self.emit("call bpf_xdp_get_buff_len");
                } else {
                    self.emit("call bpf_get_socket_cookie");
                }
                self.emit("r9 ^= r0");
            }
        }
    }

    fn alu(&mut self) {
        if self.oops() {
            match self.rng.below(4) {
                0 => self.emit("r9 /= 0"),
                1 => self.emit("r9 <<= 64"),
                2 => self.emit("w9 >>= 32"),
                _ => self.emit("r9 %= 0"),
            }
            return;
        }
        let n = self.rng.range(1, 4);
        for _ in 0..n {
            let w = if self.rng.chance(30) { "w" } else { "r" };
            let op = self.rng.pick(&[
                "+=", "-=", "*=", "&=", "|=", "^=", "<<=", ">>=", "s>>=", "/=", "%=",
            ]);
            let k = if op.contains("<<") || op.contains(">>") {
                self.rng.range(0, if w == "w" { 31 } else { 63 })
            } else if op == "/=" || op == "%=" {
                self.rng.range(1, 100)
            } else {
                self.rng.range(-100, 1000)
            };
            self.emit(&format!("{w}9 {op} {k}"));
        }
        // Bounded pointer arithmetic with the result.
        if self.xdp && self.rng.chance(50) {
            if self.checked < 1 {
                self.bounds(14);
            }
            let oops = self.oops();
            self.emit("r4 = r9");
            if !oops {
                let mask = self.rng.pick(&[7, 15, 31, 63]);
                self.emit(&format!("r4 &= {mask}"));
            }
            self.emit("r3 = r7");
            self.emit("r3 += r4");
            self.emit("r2 = r3");
            self.emit("r2 += 4");
            self.emit("if r2 > r8 goto out");
            self.emit("r0 = *(u32 *)(r3 + 0)");
            self.emit("r9 += r0");
        }
    }

    fn looped(&mut self) {
        let top = self.l("loop");
        let n = self.rng.range(1, 30);
        let oops = self.oops();
        self.emit("r1 = 0");
        self.emit(&format!("{top}:"));
        // (A loop without progress gets a body that leaves the state unchanged, so that both
        // verifiers see the repetition at once instead of running to the 1M-instruction limit.)
        if !oops && self.xdp && self.checked >= 8 && self.rng.chance(50) {
            self.emit("r0 = *(u8 *)(r7 + 0)");
            self.emit("r9 += r0");
        } else {
            self.emit("r9 += r1");
        }
        if oops {
            self.emit("r1 += 0");
        } else {
            self.emit("r1 += 1");
        }
        let op = self.rng.pick(&["<", "!=", "s<"]);
        self.emit(&format!("if r1 {op} {n} goto {top}"));
    }

    fn ctx(&mut self) {
        let oops = self.oops();
        if self.tc && oops {
            let s = self.rng.pick(&[
                "*(u32 *)(r6 + 0) = r9",
                "r0 = *(u64 *)(r6 + 76)",
                "r0 = *(u16 *)(r6 + 80)",
                "*(u16 *)(r6 + 8) = r9",
                "r0 = *(u32 *)(r6 + 200)",
            ]);
            self.emit(s);
        } else if self.tc {
            let s = self.rng.pick(&[
                "*(u32 *)(r6 + 8) = r9",
                "*(u32 *)(r6 + 32) = r9",
                "*(u32 *)(r6 + 72) = r9",
                "r0 = *(u32 *)(r6 + 72)\nr9 += r0",
                "r0 = *(u16 *)(r6 + 16)\nr9 += r0",
            ]);
            self.emit(s);
        } else if self.xdp {
            if oops {
                let s = self.rng.pick(&[
                    "r0 = *(u32 *)(r6 + 20)",
                    "r0 = *(u32 *)(r6 + 24)",
                    "r0 = *(u64 *)(r6 + 0)",
                    "r0 = *(u16 *)(r6 + 16)",
                    "*(u32 *)(r6 + 16) = r9",
                    "r0 = *(u32 *)(r6 + 2)",
                ]);
                self.emit(s);
            } else {
                let off = self.rng.pick(&[12, 16]);
                self.emit(&format!("r0 = *(u32 *)(r6 + {off})"));
                self.emit("r9 += r0");
            }
        } else if oops {
            let s = self.rng.pick(&[
                "r0 = *(u32 *)(r6 + 76)",
                "r0 = *(u64 *)(r6 + 0)",
                "*(u32 *)(r6 + 8) = r9",
                "r0 = *(u32 *)(r6 + 200)",
                "*(u16 *)(r6 + 48) = r9",
            ]);
            self.emit(s);
        } else {
            let (s, b) = self.rng.pick(&[("u32", 4), ("u16", 2), ("u8", 1)]);
            let field = self.rng.pick(&[0, 4, 8, 16, 36, 40, 48, 68]);
            let sub = if b == 4 {
                0
            } else {
                self.rng.range(0, 4 / b - 1) * b
            };
            self.emit(&format!("r0 = *({s} *)(r6 + {})", field + sub));
            self.emit("r9 += r0");
            if self.rng.chance(40) {
                let cb = self.rng.pick(&[48, 52, 56, 60, 64]);
                self.emit(&format!("*(u32 *)(r6 + {cb}) = r9"));
            }
        }
    }

    fn ringbuf(&mut self) {
        let done = self.l("rb");
        let oops = self.oops();
        let mistake = if oops { self.rng.below(3) } else { 99 };
        self.emit("r1 = ring ll");
        self.emit("r2 = 16");
        self.emit("r3 = 0");
        self.emit("call bpf_ringbuf_reserve");
        if mistake != 0 {
            self.emit(&format!("if r0 == 0 goto {done}"));
        }
        let off = if mistake == 1 { 12 } else { 8 };
        self.emit(&format!("*(u64 *)(r0 + {off}) = r9"));
        if mistake != 2 {
            self.emit("r1 = r0");
            self.emit("r2 = 0");
            let submit = self.rng.chance(50);
            self.emit(if submit {
                "call bpf_ringbuf_submit"
            } else {
                "call bpf_ringbuf_discard"
            });
        }
        if mistake != 0 {
            self.emit(&format!("{done}:"));
        }
    }

    fn subprog_call(&mut self) {
        let f = self.l("func");
        let oops = self.oops();
        self.emit("r1 = r9");
        self.emit("r2 = r10");
        self.emit("r2 += -32");
        self.emit(&format!("call {f}"));
        self.emit("r9 = r0");
        let mut s = format!("{f}:\n*(u64 *)(r2 + 0) = r1\nr0 = *(u64 *)(r2 + 0)\n");
        if oops {
            s.push_str(
                self.rng
                    .pick(&["r0 = r10\n", "r0 += r3\n", "r0 = *(u64 *)(r2 + 32)\n"]),
            );
        } else {
            s.push_str("r0 += 1\n");
        }
        s.push_str("exit\n");
        self.subs.push_str(&s);
    }

    fn adjust_head(&mut self) {
        let oops = self.oops();
        self.emit("r1 = r6");
        self.emit("r2 = 0");
        self.emit("call bpf_xdp_adjust_head");
        if oops {
            // Stale packet pointers.
            self.emit("r0 = *(u8 *)(r7 + 0)");
        } else {
            self.emit("r7 = *(u32 *)(r6 + 0)");
            self.emit("r8 = *(u32 *)(r6 + 4)");
            self.checked = 0;
        }
    }

    fn ld_abs(&mut self) {
        let (s, _) = self.rng.pick(&[("u8", 1), ("u16", 2), ("u32", 4)]);
        let k = self.rng.range(0, 60);
        if self.oops() {
            self.emit("r6 = r9");
            self.emit(&format!("r0 = *({s} *)skb[{k}]"));
        } else if self.rng.chance(50) {
            self.emit(&format!("r0 = *({s} *)skb[{k}]"));
        } else {
            self.emit("r5 = r9");
            self.emit("r5 &= 31");
            self.emit(&format!("r0 = *({s} *)skb[r5 + {k}]"));
        }
        self.emit("r9 += r0");
    }

    /// Sets r4 to some scalar: a load, r9, a constant; then 0-3 operations on it.
    fn scalar_expr(&mut self) {
        let src = self.rng.below(5);
        if self.xdp && self.checked >= 8 && src < 2 {
            let s = self
                .rng
                .pick(&["u8", "u16", "u32", "u64", "s8", "s16", "s32"]);
            let off = self.rng.range(0, 0.max(self.checked - 8));
            self.emit(&format!("r4 = *({s} *)(r7 + {off})"));
        } else if src == 2 {
            let k = self.rng.range(-40, 300);
            self.emit(&format!("r4 = {k}"));
        } else {
            self.emit("r4 = r9");
        }
        let n = self.rng.below(4);
        for _ in 0..n {
            let w = if self.rng.chance(30) { "w" } else { "r" };
            let k = self.rng.pick(&[
                0,
                1,
                2,
                3,
                4,
                7,
                8,
                12,
                15,
                16,
                31,
                255,
                -1,
                -8,
                0x7fff_ffff,
            ]);
            let sh = self.rng.range(0, if w == "w" { 31 } else { 63 });
            let line = match self.rng.below(14) {
                0 => format!("{w}4 &= {k}"),
                1 => format!("{w}4 |= {k}"),
                2 => format!("{w}4 += {k}"),
                3 => format!("{w}4 -= {k}"),
                4 => format!("{w}4 *= {k}"),
                5 => format!("{w}4 <<= {sh}"),
                6 => format!("{w}4 >>= {sh}"),
                7 => format!("{w}4 s>>= {sh}"),
                8 => format!("{w}4 ^= {k}"),
                9 => format!("{w}4 = -{w}4"),
                10 => self
                    .rng
                    .pick(&[
                        "r4 = (s8)r4",
                        "r4 = (s16)r4",
                        "r4 = (s32)r4",
                        "w4 = (s8)w4",
                        "w4 = w4",
                    ])
                    .to_string(),
                11 => self
                    .rng
                    .pick(&[
                        "r4 = be16 r4",
                        "r4 = le16 r4",
                        "r4 = be32 r4",
                        "r4 = le32 r4",
                    ])
                    .to_string(),
                12 => format!("{w}4 /= {}", k.max(1)),
                _ => format!("{w}4 %= {}", k.max(1)),
            };
            self.emit(&line);
        }
    }

    /// Bounds r4 with one or two comparisons; the fall-through is the bounded path.
    fn bound_r4(&mut self, skip: &str, limit: i64) {
        let n = self.rng.range(1, 2);
        for _ in 0..n {
            let w = if self.rng.chance(25) { "w" } else { "r" };
            let slack = if self.oops() { self.rng.range(1, 3) } else { 0 };
            let k = limit + slack;
            let line = match self.rng.below(10) {
                0 => format!("if {w}4 > {} goto {skip}", k - 1),
                1 => format!("if {w}4 >= {k} goto {skip}"),
                2 => format!("if {w}4 s> {} goto {skip}", k - 1),
                3 => format!("if {w}4 s>= {k} goto {skip}"),
                4 => format!("if {w}4 s< 0 goto {skip}"),
                5 => format!("if {w}4 & {} goto {skip}", !(k.max(1) - 1) & 0x7fff_ffff),
                6 => format!("if {w}4 == {} goto {skip}", self.rng.range(0, k)),
                7 => {
                    // Register-register comparison.
                    self.emit(&format!("r5 = {k}"));
                    format!("if {w}5 <= {w}4 goto {skip}")
                }
                8 => format!("if {w}4 != {} goto {skip}", self.rng.range(0, k)),
                _ => format!("if {w}4 < {} goto {skip}", self.rng.range(0, 3)),
            };
            self.emit(&line);
        }
    }

    /// A variable offset into a map value, bounded by comparisons.
    fn map_value_var_offset(&mut self) {
        let skip = self.l("mv");
        let size = self.rng.pick(&[1, 2, 4, 8]);
        let (s, _) = [("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)]
            [[1, 2, 4, 8].iter().position(|x| *x == size).unwrap_or(0)];
        self.scalar_expr();
        self.emit("*(u64 *)(r10 - 48) = r4");
        self.emit("*(u32 *)(r10 - 4) = 0");
        self.emit("r2 = r10");
        self.emit("r2 += -4");
        self.emit("r1 = counters ll");
        self.emit("call bpf_map_lookup_elem");
        self.emit(&format!("if r0 == 0 goto {skip}"));
        self.emit("r4 = *(u64 *)(r10 - 48)");
        self.bound_r4(&skip, 16 - size + 1);
        self.emit("r0 += r4");
        if self.rng.chance(30) {
            self.emit(&format!("*({s} *)(r0 + 0) = r9"));
        } else {
            self.emit(&format!("r1 = *({s} *)(r0 + 0)"));
            self.emit("r9 += r1");
        }
        self.emit(&format!("{skip}:"));
    }

    /// A variable packet offset bounded by comparisons, then a bounds check through it.
    fn pkt_var_offset_bounded(&mut self) {
        let skip = self.l("pv");
        self.scalar_expr();
        self.bound_r4(&skip, 64);
        self.emit("r3 = r7");
        self.emit("r3 += r4");
        let m = self.rng.range(1, 12);
        let k = if self.oops() {
            m
        } else {
            self.rng.range(0, m - 1)
        };
        self.emit("r2 = r3");
        self.emit(&format!("r2 += {m}"));
        self.emit(&format!("if r2 > r8 goto {skip}"));
        self.emit(&format!("r0 = *(u8 *)(r3 + {k})"));
        self.emit("r9 += r0");
        self.emit(&format!("{skip}:"));
    }

    /// Metadata in front of the packet: `bpf_xdp_adjust_meta`, then `data_meta` bounded by
    /// `data`.
    fn meta(&mut self) {
        let skip = self.l("meta");
        let oops = self.oops();
        let mistake = if oops { self.rng.below(4) } else { 99 };
        self.emit("r1 = r6");
        self.emit("r2 = -8");
        self.emit("call bpf_xdp_adjust_meta");
        self.emit("r7 = *(u32 *)(r6 + 0)");
        self.emit("r8 = *(u32 *)(r6 + 4)");
        self.checked = 0;
        self.emit("r5 = *(u32 *)(r6 + 8)");
        self.emit("r4 = r5");
        let n = if mistake == 0 { 4 } else { 8 };
        self.emit(&format!("r4 += {n}"));
        if mistake == 1 {
            self.emit(&format!("if r4 > r8 goto {skip}"));
        } else if mistake == 2 {
            self.emit(&format!("if r4 < r7 goto {skip}"));
        } else {
            self.emit(&format!("if r4 > r7 goto {skip}"));
        }
        let off = if mistake == 3 { 4 } else { 0 };
        self.emit(&format!("*(u64 *)(r5 + {off}) = r9"));
        self.emit(&format!("{skip}:"));
    }

    /// A packet pointer passed to a bpf-to-bpf function that reads through it.
    fn pkt_to_subprog(&mut self) {
        let f = self.l("pktfn");
        if self.checked < 8 {
            self.bounds(14);
        }
        let oops = self.oops();
        let off = if oops {
            self.checked
        } else {
            self.rng.range(0, self.checked - 1)
        };
        self.emit("r1 = r7");
        self.emit(&format!("call {f}"));
        self.emit("r9 += r0");
        self.subs
            .push_str(&format!("{f}:\nr0 = *(u8 *)(r1 + {off})\nexit\n"));
    }

    /// A loop walking the packet one byte at a time, bounds-checking each step.
    fn parse_loop(&mut self) {
        let top = self.l("walk");
        let done = self.l("walked");
        let oops = self.oops();
        let n = self.rng.range(1, 12);
        self.emit("r3 = r7");
        self.emit("r1 = 0");
        self.emit(&format!("{top}:"));
        self.emit("r2 = r3");
        self.emit("r2 += 1");
        if !oops {
            self.emit(&format!("if r2 > r8 goto {done}"));
        }
        self.emit("r0 = *(u8 *)(r3 + 0)");
        self.emit("r9 += r0");
        self.emit("r3 += 1");
        self.emit("r1 += 1");
        self.emit(&format!("if r1 < {n} goto {top}"));
        self.emit(&format!("{done}:"));
    }

    /// `bpf_map_update_elem` with key and value on the stack.
    fn map_update(&mut self) {
        let oops = self.oops();
        let mistake = if oops { self.rng.below(3) } else { 99 };
        self.emit("*(u64 *)(r10 - 8) = r9");
        if mistake != 0 {
            self.emit("*(u64 *)(r10 - 16) = 1");
        }
        self.emit("r1 = flows ll");
        self.emit("r2 = r10");
        self.emit("r2 += -8");
        self.emit("r3 = r10");
        self.emit(if mistake == 1 {
            "r3 += -4"
        } else {
            "r3 += -16"
        });
        if mistake == 2 {
            self.emit("r4 = r9");
        } else {
            self.emit("r4 = 0");
        }
        self.emit("call bpf_map_update_elem");
        self.emit("r9 += r0");
    }

    fn skb_load_bytes(&mut self) {
        let n = if self.oops() {
            24
        } else {
            self.rng.pick(&[1, 4, 8, 16])
        };
        let off = self.rng.range(0, 40);
        self.emit("r1 = r6");
        self.emit(&format!("r2 = {off}"));
        self.emit("r3 = r10");
        self.emit("r3 += -16");
        self.emit(&format!("r4 = {n}"));
        self.emit("call bpf_skb_load_bytes");
        self.emit("r0 = *(u8 *)(r10 - 16)");
        self.emit("r9 += r0");
    }
}

#[derive(Default)]
struct Table {
    acc_acc: usize,
    rej_rej: usize,
    false_accept: Vec<String>,
    false_reject: Vec<String>,
}

fn verifier_agrees_with_the_kernel() {
    let specs = maps();
    // One set of kernel maps per program type: a prog_array belongs to the program type that
    // first uses it, so sharing it would fail loads after verification.
    let create = || -> Vec<Map> {
        specs
            .iter()
            .map(|s| Map::create(s).unwrap_or_else(|e| panic!("creating map {}: {e}", s.name)))
            .collect()
    };
    let maps_by_type = [create(), create(), create()];
    let start = Instant::now();
    let mut tables = Vec::new();
    // `VERIFIER_DIFF_SEED=n` explores another corpus.
    let seed: u64 = std::env::var("VERIFIER_DIFF_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(SEED);
    let mut rng_seed = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let mut ours_time = std::time::Duration::ZERO;
    // `VERIFIER_DIFF_PROGRAMS=n` runs n programs of each type instead (for quick iterations).
    let only: Option<usize> = std::env::var("VERIFIER_DIFF_PROGRAMS")
        .ok()
        .and_then(|v| v.parse().ok());
    let mut kernel_time = std::time::Duration::ZERO;
    // Where both reject: the instruction each names, and our rule against the kernel's reason.
    let mut both = kernel_log::BothReject::default();
    for (pt, count) in [
        (ProgramType::Xdp, XDP_PROGRAMS),
        (ProgramType::SocketFilter, SOCKET_FILTER_PROGRAMS),
        (ProgramType::SchedCls, TC_PROGRAMS),
    ] {
        let count = only.unwrap_or(count);
        let map_refs: Vec<&Map> = maps_by_type[match pt {
            ProgramType::Xdp => 0,
            ProgramType::SocketFilter => 1,
            _ => 2,
        }]
        .iter()
        .collect();
        let mut t = Table::default();
        for i in 0..count {
            rng_seed = rng_seed.wrapping_add(1);
            let mut g = Gen {
                rng: Rng(rng_seed.wrapping_mul(0x2545_f491_4f6c_dd1d)),
                out: String::new(),
                subs: String::new(),
                label: 0,
                checked: 0,
                xdp: pt != ProgramType::SocketFilter,
                tc: pt == ProgramType::SchedCls,
                p_mistake: 12,
            };
            let src = if pt != ProgramType::SocketFilter {
                g.xdp_program()
            } else {
                g.socket_program()
            };
            let a = assemble_unchecked(&src)
                .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
            let t0 = Instant::now();
            let ours = verify(
                &VerifyInput::new(&a.insns, pt)
                    .with_maps(&a.relocations, &specs)
                    .with_kernel(running_kernel()),
            );
            let dt_ours = t0.elapsed();
            ours_time += dt_ours;
            let t1 = Instant::now();
            let kernel = kernel_verdict("difftest", pt, &a, &specs, &map_refs, &src);
            let dt_kernel = t1.elapsed();
            kernel_time += dt_kernel;
            if std::env::var("VERIFIER_DIFF_SLOW").is_ok()
                && (dt_ours.as_millis() > 50 || dt_kernel.as_millis() > 50)
            {
                println!(
                    "slow: ours {dt_ours:?} kernel {dt_kernel:?} ours={:?}\n{src}",
                    ours.as_ref()
                        .map(|r| r.insns_processed)
                        .map_err(|e| e[0].to_string())
                );
            }
            let case = || {
                let mut s = format!("--- {pt} program #{i}\n{src}");
                if let Err(e) = &ours {
                    let _ = writeln!(s, "ours: {}", e[0]);
                }
                if let Err(log) = &kernel {
                    let tail: Vec<&str> = log.lines().rev().take(3).collect();
                    let _ = writeln!(
                        s,
                        "kernel: {}",
                        tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                    );
                }
                s
            };
            match (&ours, &kernel) {
                (Ok(_), Ok(())) => t.acc_acc += 1,
                (Err(e), Err(log)) => {
                    t.rej_rej += 1;
                    both.add(pt, &e[0], log, &src);
                }
                (Ok(_), Err(_)) => t.false_accept.push(case()),
                (Err(_), Ok(())) => t.false_reject.push(case()),
            }
        }
        tables.push((pt, count, t));
    }
    let mut reasons: std::collections::BTreeMap<String, usize> = Default::default();
    for (_, _, t) in &tables {
        for c in &t.false_reject {
            if let Some(l) = c.lines().find(|l| l.starts_with("ours: ")) {
                let r = l.split_once(": ").map(|x| x.1).unwrap_or(l);
                let r = r.split_once(": ").map(|x| x.1).unwrap_or(r);
                *reasons.entry(r.to_string()).or_default() += 1;
            }
        }
    }
    // The causes of false rejects first, so that the table is printed in one piece.
    for (r, n) in &reasons {
        println!("false reject x{n}: {r}");
    }
    println!(
        "verifier vs kernel {} (seed {seed:#x}, {:.1?} total, {:.1?} in our verifier, {:.1?} in BPF_PROG_LOAD):",
        std::env::consts::ARCH,
        start.elapsed(),
        ours_time,
        kernel_time
    );
    println!(
        "{:<14} {:>8} {:>13} {:>13} {:>13} {:>13}",
        "program type",
        "programs",
        "accept/accept",
        "reject/reject",
        "false accept",
        "false reject"
    );
    let mut fa = 0;
    let mut fr = 0;
    let mut kernel_accepts = 0;
    for (pt, n, t) in &tables {
        println!(
            "{:<14} {:>8} {:>13} {:>13} {:>13} {:>13}",
            pt.name(),
            n,
            t.acc_acc,
            t.rej_rej,
            t.false_accept.len(),
            t.false_reject.len()
        );
        fa += t.false_accept.len();
        fr += t.false_reject.len();
        kernel_accepts += t.acc_acc + t.false_reject.len();
    }
    println!(
        "false accepts: {fa}; false rejects: {fr} of the {kernel_accepts} programs the kernel \
         accepts ({:.1}%, limit 5%)",
        fr as f64 * 100.0 / kernel_accepts.max(1) as f64
    );
    print!("{}", both.report());
    for (_, _, t) in &tables {
        for c in t.false_accept.iter().take(10) {
            println!("FALSE ACCEPT\n{c}");
        }
        let show: usize = std::env::var("VERIFIER_DIFF_SHOW")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        for c in t.false_reject.iter().take(show) {
            println!("false reject\n{c}");
        }
    }
    assert_eq!(
        fa, 0,
        "the static verifier accepted {fa} programs the kernel rejects"
    );
    assert!(
        fr * 20 < kernel_accepts.max(1),
        "false rejects: {fr} of {kernel_accepts} programs the kernel accepts (limit 5%)"
    );
}

kernel_tests! {
    privileged: [verifier_agrees_with_the_kernel],
}
