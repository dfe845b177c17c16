//! The generator of `verifier_call_fuzz`: XDP programs built from fragments around
//! bpf-to-bpf calls, callbacks and the stack. The main function keeps the context in `r9` and
//! three unknown-ish scalars in `r6`..`r8`; each fragment reads some of them and leaves its
//! result in one, and each fragment that calls a subprogram writes that subprogram's body,
//! appended after the main function. The program ends by using one scalar as an offset (into
//! a map value, the stack, or a bounds-checked packet) or in a branch to an invalid
//! dereference, so it loads only if the verifier bounds that scalar well enough.

use std::fmt::Write as _;

use crate::common::Rng;

mod global;
mod more;

/// Constants near the edges of the 16-byte map value `m` and of small masks.
const NEAR: [i64; 16] = [0, 1, 2, 3, 4, 7, 8, 9, 12, 13, 14, 15, 16, 17, 31, 32];

/// The program being written: the main function's text, the subprograms' bodies, and the
/// label counter.
struct Gen<'r> {
    rng: &'r mut Rng,
    main: String,
    subs: Vec<String>,
    /// Subprograms taking (scalar) and returning a scalar, reusable from a second call site.
    scalar_subs: Vec<String>,
    /// Subprograms taking (pointer to 16 readable bytes, scalar) and reading at the scalar.
    read_subs: Vec<String>,
    label: u32,
    names: u32,
    /// `.global_func` lines, put before the program.
    globals: Vec<String>,
}

impl Gen<'_> {
    fn label(&mut self) -> String {
        self.label += 1;
        format!("l{}", self.label)
    }

    fn name(&mut self) -> String {
        self.names += 1;
        format!("f{}", self.names)
    }

    fn scalar(&mut self) -> &'static str {
        self.rng.pick(&["r6", "r7", "r8"])
    }

    /// 0-3 bounding steps on `r` (masks, shifts, constant adds, clamps by a branch), into `out`.
    fn bound(&mut self, out: &mut String, r: &str, most: u64) {
        for _ in 0..self.rng.below(most + 1) {
            match self.rng.below(7) {
                0 | 1 => {
                    let m = self.rng.pick(&[1, 3, 7, 8, 15, 16, 31, 0xff, 0xfff]);
                    let _ = writeln!(out, "{r} &= {m}");
                }
                2 => {
                    let c = self.rng.pick(&[1, 2, 3, 4, -1, -4, 8]);
                    let _ = writeln!(out, "{r} += {c}");
                }
                3 => {
                    let s = self.rng.pick(&[1, 2, 4, 28, 60]);
                    let _ = writeln!(out, "{r} >>= {s}");
                }
                4 => {
                    // A clamp: past the bound, the register becomes a constant.
                    let l = self.label();
                    let op = self.rng.pick(&["<", "<=", "s<", "s<="]);
                    let c = self.rng.pick(&NEAR);
                    let k = self.rng.pick(&NEAR);
                    let _ = writeln!(out, "if {r} {op} {c} goto {l}\n{r} = {k}\n{l}:");
                }
                5 => {
                    let _ = writeln!(out, "w{} = w{}", &r[1..], &r[1..]);
                }
                _ => {
                    let c = self.rng.pick(&[2, 4, 8]);
                    let _ = writeln!(out, "{r} *= {c}");
                }
            }
        }
    }

    /// Usually (3 in 4) a last tight bound on `r` before it is used as an offset or a size: a
    /// mask or a clamp near the edge of the 16-byte value, so both verdicts occur.
    fn tight(&mut self, out: &mut String, r: &str) {
        if self.rng.chance(75) {
            if self.rng.chance(60) {
                let m = self.rng.pick(&[3, 7, 7, 8, 15, 15, 16]);
                let _ = writeln!(out, "{r} &= {m}");
            } else {
                let l = self.label();
                let op = self.rng.pick(&["<", "<="]);
                let c = self.rng.pick(&[7, 8, 12, 15, 16]);
                let k = self.rng.pick(&[0, 1, 7, 8]);
                let _ = writeln!(out, "if {r} {op} {c} goto {l}\n{r} = {k}\n{l}:");
            }
        }
    }

    /// A subprogram `(r1 scalar, r2 scalar) -> r0 scalar`: bounded, branched, returns a
    /// constant on some paths.
    fn scalar_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\n");
        let src = self.rng.pick(&["r1", "r1", "r2"]);
        let _ = writeln!(b, "r0 = {src}");
        let mut body = String::new();
        self.bound(&mut body, "r0", 3);
        b.push_str(&body);
        if self.rng.chance(50) {
            let l = self.label();
            let op = self.rng.pick(&[">", ">=", "s>", "==", "!=", "&"]);
            let c = self.rng.pick(&NEAR);
            let k = self.rng.pick(&NEAR);
            let _ = writeln!(b, "if r1 {op} {c} goto {l}\nr0 = {k}\nexit\n{l}:");
        }
        if self.rng.chance(30) {
            // The callee calls another scalar subprogram on its result.
            let inner = self.scalar_sub();
            let _ = writeln!(b, "r1 = r0\nr2 = {}\ncall {inner}", self.rng.pick(&NEAR));
            let mut more = String::new();
            self.bound(&mut more, "r0", 1);
            b.push_str(&more);
        }
        b.push_str("exit\n");
        self.subs.push(b);
        self.scalar_subs.push(name.clone());
        name
    }

    /// A subprogram `(r1 pointer to 16 readable bytes, r2 scalar) -> r0 byte at r1 + r2 + k`.
    fn read_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\n");
        let mut body = String::new();
        self.bound(&mut body, "r2", 1);
        b.push_str(&body);
        let k = self.rng.pick(&[0, 0, 1, 4, 8, 15]);
        let w = self.rng.pick(&[1, 1, 2, 4, 8]);
        let _ = writeln!(b, "r1 += r2\nr0 = *(u{} *)(r1 + {k})\nexit", w * 8);
        self.subs.push(b);
        self.read_subs.push(name.clone());
        name
    }

    /// A read subprogram called before (a second call site, other bounds), or a new one.
    fn reuse_read_sub(&mut self) -> String {
        if !self.read_subs.is_empty() && self.rng.chance(40) {
            let i = self.rng.below(self.read_subs.len() as u64) as usize;
            self.read_subs[i].clone()
        } else {
            self.read_sub()
        }
    }

    /// A subprogram `(r1 packet pointer checked by the caller, r2 scalar, r3 packet end)`:
    /// adds r2 and checks the end again, or reads at a constant offset inside (or just past)
    /// the caller's checked range.
    fn pkt_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\n");
        let w = self.rng.pick(&[1, 1, 2, 4, 8]);
        let k = self.rng.pick(&[0, 0, 1, 4, 8, 15, 16, 24, 28]);
        if self.rng.chance(60) {
            let mut body = String::new();
            self.bound(&mut body, "r2", 1);
            b.push_str(&body);
            let l = self.label();
            let end = if self.rng.chance(80) {
                w + k
            } else {
                w + k - 1
            };
            let _ = writeln!(
                b,
                "r1 += r2\nr4 = r1\nr4 += {end}\nif r4 > r3 goto {l}\nr0 = *(u{} *)(r1 + {k})\nexit\n{l}:\nr0 = 0\nexit",
                w * 8
            );
        } else {
            let _ = writeln!(b, "r0 = *(u{} *)(r1 + {k})\nexit", w * 8);
        }
        self.subs.push(b);
        name
    }

    /// A subprogram `(r1 pointer into the caller's stack, r2 scalar)` writing `r2` (or a
    /// constant, or part of it) through `r1`.
    fn write_sub(&mut self) -> String {
        let name = self.name();
        let mut b = format!("{name}:\n");
        let mut body = String::new();
        self.bound(&mut body, "r2", 2);
        b.push_str(&body);
        for _ in 0..1 + self.rng.below(2) {
            let w = self.rng.pick(&[1, 2, 4, 8, 8, 8]);
            let off = self.rng.pick(&[0, 0, 0, 4, 6, 7]);
            let off = off - off % w;
            if self.rng.chance(70) {
                let _ = writeln!(b, "*(u{} *)(r1 + {off}) = r2", w * 8);
            } else {
                let c = self.rng.pick(&[0, 0, 1, 8, 15, 16, -1]);
                let _ = writeln!(b, "*(u{} *)(r1 + {off}) = {c}", w * 8);
            }
        }
        if self.rng.chance(30) {
            let l = self.label();
            let _ = writeln!(
                b,
                "if r2 > {} goto {l}\n*(u64 *)(r1 + 0) = 0\n{l}:",
                self.rng.pick(&NEAR)
            );
        }
        b.push_str("r0 = 0\nexit\n");
        self.subs.push(b);
        name
    }

    /// A subprogram `(r1 pointer into the caller's stack)` storing a map value pointer (or 0)
    /// there.
    fn ptr_sub(&mut self) -> String {
        let name = self.name();
        let l = self.label();
        let mut b = format!(
            "{name}:\nr6 = r1\n*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\n"
        );
        if self.rng.chance(80) {
            let _ = writeln!(b, "if r0 == 0 goto {l}");
        }
        let _ = writeln!(b, "*(u64 *)(r6 + 0) = r0\n{l}:\nr0 = 0\nexit");
        self.subs.push(b);
        name
    }

    /// A map lookup of `m` in the main function, leaving the value pointer (or a jump to
    /// `out`) in `r0`.
    fn lookup(&mut self, out: &str) {
        let _ = writeln!(
            self.main,
            "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = m ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto {out}"
        );
    }

    fn fragment(&mut self) {
        let d = self.scalar();
        let a = self.scalar();
        match self.rng.below(24) {
            0 | 1 => {
                // A scalar subprogram, new or called again from a second site.
                let f = if !self.scalar_subs.is_empty() && self.rng.chance(40) {
                    let i = self.rng.below(self.scalar_subs.len() as u64) as usize;
                    self.scalar_subs[i].clone()
                } else if self.rng.chance(40) {
                    self.diamond_sub()
                } else {
                    self.scalar_sub()
                };
                let mut pre = String::new();
                self.bound(&mut pre, a, 2);
                self.main.push_str(&pre);
                let b = self.scalar();
                let _ = writeln!(self.main, "r1 = {a}\nr2 = {b}\ncall {f}\n{d} = r0");
            }
            2 | 3 => {
                // The callee reads at a caller-bounded offset of the caller's map value or
                // stack buffer; or of the packet, checking the end itself (an offset added to
                // a packet pointer drops its checked range) or reading inside the caller's
                // checked range.
                let out = self.label();
                let mut pre = String::new();
                self.bound(&mut pre, a, 2);
                self.tight(&mut pre, a);
                self.main.push_str(&pre);
                let f = match self.rng.below(3) {
                    0 => {
                        self.lookup(&out);
                        let _ = writeln!(self.main, "r1 = r0");
                        self.reuse_read_sub()
                    }
                    1 => {
                        let _ = writeln!(
                            self.main,
                            "*(u64 *)(r10 - 24) = 0\n*(u64 *)(r10 - 16) = 0\nr1 = r10\nr1 += -24"
                        );
                        self.reuse_read_sub()
                    }
                    _ => {
                        let _ = writeln!(
                            self.main,
                            "r1 = *(u32 *)(r9 + 0)\nr3 = *(u32 *)(r9 + 4)\nr4 = r1\nr4 += {}\nif r4 > r3 goto {out}",
                            self.rng.pick(&[16, 24, 32])
                        );
                        self.pkt_sub()
                    }
                };
                let _ = writeln!(self.main, "r2 = {a}\ncall {f}\n{d} = r0\n{out}:");
            }
            4 => {
                // The callee writes the caller's stack; the caller reads the slot back.
                let f = if self.rng.chance(40) {
                    self.diamond_write_sub()
                } else {
                    self.write_sub()
                };
                let slot = self.rng.pick(&[8, 16, 32]);
                if self.rng.chance(70) {
                    let v = if self.rng.chance(50) {
                        a.to_string()
                    } else {
                        "0".to_string()
                    };
                    let _ = writeln!(self.main, "*(u64 *)(r10 - {slot}) = {v}");
                }
                let w = self.rng.pick(&[1, 2, 4, 8, 8]);
                let k = self.rng.pick(&[0, 0, 4, 7]);
                let k = k - k % w;
                let sign = if w < 8 && self.rng.chance(20) {
                    's'
                } else {
                    'u'
                };
                let _ = writeln!(
                    self.main,
                    "r1 = r10\nr1 += -{slot}\nr2 = {a}\ncall {f}\n{d} = *({sign}{} *)(r10 - {})",
                    w * 8,
                    slot - k
                );
            }
            5 => {
                // A pointer stored into the caller's stack by the callee, filled and used.
                let f = self.ptr_sub();
                let out = self.label();
                let w = self.rng.pick(&[1, 1, 4, 8]);
                let _ = writeln!(
                    self.main,
                    "*(u64 *)(r10 - 8) = 0\nr1 = r10\nr1 += -8\ncall {f}\nr1 = *(u64 *)(r10 - 8)\nif r1 == 0 goto {out}"
                );
                let mut pre = String::new();
                self.bound(&mut pre, a, 1);
                self.tight(&mut pre, a);
                self.main.push_str(&pre);
                let _ = writeln!(
                    self.main,
                    "r1 += {a}\n{d} = *(u{} *)(r1 + 0)\n{out}:",
                    w * 8
                );
            }
            6 => {
                // bpf_loop: the callback writes its index (or a bounded value) into the
                // caller's stack through its context.
                let cb = self.name();
                let mut b = format!("{cb}:\n");
                if self.rng.chance(50) {
                    let _ = writeln!(b, "r3 = *(u64 *)(r2 + 0)\nr3 += r1");
                } else {
                    let _ = writeln!(b, "r3 = r1");
                }
                let mut body = String::new();
                self.bound(&mut body, "r3", 2);
                b.push_str(&body);
                let w = self.rng.pick(&[4, 8, 8]);
                let _ = writeln!(
                    b,
                    "*(u{} *)(r2 + 0) = r3\nr0 = {}\nexit",
                    w * 8,
                    self.rng.pick(&[0, 0, 1])
                );
                self.subs.push(b);
                let init = self.rng.pick(&["0", "0", a]);
                let _ = writeln!(
                    self.main,
                    "*(u64 *)(r10 - 8) = {init}\nr1 = {}\nr2 = {cb} ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop\n{d} = *(u64 *)(r10 - 8)",
                    self.rng.pick(&[1, 4, 16])
                );
            }
            7 => {
                // bpf_for_each_map_elem: the callback adds a value byte into the context slot.
                let cb = self.name();
                let k = self.rng.pick(&[0, 8, 15]);
                let mut b = format!("{cb}:\nr5 = *(u8 *)(r3 + {k})\n");
                let mut body = String::new();
                self.bound(&mut body, "r5", 2);
                b.push_str(&body);
                let _ = writeln!(b, "*(u64 *)(r4 + 0) = r5\nr0 = 0\nexit");
                self.subs.push(b);
                let _ = writeln!(
                    self.main,
                    "*(u64 *)(r10 - 8) = 0\nr1 = m ll\nr2 = {cb} ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_for_each_map_elem\n{d} = *(u64 *)(r10 - 8)"
                );
            }
            8 => {
                // A join: per-path bounds, then one register for both.
                let l = self.label();
                let j = self.label();
                let op = self.rng.pick(&[">", ">=", "s>", "<", "==", "&"]);
                let c = self.rng.pick(&NEAR);
                let _ = writeln!(self.main, "if {a} {op} {c} goto {l}");
                let mut x = String::new();
                if self.rng.chance(50) {
                    let _ = writeln!(x, "{d} = {}", self.rng.pick(&NEAR));
                } else {
                    let _ = writeln!(x, "{d} = {a}");
                    self.bound(&mut x, d, 2);
                }
                let _ = writeln!(x, "goto {j}\n{l}:");
                if self.rng.chance(50) {
                    let _ = writeln!(x, "{d} = {}", self.rng.pick(&NEAR));
                } else {
                    let _ = writeln!(x, "{d} = {a}");
                    self.bound(&mut x, d, 2);
                }
                let _ = writeln!(x, "{j}:");
                self.main.push_str(&x);
            }
            9 => {
                // A partial spill: narrow stores over a spilled register, then a fill.
                let slot = self.rng.pick(&[16, 24, 40]);
                let first = if self.rng.chance(70) {
                    a.to_string()
                } else {
                    self.rng.pick(&["0", "1", "16"]).to_string()
                };
                let _ = writeln!(self.main, "*(u64 *)(r10 - {slot}) = {first}");
                for _ in 0..self.rng.below(3) {
                    let w = self.rng.pick(&[1, 2, 4]);
                    let k = self.rng.pick(&[0, 1, 2, 4, 6, 7]);
                    let k = k - k % w;
                    let v = if self.rng.chance(50) {
                        "0".to_string()
                    } else {
                        self.scalar().to_string()
                    };
                    let _ = writeln!(self.main, "*(u{} *)(r10 - {}) = {v}", w * 8, slot - k);
                }
                let w = self.rng.pick(&[1, 2, 4, 8, 8, 8]);
                let k = self.rng.pick(&[0, 0, 4, 7]);
                let k = k - k % w;
                let _ = writeln!(self.main, "{d} = *(u{} *)(r10 - {})", w * 8, slot - k);
            }
            10 => {
                // A variable-offset stack write, then a fixed read.
                let mut pre = String::new();
                let _ = writeln!(pre, "r1 = {a}");
                self.bound(&mut pre, "r1", 1);
                self.tight(&mut pre, "r1");
                self.main.push_str(&pre);
                if self.rng.chance(70) {
                    let _ = writeln!(self.main, "*(u64 *)(r10 - 48) = 0\n*(u64 *)(r10 - 40) = 0");
                }
                let w = self.rng.pick(&[1, 1, 2, 4, 8]);
                let v = if self.rng.chance(50) {
                    "0".to_string()
                } else {
                    self.scalar().to_string()
                };
                let _ = writeln!(
                    self.main,
                    "r2 = r10\nr2 += -48\nr2 += r1\n*(u{} *)(r2 + 0) = {v}",
                    w * 8
                );
                let rw = self.rng.pick(&[1, 4, 8]);
                let _ = writeln!(
                    self.main,
                    "{d} = *(u{} *)(r10 - {})",
                    rw * 8,
                    self.rng.pick(&[48, 40])
                );
            }
            12..=16 => self.more_fragment(d, a),
            18..=20 => self.diamonds(),
            21..=23 => self.global_call(d, a),
            _ => {
                // A helper's memory argument with a size bounded by a branch or a mask.
                let mut pre = String::new();
                let _ = writeln!(pre, "r7 = {a}");
                self.bound(&mut pre, "r7", 1);
                self.tight(&mut pre, "r7");
                let out = self.label();
                if self.rng.chance(50) {
                    let c = self.rng.pick(&[8, 15, 16, 17, 32]);
                    let _ = writeln!(pre, "if r7 > {c} goto {out}");
                }
                if self.rng.chance(40) {
                    let _ = writeln!(pre, "if r7 == 0 goto {out}");
                }
                self.main.push_str(&pre);
                let _ = writeln!(self.main, "*(u64 *)(r10 - 32) = 0\n*(u64 *)(r10 - 24) = 0");
                if self.rng.chance(50) {
                    let _ = writeln!(
                        self.main,
                        "r1 = r9\nr2 = 0\nr3 = r10\nr3 += -32\nr4 = r7\ncall bpf_xdp_load_bytes\n{d} = *(u64 *)(r10 - 32)"
                    );
                } else {
                    let _ = writeln!(
                        self.main,
                        "r1 = r10\nr1 += -32\nr2 = r7\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff\n{d} = r0"
                    );
                }
                let _ = writeln!(self.main, "{out}:");
            }
        }
    }

    /// The end: one scalar used as an offset, or a branch to an invalid dereference.
    fn finish(&mut self) {
        let s = self.scalar();
        let out = self.label();
        let mut pre = String::new();
        if self.rng.chance(50) {
            self.tight(&mut pre, s);
        }
        self.main.push_str(&pre);
        match self.rng.below(4) {
            0 => {
                self.lookup(&out);
                let w = self.rng.pick(&[1, 1, 4, 8]);
                let k = self.rng.pick(&[0, 0, 8, 12]);
                let _ = writeln!(self.main, "r0 += {s}\n*(u{} *)(r0 + {k}) = 1", w * 8);
            }
            1 => {
                let _ = writeln!(
                    self.main,
                    "r1 = r10\nr1 += -64\nr1 += {s}\n*(u8 *)(r1 + 0) = 1"
                );
            }
            2 => {
                let _ = writeln!(
                    self.main,
                    "r1 = *(u32 *)(r9 + 0)\nr3 = *(u32 *)(r9 + 4)\nr1 += {s}\nr4 = r1\nr4 += {}\nif r4 > r3 goto {out}\nr0 = *(u8 *)(r1 + 0)",
                    self.rng.pick(&[1, 1, 0])
                );
            }
            _ => {
                let op = self
                    .rng
                    .pick(&[">", ">=", "s>", "s<", "<", "==", "!=", "&"]);
                let c = self.rng.pick(&NEAR);
                let _ = writeln!(self.main, "if {s} {op} {c} goto bad");
            }
        }
        let _ = writeln!(self.main, "{out}:\nr0 = 2\nexit");
        if self.main.contains("goto bad") {
            self.main
                .push_str("bad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit\n");
        }
    }
}

/// One program: the prologue (context in `r9`, three scalars read from it, some bounded),
/// 1-6 fragments, the end, then the subprograms.
pub fn program(rng: &mut Rng) -> String {
    let mut g = Gen {
        rng,
        main: String::from("r9 = r1\n"),
        subs: Vec::new(),
        scalar_subs: Vec::new(),
        read_subs: Vec::new(),
        label: 0,
        names: 0,
        globals: Vec::new(),
    };
    for r in ["r6", "r7", "r8"] {
        let _ = writeln!(g.main, "{r} = *(u32 *)(r9 + {})", g.rng.pick(&[12, 16]));
        let mut b = String::new();
        g.bound(&mut b, r, 2);
        g.main.push_str(&b);
    }
    for _ in 0..1 + g.rng.below(6) {
        g.fragment();
    }
    g.finish();
    let mut p = String::new();
    for line in &g.globals {
        let _ = writeln!(p, "{line}");
    }
    p.push_str(&g.main);
    for s in g.subs {
        p.push_str(&s);
    }
    p
}
