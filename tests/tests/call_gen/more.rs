//! More fragments of [`super::Gen`]: subprograms that change the packet (`bpf_xdp_adjust_head`,
//! so the caller's packet pointers must be dropped), callees writing over a pointer the caller
//! spilled, subprograms returning a map value pointer or NULL, `bpf_loop` callbacks counting
//! into the caller's stack, and subprograms with a bounded loop.

use std::fmt::Write as _;

use super::{Gen, NEAR};

impl Gen<'_> {
    /// One of the fragments of this file, leaving its result in `d` (from `a`).
    pub(super) fn more_fragment(&mut self, d: &'static str, a: &'static str) {
        match self.rng.below(13) {
            11 | 12 => self.advancing_pointer_callback(d),
            8..=10 => self.diamonds(),
            5..=7 => self.joined_slot_read_below(d, a),
            0 => self.pkt_changing_call(d),
            1 => self.overwrite_spilled_pointer(d),
            2 => self.returns_map_value(d, a),
            3 => self.counting_callback(d),
            _ => self.loop_sub(d, a),
        }
    }

    /// Two paths store different values (constants near the edge, or `a` bounded two ways)
    /// into one caller slot, then join; the slot's address goes to a subprogram (directly or
    /// through a second one) or to a `bpf_loop` callback, which reads it and uses it as an
    /// offset into a map value, or returns it. The kernel's precision marks must reach the
    /// caller's slot through the call for the join's pruning to be right.
    fn joined_slot_read_below(&mut self, d: &'static str, a: &'static str) {
        let slot = self.rng.pick(&[8, 16, 24]);
        let l = self.label();
        let j = self.label();
        let op = self.rng.pick(&[">", ">=", "s>", "<", "==", "&"]);
        let c = self.rng.pick(&NEAR);
        let mut x = format!("if {a} {op} {c} goto {l}\n");
        for last in [false, true] {
            if last {
                let _ = writeln!(x, "goto {j}\n{l}:");
            }
            if self.rng.chance(15) {
                continue; // This path leaves the slot as it was.
            }
            if self.rng.chance(50) {
                let _ = writeln!(x, "*(u64 *)(r10 - {slot}) = {}", self.rng.pick(&NEAR));
            } else {
                let _ = writeln!(x, "r1 = {a}");
                self.bound(&mut x, "r1", 1);
                self.tight(&mut x, "r1");
                let w = self.rng.pick(&[64, 64, 32]);
                let _ = writeln!(x, "*(u{w} *)(r10 - {slot}) = r1");
            }
        }
        let _ = writeln!(x, "{j}:");
        self.main.push_str(&x);
        // What reads the slot: a map value access at its offset, or a return of it.
        let rw = self.rng.pick(&[64, 64, 32, 8]);
        let use_it = self.rng.chance(70);
        let body = |g: &mut Gen, ptr: &str| {
            let mut b = format!("r6 = *(u{rw} *)({ptr} + 0)\n");
            if use_it {
                let out = g.label();
                let w = g.rng.pick(&[1, 1, 4, 8]);
                let k = g.rng.pick(&[0, 0, 4, 8]);
                let _ = writeln!(
                    b,
                    "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto {out}\nr0 += r6\n*(u{} *)(r0 + {k}) = 1\n{out}:",
                    w * 8
                );
            }
            b
        };
        match self.rng.below(3) {
            0 => {
                let f = self.name();
                let b = body(self, "r1");
                let ret = if use_it { "r0 = 0" } else { "r0 = r6" };
                self.subs.push(format!("{f}:\n{b}{ret}\nexit\n"));
                let _ = writeln!(self.main, "r1 = r10\nr1 += -{slot}\ncall {f}\n{d} = r0");
            }
            1 => {
                // Through a second subprogram, which passes the pointer on.
                let f = self.name();
                let g = self.name();
                let b = body(self, "r1");
                let ret = if use_it { "r0 = 0" } else { "r0 = r6" };
                self.subs.push(format!("{g}:\n{b}{ret}\nexit\n"));
                self.subs
                    .push(format!("{f}:\n*(u64 *)(r10 - 8) = 0\ncall {g}\nexit\n"));
                let _ = writeln!(self.main, "r1 = r10\nr1 += -{slot}\ncall {f}\n{d} = r0");
            }
            _ => {
                let cb = self.name();
                let b = body(self, "r2");
                self.subs.push(format!("{cb}:\n{b}r0 = 0\nexit\n"));
                let _ = writeln!(
                    self.main,
                    "r1 = {}\nr2 = {cb} ll\nr3 = r10\nr3 += -{slot}\nr4 = 0\ncall bpf_loop\n{d} = *(u64 *)(r10 - {slot})",
                    self.rng.pick(&[1, 3])
                );
            }
        }
    }

    /// Two to four diamonds in a row, each on a fresh random number, each setting a register
    /// (`r6`..`r8`) or a stack slot to one of two values (constants near the edges, copies
    /// bounded two ways, or left alone): many paths, which the kernel prunes where the values
    /// are not precise; whatever reads them later (a call, a callback, the end) decides.
    pub(super) fn diamonds(&mut self) {
        for _ in 0..2 + self.rng.below(3) {
            let l = self.label();
            let j = self.label();
            let c = self.rng.pick(&[1, 2, 3, 7, 100, 1000]);
            let _ = writeln!(self.main, "call bpf_get_prandom_u32\nif r0 > {c} goto {l}");
            let to_slot = self.rng.chance(35);
            let dst = self.scalar();
            let slot = self.rng.pick(&[8, 16, 24, 32]);
            for last in [false, true] {
                if last {
                    let _ = writeln!(self.main, "goto {j}\n{l}:");
                }
                if self.rng.chance(20) {
                    continue;
                }
                let mut x = String::new();
                let v = if self.rng.chance(55) {
                    self.rng.pick(&NEAR).to_string()
                } else {
                    let src = self.scalar();
                    let _ = writeln!(x, "r1 = {src}");
                    self.bound(&mut x, "r1", 1);
                    self.tight(&mut x, "r1");
                    "r1".to_string()
                };
                if to_slot {
                    let _ = writeln!(x, "*(u64 *)(r10 - {slot}) = {v}");
                } else {
                    let _ = writeln!(x, "{dst} = {v}");
                }
                self.main.push_str(&x);
            }
            let _ = writeln!(self.main, "{j}:");
            if to_slot && self.rng.chance(50) {
                let d = self.scalar();
                let _ = writeln!(self.main, "{d} = *(u64 *)(r10 - {slot})");
            }
        }
    }

    /// A subprogram `(r1, r2) -> r0` whose result is set on the arms of one or two diamonds
    /// on random numbers (constants near the edges, or its arguments bounded two ways):
    /// pruned inside the callee, called from one site or more.
    pub(super) fn diamond_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\nr6 = r1\nr7 = r2\nr8 = 0\n");
        for _ in 0..1 + self.rng.below(2) {
            let l = self.label();
            let j = self.label();
            let c = self.rng.pick(&[1, 3, 100]);
            let _ = writeln!(b, "call bpf_get_prandom_u32\nif r0 > {c} goto {l}");
            for last in [false, true] {
                if last {
                    let _ = writeln!(b, "goto {j}\n{l}:");
                }
                if self.rng.chance(20) {
                    continue;
                }
                if self.rng.chance(50) {
                    let _ = writeln!(b, "r8 = {}", self.rng.pick(&NEAR));
                } else {
                    let src = self.rng.pick(&["r6", "r7"]);
                    let _ = writeln!(b, "r8 = {src}");
                    self.bound(&mut b, "r8", 1);
                    self.tight(&mut b, "r8");
                }
            }
            let _ = writeln!(b, "{j}:");
        }
        b.push_str("r0 = r8\nexit\n");
        self.subs.push(b);
        self.scalar_subs.push(name.clone());
        name
    }

    /// A subprogram `(r1 pointer into the caller's stack, r2 scalar)` that writes the
    /// caller's slot on the arms of a diamond on a random number (a constant, its argument
    /// bounded, or nothing), then maybe again after the join: the kernel must keep the
    /// caller's slot precise through the callee's pruning.
    pub(super) fn diamond_write_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\nr6 = r1\nr7 = r2\n");
        let l = self.label();
        let j = self.label();
        let _ = writeln!(
            b,
            "call bpf_get_prandom_u32\nif r0 > {} goto {l}",
            self.rng.pick(&[1, 3, 100])
        );
        for last in [false, true] {
            if last {
                let _ = writeln!(b, "goto {j}\n{l}:");
            }
            match self.rng.below(4) {
                0 => {}
                1 => {
                    let _ = writeln!(b, "*(u64 *)(r6 + 0) = {}", self.rng.pick(&NEAR));
                }
                2 => {
                    let w = self.rng.pick(&[8, 16, 32]);
                    let _ = writeln!(b, "*(u{w} *)(r6 + 0) = {}", self.rng.pick(&NEAR));
                }
                _ => {
                    let _ = writeln!(b, "r8 = r7");
                    self.bound(&mut b, "r8", 1);
                    self.tight(&mut b, "r8");
                    let _ = writeln!(b, "*(u64 *)(r6 + 0) = r8");
                }
            }
        }
        let _ = writeln!(b, "{j}:");
        if self.rng.chance(30) {
            let _ = writeln!(b, "r8 = *(u64 *)(r6 + 0)\nr8 &= 7\n*(u64 *)(r6 + 0) = r8");
        }
        b.push_str("r0 = 0\nexit\n");
        self.subs.push(b);
        name
    }

    /// The caller spills a map value pointer; a `bpf_loop` callback (run a constant or an
    /// unknown number of times) moves it on through its context; the caller reads through it.
    fn advancing_pointer_callback(&mut self, d: &'static str) {
        let cb = self.name();
        let step = self.rng.pick(&[1, 4, 8]);
        let mut b = format!("{cb}:\nr3 = *(u64 *)(r2 + 0)\n");
        if self.rng.chance(30) {
            // Only on some calls: a branch on the index.
            let l = self.label();
            let _ = writeln!(
                b,
                "if r1 > {} goto {l}\nr3 += {step}\n{l}:",
                self.rng.pick(&[0, 1, 2])
            );
        } else {
            let _ = writeln!(b, "r3 += {step}");
        }
        let _ = writeln!(
            b,
            "*(u64 *)(r2 + 0) = r3\nr0 = {}\nexit",
            self.rng.pick(&[0, 0, 1])
        );
        self.subs.push(b);
        let out = self.label();
        self.lookup(&out);
        let n = if self.rng.chance(70) {
            self.rng.pick(&[1, 2, 3, 4]).to_string()
        } else {
            let r = self.scalar();
            r.to_string()
        };
        let w = self.rng.pick(&[1, 4, 8]);
        let k = self.rng.pick(&[0, 4, 8, 11, 12]);
        let _ = writeln!(
            self.main,
            "*(u64 *)(r10 - 16) = r0\nr1 = {n}\nr2 = {cb} ll\nr3 = r10\nr3 += -16\nr4 = 0\ncall bpf_loop\nr1 = *(u64 *)(r10 - 16)\n{d} = *(u{} *)(r1 + {k})\n{out}:",
            w * 8
        );
    }

    /// The caller checks the packet and keeps a pointer into it (in a register or spilled);
    /// a subprogram, given the context, may call `bpf_xdp_adjust_head` (on some path only, or
    /// never); the caller then reads through the pointer it kept, or reloads it.
    fn pkt_changing_call(&mut self, d: &'static str) {
        let f = self.name();
        let mut b = format!("{f}:\n");
        let changes = self.rng.below(3);
        match changes {
            0 => b.push_str("r0 = 0\nexit\n"),
            1 => {
                let l = self.label();
                let _ = writeln!(
                    b,
                    "if r2 > {} goto {l}\nr2 = 0\ncall bpf_xdp_adjust_head\n{l}:\nr0 = 0\nexit",
                    self.rng.pick(&NEAR)
                );
            }
            _ => b.push_str("r2 = 0\ncall bpf_xdp_adjust_head\nr0 = 0\nexit\n"),
        }
        self.subs.push(b);
        let out = self.label();
        let k = self.rng.pick(&[0, 4, 8, 15]);
        let _ = writeln!(
            self.main,
            "r1 = *(u32 *)(r9 + 0)\nr3 = *(u32 *)(r9 + 4)\nr4 = r1\nr4 += 16\nif r4 > r3 goto {out}\n*(u64 *)(r10 - 56) = r1"
        );
        let r = self.scalar();
        let _ = writeln!(self.main, "r1 = r9\nr2 = {r}\ncall {f}");
        match self.rng.below(3) {
            0 => {
                let _ = writeln!(
                    self.main,
                    "r1 = *(u64 *)(r10 - 56)\n{d} = *(u8 *)(r1 + {k})"
                );
            }
            1 => {
                // Reloaded and checked again: always fine.
                let _ = writeln!(
                    self.main,
                    "r1 = *(u32 *)(r9 + 0)\nr3 = *(u32 *)(r9 + 4)\nr4 = r1\nr4 += 16\nif r4 > r3 goto {out}\n{d} = *(u8 *)(r1 + {k})"
                );
            }
            _ => {
                // Reloaded but not checked again.
                let _ = writeln!(self.main, "r1 = *(u32 *)(r9 + 0)\n{d} = *(u8 *)(r1 + {k})");
            }
        }
        let _ = writeln!(self.main, "{out}:");
    }

    /// The caller spills a map value pointer; a callee writes over it through a pointer (part
    /// of it, all of it, or reads it and writes it back, or writes next to it); the caller
    /// fills it and dereferences it.
    fn overwrite_spilled_pointer(&mut self, d: &'static str) {
        let f = self.name();
        let mut b = format!("{f}:\n");
        match self.rng.below(5) {
            0 => {
                let w = self.rng.pick(&[1, 2, 4]);
                let k = self.rng.pick(&[0, 4, 6, 7]);
                let k = k - k % w;
                let _ = writeln!(
                    b,
                    "*(u{} *)(r1 + {k}) = {}",
                    w * 8,
                    self.rng.pick(&["0", "r2"])
                );
            }
            1 => {
                let _ = writeln!(b, "*(u64 *)(r1 + 0) = r2");
            }
            2 => {
                let _ = writeln!(b, "r3 = *(u64 *)(r1 + 0)\n*(u64 *)(r1 + 0) = r3");
            }
            3 => {
                let _ = writeln!(b, "r3 = *(u64 *)(r1 + 0)\nr3 += 4\n*(u64 *)(r1 + 0) = r3");
            }
            _ => {
                let _ = writeln!(b, "*(u64 *)(r1 + 8) = r2");
            }
        }
        b.push_str("r0 = 0\nexit\n");
        self.subs.push(b);
        let out = self.label();
        self.lookup(&out);
        let w = self.rng.pick(&[1, 4, 8]);
        let k = self.rng.pick(&[0, 8, 12]);
        let r = self.scalar();
        let _ = writeln!(
            self.main,
            "*(u64 *)(r10 - 16) = r0\n*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -16\nr2 = {r}\ncall {f}\nr1 = *(u64 *)(r10 - 16)\n{d} = *(u{} *)(r1 + {k})\n{out}:",
            w * 8
        );
    }

    /// A subprogram that looks up `m` and returns the value pointer (checked or not, or moved
    /// by its argument); the caller checks it for NULL and reads at an offset.
    fn returns_map_value(&mut self, d: &'static str, a: &'static str) {
        let f = self.name();
        let mut b = format!(
            "{f}:\nr6 = r1\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\n"
        );
        if self.rng.chance(50) {
            let l = self.label();
            let _ = writeln!(
                b,
                "if r0 == 0 goto {l}\nr6 &= {}\nr0 += r6\n{l}:",
                self.rng.pick(&[0, 3, 7, 8])
            );
        }
        b.push_str("exit\n");
        self.subs.push(b);
        let out = self.label();
        let mut pre = String::new();
        self.tight(&mut pre, a);
        self.main.push_str(&pre);
        let w = self.rng.pick(&[1, 4, 8]);
        let k = self.rng.pick(&[0, 4, 8]);
        let check = if self.rng.chance(85) {
            format!("if r0 == 0 goto {out}\n")
        } else {
            String::new()
        };
        let _ = writeln!(
            self.main,
            "r1 = {a}\ncall {f}\n{check}{d} = *(u{} *)(r0 + {k})\n{out}:",
            w * 8
        );
    }

    /// A `bpf_loop` callback counting into the caller's slot (bounded by a test, or not); the
    /// caller reads the count.
    fn counting_callback(&mut self, d: &'static str) {
        let cb = self.name();
        let l = self.label();
        let mut b = format!("{cb}:\nr3 = *(u64 *)(r2 + 0)\n");
        if self.rng.chance(70) {
            let _ = writeln!(b, "if r3 > {} goto {l}", self.rng.pick(&[3, 7, 14, 15]));
        }
        let _ = writeln!(
            b,
            "r3 += {}\n*(u64 *)(r2 + 0) = r3",
            self.rng.pick(&[1, 1, 2])
        );
        if self.rng.chance(50) {
            // The count as an offset inside the callback: precise in every iteration.
            let out = self.label();
            let _ = writeln!(
                b,
                "r6 = r3\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto {out}\nr0 += r6\n*(u8 *)(r0 + {}) = 1\n{out}:",
                self.rng.pick(&[0, 0, 4, 8])
            );
        }
        let _ = writeln!(b, "{l}:\nr0 = {}\nexit", self.rng.pick(&[0, 0, 1]));
        self.subs.push(b);
        let _ = writeln!(
            self.main,
            "*(u64 *)(r10 - 8) = 0\nr1 = {}\nr2 = {cb} ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\n{d} = *(u64 *)(r10 - 8)",
            self.rng.pick(&[2, 8, 20])
        );
    }

    /// A subprogram with a bounded loop over its (masked) argument, returning a sum.
    fn loop_sub(&mut self, d: &'static str, a: &'static str) {
        let f = self.name();
        let l = self.label();
        let m = self.rng.pick(&[3, 7]);
        let step = self.rng.pick(&[1, 2]);
        let mut b = format!("{f}:\nr0 = 0\nr1 &= {m}\n{l}:\nr0 += {step}\nr1 -= 1\n");
        // (`!= 0` or `> 0` would wrap past 0 and run to the instruction limit.)
        let cmp = self.rng.pick(&["if r1 s> 0 goto", "if r1 s>= 1 goto"]);
        let _ = writeln!(b, "{cmp} {l}\nexit");
        self.subs.push(b);
        let _ = writeln!(self.main, "r1 = {a}\ncall {f}\n{d} = r0");
    }
}
