//! The structure-aware program generator of `verifier_differential.rs`: XDP, socket-filter and
//! tc programs written the way people write them, with the usual mistakes injected into some
//! of them (see that file's header for the list), and the maps they use.

use crate::common::{self, Rng};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

pub(crate) fn maps() -> Vec<MapSpec> {
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
pub(crate) struct Gen {
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
    /// Helpers the target kernel withholds from the program type (probed): blocks that would
    /// call one are written as ALU blocks instead.
    withheld: &'static [u32],
}

impl Gen {
    /// The program of one seed for `pt` (XDP, socket filter or tc), mistakes in 12% of blocks,
    /// for a kernel that withholds the helpers `withheld` from `pt` (the probed
    /// `common::running_unavailable`): no block calls one (the metadata block, the only one whose
    /// helper a kernel build has been seen to withhold, becomes an ALU block).
    pub(crate) fn program(seed: u64, pt: ProgramType, withheld: &'static [u32]) -> String {
        let mut g = Gen {
            rng: Rng(seed),
            out: String::new(),
            subs: String::new(),
            label: 0,
            checked: 0,
            xdp: pt != ProgramType::SocketFilter,
            tc: pt == ProgramType::SchedCls,
            p_mistake: 12,
            withheld,
        };
        if g.xdp {
            g.xdp_program()
        } else {
            g.socket_program()
        }
    }

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
            b'M' if !self.withheld.contains(&44) => self.adjust_head(),
            b'N' => self.ld_abs(),
            b'O' => self.skb_load_bytes(),
            b'P' => self.map_value_var_offset(),
            b'Q' => self.pkt_var_offset_bounded(),
            b'R' if !self.withheld.contains(&54) => self.meta(),
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
