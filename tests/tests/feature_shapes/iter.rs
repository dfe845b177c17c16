//! Iterator loops (`bpf_iter_num_*`, `bpf_iter_bits_*`) and their bodies.

use super::*;

impl Gen {
    /// An iterator loop over the numbers (`bits`: the set bits of words) at r10 - OUTER
    /// (`depth` 0) or - INNER, its body reading memory indexed by the loop value; with
    /// `nest` > 0 the body holds another loop.
    pub(super) fn iter_loop(&mut self, bits: bool, nest: u32) {
        self.iter_loop_at(bits, nest, OUTER)
    }

    fn iter_loop_at(&mut self, bits: bool, nest: u32, at: i64) {
        let kind = if bits { "bits" } else { "num" };
        let top = self.l("next");
        let done = self.l("drained");
        let after = self.l("after");
        let skip = self.l("noval");
        let mut off = at;
        if self.take(Oops::IterWrongOffset) {
            off = self.rng.pick(&[at - 4, at + 4, at - 12, 516, 0]).max(0);
        }
        // The body's map value: looked up once before the loop and spilled (the kfunc calls
        // clobber r0-r5), or looked up each round.
        let body = if nest > 0 && self.rng.chance(70) {
            4
        } else {
            self.rng.below(if self.has_packet() { 6 } else { 5 })
        };
        if body == 1 {
            self.lookup(&skip);
            self.emit(&format!("*(u64 *)(r10 - {SPILL}) = r0"));
        }
        if body == 2 || self.rng.chance(10) {
            for s in 0..8 {
                let v = self.rng.range(0, 9);
                self.emit(&format!("*(u64 *)(r10 - {}) = {v}", ARRAY - 8 * s));
            }
        }
        let new = !self.take(Oops::IterNextWithoutNew);
        if new {
            if bits {
                let words = self.rng.range(1, 3);
                for w in 0..words {
                    let v: i64 = self.rng.pick(&[0, 1, 5, -1, 0x4000_0000, 0x1234]);
                    self.emit(&format!("*(u64 *)(r10 - {}) = {v}", WORDS - 8 * w));
                }
                self.fp(1, off);
                match self.rng.below(8) {
                    0 => self.emit("r2 = 0"), // NULL words (`__ign`: any pointer)
                    _ => self.fp(2, WORDS),
                }
                let n = if self.rng.chance(10) { 600 } else { words };
                self.emit(&format!("r3 = {n}"));
            } else {
                // start, end: constants, or an end the program reads (or the outer value)
                let start = self.rng.pick(&[0, 0, 1, -5, 10]);
                if self.rng.chance(20) {
                    self.emit("call bpf_get_prandom_u32");
                    self.emit("r0 &= 63");
                    self.emit("r3 = r0");
                } else if at == INNER && self.rng.chance(50) {
                    self.emit("r3 = r9"); // the outer round's value (kept in r9)
                    self.emit("r3 &= 15");
                } else {
                    let end = self.rng.pick(&[0, 1, 3, 8, 16, 100, 1000]);
                    self.emit(&format!("r3 = {end}"));
                }
                self.fp(1, off);
                self.emit(&format!("r2 = {start}"));
            }
            self.emit(&format!("call bpf_iter_{kind}_new"));
            if self.take(Oops::IterNewTwice) {
                self.fp(1, off);
                self.emit("r2 = 0");
                self.emit("r3 = 4");
                self.emit(&format!("call bpf_iter_{kind}_new"));
            }
        }
        self.emit(&format!("{top}:"));
        self.fp(1, off);
        let next_kind = if self.take(Oops::IterWrongKind) {
            if bits {
                "num"
            } else {
                "bits"
            }
        } else {
            kind
        };
        self.emit(&format!("call bpf_iter_{next_kind}_next"));
        if !self.take(Oops::IterNoNullTest) {
            self.emit(&format!("if r0 == 0 goto {done}"));
        }
        if self.take(Oops::IterElemWrite) {
            self.emit("*(u32 *)(r0 + 0) = 1");
        }
        if self.take(Oops::IterElemPast) {
            match self.rng.below(3) {
                0 => self.emit("r1 = *(u32 *)(r0 + 4)"),
                1 => self.emit("r1 = *(u64 *)(r0 + 0)"),
                _ => self.emit("r1 = *(u16 *)(r0 + 3)"),
            }
        } else {
            self.emit("r1 = *(u32 *)(r0 + 0)");
        }
        if self.take(Oops::IterSlotWrite) {
            self.emit(&format!("*(u64 *)(r10 - {off}) = r1"));
        }
        if self.take(Oops::IterSlotRead) {
            self.emit(&format!("r2 = *(u64 *)(r10 - {off})"));
            self.emit("r9 += r2");
        }
        // An early exit: out of the loop to the destroy, or out of the program (destroying
        // first, or forgetting to: the mistake).
        let early = self.rng.chance(30);
        if early {
            let out = self.l("early");
            let k = self.rng.range(0, 20);
            self.emit(&format!("if r1 == {k} goto {out}"));
            let forget = self.take(Oops::IterLeakOnExit);
            let mut tail = format!("{out}:\n");
            if forget {
                if self.rng.chance(50) {
                    tail.push_str(&format!("goto {after}\n"));
                } else {
                    tail.push_str("r0 = 1\nexit\n");
                }
            } else if self.no_exit || self.rng.chance(50) {
                tail.push_str(&format!("goto {done}\n"));
            } else {
                tail.push_str(&format!(
                    "r1 = r10\nr1 += -{off}\ncall bpf_iter_{kind}_destroy\nr0 = 1\nexit\n"
                ));
            }
            // placed after the loop's `goto top`, before `done`
            self.body(body, &top, nest);
            self.emit(&format!("goto {top}"));
            self.out.push_str(&tail);
        } else {
            self.body(body, &top, nest);
            self.emit(&format!("goto {top}"));
        }
        self.emit(&format!("{done}:"));
        if !self.take(Oops::IterNoDestroy) {
            self.fp(1, off);
            self.emit(&format!("call bpf_iter_{kind}_destroy"));
        }
        self.emit(&format!("{after}:"));
        if self.take(Oops::IterUseAfterDestroy) {
            self.fp(1, off);
            let op = self.rng.pick(&["next", "destroy"]);
            self.emit(&format!("call bpf_iter_{kind}_{op}"));
        }
        self.emit(&format!("{skip}:"));
    }

    /// The loop body, the round's value in r1 (an unknown u32); `next` continues the loop.
    fn body(&mut self, body: u64, next: &str, nest: u32) {
        let bound = |g: &mut Gen, max: i64| {
            if g.take(Oops::IndexBound) {
                if g.rng.chance(50) {
                    g.emit(&format!("if r1 > {} goto {next}", max + 1));
                }
            } else if g.rng.chance(50) {
                g.emit(&format!("if r1 > {max} goto {next}"));
            } else {
                g.emit(&format!("if w1 >= {} goto {next}", max + 1));
            }
        };
        match body {
            // accumulate
            0 => self.emit("r9 += r1"),
            // the map value looked up before the loop, indexed by the value
            1 => {
                bound(self, 7);
                self.emit("r1 <<= 3");
                self.emit(&format!("r2 = *(u64 *)(r10 - {SPILL})"));
                self.emit("r2 += r1");
                self.emit("r3 = *(u64 *)(r2 + 0)");
                self.emit("r9 += r3");
            }
            // the stack array indexed by the value
            2 => {
                bound(self, 7);
                self.emit("r1 <<= 3");
                self.fp(2, ARRAY);
                self.emit("r2 += r1");
                self.emit("r3 = *(u64 *)(r2 + 0)");
                self.emit("r9 += r3");
            }
            // a lookup per round, the key the value
            3 => {
                self.emit("r1 &= 15");
                self.emit(&format!("*(u32 *)(r10 - {KEY}) = w1"));
                self.fp(2, KEY);
                self.emit("r1 = vals ll");
                self.emit("call bpf_map_lookup_elem");
                self.emit(&format!("if r0 == 0 goto {next}"));
                let off = 8 * self.rng.range(0, 7);
                self.emit(&format!("r3 = *(u64 *)(r0 + {off})"));
                self.emit("r9 += r3");
            }
            // a nested loop (the value kept in r9 for its end)
            4 if nest > 0 => {
                self.emit("r9 += r1");
                let bits = self.rng.chance(30);
                let outer = std::mem::replace(&mut self.no_exit, true);
                self.iter_loop_at(bits, nest - 1, INNER);
                self.no_exit = outer;
            }
            4 => self.emit("r9 ^= r1"),
            // the packet at the value
            _ => {
                bound(self, 1500);
                let (ty, size) = self.size();
                let past = i64::from(self.take(Oops::IndexBound));
                self.emit("r2 = r7");
                self.emit("r2 += r1");
                self.emit("r3 = r2");
                self.emit(&format!("r3 += {}", size - past));
                self.emit(&format!("if r3 > r8 goto {next}"));
                self.emit(&format!("r4 = *({ty} *)(r2 + 0)"));
                self.emit("r9 += r4");
            }
        }
    }
}
