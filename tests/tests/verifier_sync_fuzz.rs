//! A differential fuzzer for how many times the verifier synchronises a number's ranges and
//! known bits (the kernel's `reg_bounds_sync`, which is not idempotent: a second run can learn
//! from what the first tightened) against the running kernel. Each program first puts r6 and
//! r7 in states where one more synchronisation would learn something: a random mask (`&=`,
//! `|=` with random 32- or 64-bit constants), then one or two narrowing comparisons (64- or
//! 32-bit, signed or unsigned) against constants near the mask's bit boundaries; the same
//! through a spill and a fill of every size, `wX = wY`, `rX = rY`, or a linked copy with
//! `+= const` compared in place of the number. Then one to three operations of every kind
//! (ALU64 and ALU32 by constants and registers, sign-extending moves, byte swaps, negation,
//! shifts, division and modulo, JMP and JMP32 of every operator including JSET by constants
//! and registers, narrow loads from the stack), and a test that exposes one bit or bound (a
//! branch to an invalid dereference). A verifier that synchronises more often than the kernel
//! knows more: a false accept, which fails the test; one that synchronises less knows less: a
//! false reject, counted (by our message and by the kinds of operations in the program) and
//! shown. The kernel's verdict (`BPF_PROG_LOAD`, as root) is the ground truth. Needs root;
//! skips with a message otherwise unless `CI=true`.
//!
//! `SYNC_FUZZ_SEED=n SYNC_FUZZ_PROGRAMS=m` explores other programs; `SYNC_FUZZ_SHOW=k` prints
//! `k` false rejects (default 3); `SYNC_FUZZ_DUMP=k` prints the first `k` programs with both
//! verdicts; `SYNC_FUZZ_FILE=path` verifies the one program in `path` instead (both verdicts
//! and the kernel's full log: for reducing a case).

use std::collections::BTreeMap;

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

/// Constants around the sign boundaries of 8, 16 and 32 bits.
const VALUES: [i64; 20] = [
    0,
    1,
    2,
    3,
    7,
    8,
    31,
    127,
    128,
    255,
    256,
    0x7fff,
    0x8000,
    0xffff,
    0x7fff_ffff,
    -0x8000_0000,
    -1,
    -2,
    -128,
    -129,
];

/// One program and the kinds of operations in it (the false rejects are counted by them).
struct Gen {
    rng: Rng,
    p: String,
    kinds: Vec<&'static str>,
    label: u32,
    /// The mask of each shaped register (r6, r7): the constants of the comparisons are drawn
    /// near its bit boundaries.
    masks: [u64; 2],
    /// The bit of each register's window ([`Gen::window`]): the one a second
    /// synchronisation would likely learn.
    hot: [u32; 2],
    /// Whether the program zeroed its stack (`r10 - 32` to `r10 - 1`) first.
    zeroed: bool,
}

impl Gen {
    fn line(&mut self, s: &str) {
        self.p.push_str(s);
        self.p.push('\n');
    }

    /// A random mask: random bits, fewer or more of them, now and then a contiguous run.
    fn mask(&mut self, wide: bool) -> u64 {
        let r = &mut self.rng;
        let m = match r.below(4) {
            0 => r.next() & r.next(),
            1 => r.next() | r.next(),
            2 => {
                let lo = r.below(16);
                let len = 1 + r.below(16);
                ((1u64 << len) - 1) << lo
            }
            _ => r.next(),
        };
        if wide {
            m
        } else {
            m & 0xffff_ffff
        }
    }

    /// A constant near a bit boundary of `m`: a power of two of one of its bits, minus or plus
    /// one, its bits below or above that bit, a random subset of it, or one of [`VALUES`].
    fn near(&mut self, m: u64) -> i64 {
        let r = &mut self.rng;
        if r.chance(12) || m == 0 {
            return r.pick(&VALUES);
        }
        let bits: Vec<u32> = (0..64).filter(|b| m >> b & 1 == 1).collect();
        let b = r.pick(&bits);
        let p = 1u64 << b;
        let v = match r.below(8) {
            0 => p,
            1 => p.wrapping_sub(1),
            2 => p + 1,
            3 => m & (p - 1),
            4 => m & !(p - 1),
            5 => m & r.next(),
            6 => (m & !(p - 1)).wrapping_sub(1),
            _ => (m & r.next()) | p,
        };
        let v = v.wrapping_add(r.pick(&[0, 0, 0, 1, u64::MAX]));
        // Immediates are 32-bit, sign-extended.
        v as u32 as i32 as i64
    }

    fn cmp_op(&mut self) -> &'static str {
        self.rng.pick(&[
            "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&",
        ])
    }

    /// A comparison that narrows `r` (n: 6 or 7): the fall-through or the taken branch goes on.
    fn narrow(&mut self, n: &str, m: u64) {
        let w = if self.rng.chance(50) { "w" } else { "r" };
        let op = self
            .rng
            .pick(&["<", "<=", ">", ">=", "s<", "s<=", "s>", "s>=", "<", ">"]);
        let c = self.near(m);
        self.branch(&format!("if {w}{n} {op} {c}"));
    }

    /// Two comparisons that leave `r` (n) in a window whose lower end is at or just past a bit
    /// `b` of the mask `m` and whose upper end is past a higher bit boundary: one
    /// synchronisation pulls the upper end down to what the known bits allow, a second could
    /// learn bit `b` (or more) from the tighter range (128..=256 under 0x1b158adf: 128..=223,
    /// then bit 7).
    fn window(&mut self, i: usize, n: &str, m: u64) {
        let r = &mut self.rng;
        let bits: Vec<u32> = (0..32).filter(|b| m >> b & 1 == 1).collect();
        if bits.is_empty() {
            return self.narrow(n, m);
        }
        let b = r.pick(&bits);
        self.hot[i] = b;
        let r = &mut self.rng;
        let p = 1u64 << b;
        let lo = match r.below(4) {
            0 => p,
            1 => p | (m & (p - 1) & r.next()),
            2 => (m & !(p - 1)) & (r.next() | p),
            _ => p + r.below(4),
        };
        let up = b + 1 + r.below(4) as u32;
        // Now and then a window that holds one value of the known bits, or seems to (after one
        // synchronisation a range of one value whose bits are not all known: 2..=4 under the
        // bits (0; 0x24202072) is 2..=2 with the bits (0; 0x2)).
        let lo = match r.below(8) {
            0 | 1 => m & r.next(),
            // Small: a shift amount, an offset.
            2 => m & r.next() & 63,
            _ => lo,
        };
        let hi = if r.chance(25) {
            lo + r.below(5)
        } else {
            match r.below(4) {
                0 => 1u64 << up.min(32),
                1 => (1u64 << up.min(32)) + r.below(3),
                2 => (1u64 << up.min(32)) - 1 - (m & r.next() & ((1u64 << up.min(32)) - 1)) / 2,
                _ => lo + r.below(p.max(2) * 3),
            }
        };
        let (lo, hi) = (lo & 0xffff_ffff, hi & 0xffff_ffff);
        let w = if r.chance(50) { "w" } else { "r" };
        // The signed forms agree with the unsigned ones on numbers below 2^31 (2^63).
        let s = if r.chance(30) { "s" } else { "" };
        let (lo_op, hi_op) = match r.below(4) {
            0 => ("<", ">"),
            1 => ("<=", ">="),
            2 => ("<", ">="),
            _ => ("<=", ">"),
        };
        let lo_c = if lo_op == "<" { lo } else { lo.wrapping_sub(1) };
        let hi_c = if hi_op == ">" { hi } else { hi + 1 };
        let first_low = r.chance(50);
        let w2 = if r.chance(70) {
            w
        } else if w == "w" {
            "r"
        } else {
            "w"
        };
        let low = format!("if {w}{n} {s}{lo_op} {}", lo_c as u32 as i32);
        let high = format!("if {w2}{n} {s}{hi_op} {}", hi_c as u32 as i32);
        let (a, c) = if first_low { (low, high) } else { (high, low) };
        self.line(&format!("{a} goto out\n{c} goto out"));
    }

    /// `cond` (`if ...`) whose fall-through goes on (or, half the time, whose taken branch does).
    fn branch(&mut self, cond: &str) {
        if self.rng.chance(60) {
            self.line(&format!("{cond} goto out"));
        } else {
            self.label += 1;
            let l = self.label;
            self.line(&format!("{cond} goto l{l}\ngoto out\nl{l}:"));
        }
    }

    /// Puts `r` (index 0: r6, 1: r7) where one more synchronisation would learn something.
    fn shape(&mut self, i: usize) {
        let n = ["6", "7"][i];
        let wide = self.rng.chance(20);
        if wide {
            // An unknown 64-bit number: two words.
            let off = self.rng.pick(&[12, 16]);
            self.line(&format!(
                "r{n} = *(u32 *)(r9 + {off})\nr{n} <<= 32\nr8 = *(u32 *)(r9 + {})\nr{n} |= r8",
                28 - off
            ));
        } else {
            let off = self.rng.pick(&[12, 16]);
            self.line(&format!("r{n} = *(u32 *)(r9 + {off})"));
        }
        let m = self.mask(wide);
        if wide && m > u32::MAX as u64 {
            self.line(&format!("r8 = {m:#x} ll\nr{n} &= r8"));
        } else {
            let w = if self.rng.chance(60) { "w" } else { "r" };
            self.line(&format!("{w}{n} &= {}", m as u32 as i32));
        }
        let mut m = if wide { m } else { m & 0xffff_ffff };
        if self.rng.chance(20) {
            let o = self.mask(false) & self.mask(false);
            self.line(&format!("w{n} |= {}", o as u32 as i32));
            m |= o;
        }
        self.masks[i] = m;
        // How the comparisons reach the number: itself, or a copy compared in its place.
        let via = self.rng.below(100);
        if via < 12 {
            // A linked copy with a constant added: the comparison of the copy narrows `r`.
            let c = self.rng.pick(&[1, 2, 8, 100, -1, -4, 0x7f, 0x80]);
            let w = if self.rng.chance(70) { "r" } else { "w" };
            self.kinds.push("shape:linked");
            self.line(&format!("{w}8 = {w}{n}\n{w}8 += {c}"));
            let mm = m.wrapping_add(c as u64);
            self.narrow("8", mm);
            if self.rng.chance(40) {
                self.narrow("8", mm);
            }
            return;
        }
        if self.rng.chance(65) {
            self.window(i, n, m);
        } else {
            self.narrow(n, m);
            if self.rng.chance(50) {
                self.narrow(n, m);
            }
        }
        if via < 30 {
            // A spill and a fill of some size (the stack was zeroed half the time).
            self.kinds.push("shape:fill");
            let size = self.rng.pick(&[1, 2, 4, 8, 8]);
            let off = 8 * (1 + i as i64);
            self.line(&format!("*(u{} *)(r10 - {off}) = r{n}", size * 8));
            let fill = self.rng.pick(&[1, 2, 4, 8]).min(size);
            let s = if fill < 8 && self.rng.chance(25) {
                "s"
            } else {
                "u"
            };
            self.line(&format!("r{n} = *({s}{} *)(r10 - {off})", fill * 8));
        } else if via < 45 {
            self.kinds.push("shape:mov32");
            self.line(&format!("w{n} = w{n}"));
        } else if via < 55 {
            self.kinds.push("shape:mov64");
            self.line(&format!("r8 = r{n}\nr{n} = r8"));
        }
    }

    /// An immediate for an operation on `d` (index): near its mask or one of [`VALUES`].
    fn imm(&mut self, i: usize) -> i64 {
        if self.rng.chance(15) {
            // Low bits all ones above the window's bit (0xf17 over a window at bit 4): a sum
            // carries through the known bits, and its one synchronisation narrows the range
            // after it cut the known bits (`alu64_add_synchronises_once`).
            let b = (self.hot[i].max(2) + self.rng.below(6) as u32).min(30);
            let ones = (1u64 << b) - 1;
            let c = (self.rng.next() & !ones & 0xffff) | (ones & !self.rng.below(32));
            return c as u32 as i32 as i64;
        }
        if self.rng.chance(50) {
            self.near(self.masks[i])
        } else {
            self.rng.pick(&VALUES)
        }
    }

    /// One operation on `d` (index 0: r6, 1: r7), the other register as a source.
    fn operation(&mut self, i: usize) {
        let (dn, sn) = (["6", "7"][i], ["6", "7"][1 - i]);
        let w = if self.rng.chance(50) { "w" } else { "r" };
        let k = self.rng.below(100);
        if k < 35 {
            let op = self.rng.pick(&[
                "+=", "-=", "*=", "/=", "%=", "s/=", "s%=", "&=", "|=", "^=", "<<=", ">>=", "s>>=",
            ]);
            let shift = op.ends_with("<=") || op.ends_with(">=");
            let by_reg = self.rng.chance(35);
            self.kinds.push(if w == "w" { "alu32" } else { "alu64" });
            if by_reg {
                self.kinds.push("by-reg");
                self.line(&format!("{w}{dn} {op} {w}{sn}"));
            } else if shift {
                let c = self.rng.below(if w == "w" { 32 } else { 64 });
                self.line(&format!("{w}{dn} {op} {c}"));
            } else {
                let c = loop {
                    let c = self.imm(i);
                    if c != 0 || !op.contains(['/', '%']) {
                        break c;
                    }
                };
                self.line(&format!("{w}{dn} {op} {c}"));
            }
        } else if k < 40 {
            self.kinds.push("neg");
            self.line(&format!("{w}{dn} = -{w}{dn}"));
        } else if k < 47 {
            self.kinds.push("movsx");
            let src = if self.rng.chance(50) { dn } else { sn };
            if w == "w" {
                let b = self.rng.pick(&[8, 16]);
                self.line(&format!("w{dn} = (s{b})w{src}"));
            } else {
                let b = self.rng.pick(&[8, 16, 32]);
                self.line(&format!("r{dn} = (s{b})r{src}"));
            }
        } else if k < 53 {
            self.kinds.push("mov");
            let src = if self.rng.chance(50) { dn } else { sn };
            self.line(&format!("{w}{dn} = {w}{src}"));
        } else if k < 60 {
            self.kinds.push("bswap");
            let op = self.rng.pick(&[
                "bswap16", "bswap32", "bswap64", "be16", "be32", "be64", "le16", "le32", "le64",
            ]);
            self.line(&format!("r{dn} = {op} r{dn}"));
        } else if k < 85 {
            self.kinds.push(if w == "w" { "jmp32" } else { "jmp64" });
            let op = self.cmp_op();
            if op == "&" {
                self.kinds.push("jset");
            }
            let rhs = if self.rng.chance(30) {
                self.kinds.push("by-reg");
                format!("{w}{sn}")
            } else if op == "&" && self.rng.chance(60) {
                // One bit (an immediate is 32-bit, sign-extended: bit 31 stands for 31..=63).
                let b = self.rng.below(32);
                ((1u64 << b) as u32 as i32).to_string()
            } else {
                self.imm(i).to_string()
            };
            self.branch(&format!("if {w}{dn} {op} {rhs}"));
        } else if k < 88 && self.zeroed {
            // The other number as a variable offset into the zeroed stack.
            self.kinds.push("stack-offset");
            self.line(&format!(
                "if r{sn} > 24 goto out\nr8 = r10\nr8 += -32\nr8 += r{sn}\nr{dn} = *(u8 *)(r8 + 0)"
            ));
        } else {
            self.kinds.push("narrow-load");
            let off = 24 + 8 * i as i64;
            self.line(&format!("*(u64 *)(r10 - {off}) = r{dn}"));
            let size = self.rng.pick(&[1, 2, 4]);
            let inside = self.rng.below(8 / size) as i64 * size as i64;
            let s = if self.rng.chance(30) { "s" } else { "u" };
            let to = if self.rng.chance(70) { dn } else { sn };
            self.line(&format!(
                "r{to} = *({s}{} *)(r10 - {})",
                size * 8,
                off - inside
            ));
        }
    }

    /// The last test: one bit (JSET) or one bound of `r` against a constant near its mask.
    fn expose(&mut self, i: usize) {
        let n = ["6", "7"][i];
        let w = if self.rng.chance(50) { "w" } else { "r" };
        let (op, c) = if self.rng.chance(35) {
            let b = if self.rng.chance(60) {
                (self.hot[i] + self.rng.below(3) as u32).min(31)
            } else {
                self.rng.below(32) as u32
            };
            ("&", (1u64 << b) as u32 as i32 as i64)
        } else {
            let op = self.cmp_op();
            (op, self.imm(i))
        };
        self.line(&format!(
            "if {w}{n} {op} {c} goto bad\nr0 = 2\nexit\nbad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit"
        ));
    }
}

/// A program and the kinds of operations in it.
fn program(rng: &mut Rng) -> (String, Vec<&'static str>) {
    let mut g = Gen {
        rng: Rng(rng.next()),
        p: String::from("r9 = r1\n"),
        kinds: Vec::new(),
        label: 0,
        masks: [0; 2],
        hot: [0; 2],
        zeroed: false,
    };
    if g.rng.chance(50) {
        g.zeroed = true;
        g.line("r8 = 0");
        for off in [8, 16, 24, 32] {
            g.line(&format!("*(u64 *)(r10 - {off}) = r8"));
        }
    } else {
        g.kinds.push("stack:uninit");
    }
    g.shape(0);
    if g.rng.chance(60) {
        g.shape(1);
    } else {
        g.line("r7 = *(u32 *)(r9 + 16)");
        g.masks[1] = u32::MAX as u64;
    }
    for _ in 0..1 + g.rng.below(3) {
        let i = if g.rng.chance(70) { 0 } else { 1 };
        g.operation(i);
    }
    let i = if g.rng.chance(75) { 0 } else { 1 };
    g.expose(i);
    g.line("out:\nr0 = 2\nexit");
    g.kinds.sort_unstable();
    g.kinds.dedup();
    (g.p, g.kinds)
}

fn sync_counts_agree_with_the_kernel() {
    use ebpf_dsl::verifier::{verify, VerifyInput};
    let seed = common::env_num("SYNC_FUZZ_SEED").unwrap_or(0x5e11_5eed);
    let count = common::env_num("SYNC_FUZZ_PROGRAMS").unwrap_or(1000) as usize;
    let show = common::env_num("SYNC_FUZZ_SHOW").unwrap_or(3) as usize;
    let pt = ebpf_dsl::ProgramType::Xdp;
    if let Ok(path) = std::env::var("SYNC_FUZZ_FILE") {
        return check_one(&path);
    }
    let mut rng = Rng(seed);
    let (mut agree, mut accepted) = (0usize, 0usize);
    let mut false_accepts = Vec::new();
    let mut false_rejects = 0usize;
    let mut by_message: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kernel_accepts_by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut kernel_reasons: BTreeMap<String, usize> = BTreeMap::new();
    let dump = common::env_num("SYNC_FUZZ_DUMP").unwrap_or(0) as usize;
    for i in 0..count {
        let (src, kinds) = program(&mut rng);
        let a = ebpf_dsl::asm::assemble_unchecked(&src)
            .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
        let ours = verify(
            &VerifyInput::new(&a.insns, pt)
                .with_kernel(common::running_kernel())
                .with_unavailable_helpers(common::running_unavailable(pt)),
        );
        let kernel = common::kernel_verdict("syncfuzz", pt, &a, &[], &[], &src);
        if let Err(log) = &kernel {
            let why: String = log
                .lines()
                .rev()
                .nth(1)
                .unwrap_or("")
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            *kernel_reasons.entry(why).or_default() += 1;
        }
        if i < dump {
            println!(
                "--- #{i} {:?} ours {:?}\n{src}",
                kernel
                    .as_ref()
                    .err()
                    .map(|l| l.lines().rev().nth(1).unwrap_or("").to_string()),
                ours.as_ref()
                    .err()
                    .map(|e| e.first().map(ToString::to_string))
            );
        }
        if kernel.is_ok() {
            for k in &kinds {
                *kernel_accepts_by_kind.entry(k).or_default() += 1;
            }
        }
        match (&ours, &kernel) {
            (Ok(_), Err(log)) => {
                let why = log.lines().rev().nth(1).unwrap_or("").to_string();
                false_accepts.push(format!("--- program #{i}\n{src}\nkernel: {why}"));
            }
            (Err(e), Ok(())) => {
                false_rejects += 1;
                let msg = e.first().map(ToString::to_string).unwrap_or_default();
                let key: String = msg
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '#' } else { c })
                    .take(120)
                    .collect();
                *by_message.entry(key).or_default() += 1;
                for k in &kinds {
                    *by_kind.entry(k).or_default() += 1;
                }
                if false_rejects <= show {
                    println!("false reject #{i}\n{src}\nours: {msg}");
                }
            }
            _ => {
                agree += 1;
                accepted += usize::from(kernel.is_ok());
            }
        }
    }
    let kernel_accepts = accepted + false_rejects;
    for (m, n) in &kernel_reasons {
        println!("kernel refuses x{n}: {m}");
    }
    for (m, n) in &by_message {
        println!("false rejects x{n}: {m}");
    }
    for (k, n) in &by_kind {
        println!(
            "false rejects with {k}: {n} of {} kernel-accepted",
            kernel_accepts_by_kind.get(k).copied().unwrap_or(0)
        );
    }
    println!(
        "sync fuzz (seed {seed:#x}): {count} programs, {agree} agree ({accepted} accepted by both), \
         {false_rejects} false rejects ({:.2}% of the {kernel_accepts} the kernel accepts), {} false accepts",
        false_rejects as f64 * 100.0 / kernel_accepts.max(1) as f64,
        false_accepts.len()
    );
    assert!(
        accepted * 4 > count,
        "the kernel accepts only {accepted} of {count} programs: the generator is broken"
    );
    assert!(
        false_accepts.is_empty(),
        "the static verifier accepted programs the kernel rejects:\n{}",
        false_accepts.join("\n")
    );
}

/// Both verdicts on the program in the file `path` (`SYNC_FUZZ_FILE`: reducing a case),
/// with the kernel's log.
fn check_one(path: &str) {
    use ebpf_dsl::verifier::{verify, VerifyInput};
    let pt = ebpf_dsl::ProgramType::Xdp;
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let a = ebpf_dsl::asm::assemble_unchecked(&src)
        .unwrap_or_else(|d| panic!("the program does not assemble: {d:?}"));
    let ours = verify(
        &VerifyInput::new(&a.insns, pt)
            .with_kernel(common::running_kernel())
            .with_unavailable_helpers(common::running_unavailable(pt)),
    );
    let opts = xsk_runtime::program::LoadOptions {
        always_log: true,
        verbose: true,
        ..Default::default()
    };
    let spec = ebpf_dsl::ProgramSpec {
        name: "syncfuzz".into(),
        prog_type: pt,
        license: "GPL".into(),
        insns: a.insns.clone().into(),
        relocations: a.relocations.clone().into(),
        maps: Default::default(),
        lines: Default::default(),
    };
    let load = xsk_runtime::program::Program::load_with(&spec, &[], &opts);
    if let Ok(p) = &load {
        println!("{}", p.verifier_log().unwrap_or_default());
    }
    let kernel = common::verdict(load, &src);
    match &ours {
        Ok(_) => println!("ours: accept"),
        Err(e) => println!(
            "ours: reject: {}",
            e.first().map(ToString::to_string).unwrap_or_default()
        ),
    }
    match &kernel {
        Ok(()) => println!("kernel: accept"),
        Err(log) => println!("kernel: reject\n{log}"),
    }
}

kernel_tests! {
    privileged: [
        sync_counts_agree_with_the_kernel,
    ],
}
