//! A differential fuzzer for atomic instructions against the running kernel: every
//! read-modify-write form (`lock +=`, `|=`, `&=`, `^=`, the `atomic_fetch_*` forms, `xchg`,
//! `cmpxchg`) in 32 and 64 bits, and load-acquire / store-release of 1 to 8 bytes, on random
//! memory kinds: stack slots in every state (never written, a spilled constant or bounded
//! number, a spilled pointer, zeros, a 4-byte spill, part of a slot written), the stack through
//! a copy of `r10` at a constant or variable offset, map values (an array, a hash, a per-CPU
//! array, a map read-only for programs; NULL-checked or not, at constant or variable offsets),
//! ring buffer records, the packet, the context, and the caller's stack from a static
//! subprogram given a pointer to it; at offsets near the edges, misaligned now
//! and then; with operands that are constants, bounded numbers, pointers or never written
//! (`r0` of `cmpxchg` too). Each program then uses what the atomics left: the old value a
//! fetching form loaded (or the slot read back at another width) in a branch to an invalid
//! dereference, as a map value offset, or dereferenced as a pointer. The kernel's verdict
//! (`BPF_PROG_LOAD`, as root) is the ground truth; any program the static verifier (targeting
//! the running kernel) accepts and the kernel rejects fails the test. Needs root; skips with a
//! message otherwise unless `CI=true`.
//!
//! `ATOMIC_FUZZ_SEED=n ATOMIC_FUZZ_PROGRAMS=m` explores other programs (`FUZZ_SHOW_REJECTS=k`
//! prints the first `k` false rejects; `FUZZ_REASONS=1` tallies the kernel's reasons).

use xsk_testkit::kernel_tests;

mod common;
use common::Rng;

use ebpf_dsl::{MapSpec, MapType};
use std::fmt::Write as _;

/// The maps a program may name: name, key size, value size.
const DATA_MAPS: [(&str, i64, i64); 4] = [("m", 4, 16), ("h", 8, 24), ("pc", 4, 8), ("ro", 4, 16)];

fn maps() -> Vec<MapSpec> {
    let m = common::map_spec;
    vec![
        m("m", MapType::Array, 4, 16, 1),
        m("h", MapType::Hash, 8, 24, 4),
        m("pc", MapType::PercpuArray, 4, 8, 1),
        MapSpec {
            flags: 1 << 7, // BPF_F_RDONLY_PROG
            ..m("ro", MapType::Array, 4, 16, 1)
        },
        m("rb", MapType::Ringbuf, 0, 0, 4096),
    ]
}

/// Numbers spilled, compared with and used as operands.
const VALUES: [i64; 16] = [
    0,
    1,
    3,
    4,
    8,
    15,
    16,
    255,
    -1,
    -8,
    0x7fff_ffff,
    -0x8000_0000,
    0x1_0000_0000,
    1 << 29,
    0xffff,
    12,
];

/// `v` as the source of a move: a 64-bit immediate (`ll`) when it does not fit in 32 bits.
fn imm(v: i64) -> String {
    if i32::try_from(v).is_ok() {
        v.to_string()
    } else {
        format!("{v} ll")
    }
}

/// The memory the atomics go to, held in `r8` (the stack also through `r10`).
#[derive(Clone, Copy, PartialEq)]
enum Mem {
    /// `r10` itself.
    Fp,
    /// A copy of `r10` moved by a constant.
    FpCopy,
    /// A copy of `r10` moved by a bounded variable offset.
    FpVar,
    /// A map value (map index into `DATA_MAPS`), NULL-checked or not, maybe moved by a
    /// bounded variable offset.
    Value(usize, bool, bool),
    /// A ring buffer record of 16 bytes (submitted before the uses).
    Ringbuf,
    /// The packet, after a check of 16 bytes.
    Pkt,
    /// The context.
    Ctx,
    /// The caller's stack, in a static subprogram given `r10 - 32` (the atomics run there).
    Callee,
}

struct Gen<'a> {
    rng: &'a mut Rng,
    p: String,
    label: usize,
    /// Registers holding what an atomic fetched (or a number read back from the stack).
    fetched: Vec<&'static str>,
    /// Whether the program holds a NULL-checked map value of at least 8 bytes in `r7`.
    value_in_r7: bool,
    /// Whether a branch goes to `bad` (else it is left out: the kernel refuses unreachable
    /// instructions).
    bad: bool,
}

impl Gen<'_> {
    fn emit(&mut self, s: impl AsRef<str>) {
        self.p.push_str(s.as_ref());
        self.p.push('\n');
    }

    fn fresh(&mut self) -> usize {
        self.label += 1;
        self.label
    }

    /// `r6` (and `r7` unless a map value lives there): bounded numbers from the context.
    fn scalars(&mut self) {
        for r in ["r6", "r7"] {
            let _ = writeln!(self.p, "{r} = *(u32 *)(r9 + {})", self.rng.pick(&[12, 16]));
            if self.rng.chance(70) {
                let m = self.rng.pick(&[7, 8, 15, 16, 24, 31, 0xff, 0xfff]);
                let _ = writeln!(self.p, "{r} &= {m}");
            }
        }
    }

    /// A stack slot in a random state, at `-off` (a multiple of 8).
    fn slot(&mut self, off: i64) {
        match self.rng.below(11) {
            0 => {} // never written
            1 | 2 => {
                let v = imm(self.rng.pick(&VALUES));
                self.emit(format!("r1 = {v}\n*(u64 *)(r10 - {off}) = r1"));
            }
            3 => {
                let v = self.rng.pick(&VALUES[..12]);
                self.emit(format!("*(u64 *)(r10 - {off}) = {v}"));
            }
            4 => self.emit(format!("*(u64 *)(r10 - {off}) = r6")),
            5 => {
                let p = self.rng.pick(&["r9", "r10", "r8"]);
                self.emit(format!("*(u64 *)(r10 - {off}) = {p}"));
            }
            6 => self.emit(format!("*(u32 *)(r10 - {off}) = w6")),
            7 => {
                let v = self.rng.pick(&VALUES[..10]);
                let at = off - 4 * self.rng.below(2) as i64;
                self.emit(format!("*(u32 *)(r10 - {at}) = {v}"));
            }
            8 => {
                let at = off - self.rng.below(8) as i64;
                let v = self.rng.pick(&[0, 1, 7]);
                self.emit(format!("*(u8 *)(r10 - {at}) = {v}"));
            }
            _ => self.emit(format!("r1 = 0\n*(u64 *)(r10 - {off}) = r1")),
        }
    }

    /// `r0 = bpf_map_lookup_elem(map, &zero key)`; NULL-checked (jumping to `out`) or not.
    fn lookup(&mut self, map: usize, check: bool) {
        let (name, ksz, _) = DATA_MAPS[map];
        self.emit(format!(
            "*(u64 *)(r10 - 48) = 0\nr2 = r10\nr2 += -{}\nr1 = {name} ll\ncall bpf_map_lookup_elem",
            40 + ksz
        ));
        if check {
            self.emit("if r0 == 0 goto out");
        }
    }

    /// Sets up `r8` to point into the memory `mem`.
    fn base(&mut self, mem: Mem) {
        match mem {
            Mem::Fp => {}
            Mem::FpCopy => {
                let k = self.rng.pick(&[0, -8, -16, -24, -4, -3, -512, 8]);
                self.emit(format!("r8 = r10\nr8 += {k}"));
            }
            Mem::FpVar => {
                let m = self.rng.pick(&[8, 16, 24, 7, 12]);
                let k = self.rng.pick(&[-32, -40, -24]);
                self.emit(format!("r1 = r6\nr1 &= {m}\nr8 = r10\nr8 += {k}\nr8 += r1"));
            }
            Mem::Value(map, check, var) => {
                self.lookup(map, check);
                self.emit("r8 = r0");
                if var {
                    let m = self.rng.pick(&[4, 8, 12, 16, 7]);
                    self.emit(format!("r1 = r6\nr1 &= {m}\nr8 += r1"));
                }
            }
            Mem::Ringbuf => {
                let sz = self.rng.pick(&[16, 16, 8, 12]);
                self.emit(format!(
                    "r1 = rb ll\nr2 = {sz}\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr8 = r0"
                ));
            }
            Mem::Pkt => {
                self.emit("r8 = *(u32 *)(r9 + 0)\nr1 = *(u32 *)(r9 + 4)\nr2 = r8\nr2 += 16\nif r2 > r1 goto out");
            }
            Mem::Ctx => self.emit("r8 = r9"),
            Mem::Callee => {}
        }
    }

    /// An operand register (`r2`..`r5`) set to a constant, a bounded number or a pointer, or
    /// (rarely) left unwritten; its name.
    fn operand(&mut self, reg: &'static str) -> &'static str {
        match self.rng.below(40) {
            0 => {} // r5 is never written before; r2..r4 maybe clobbered by a call
            20..=39 => {
                let v = imm(self.rng.pick(&VALUES));
                self.emit(format!("{reg} = {v}"));
            }
            1..=7 => {
                let v = imm(self.rng.pick(&VALUES));
                self.emit(format!("{reg} = {v}"));
            }
            8..=13 => self.emit(format!("{reg} = r6")),
            14 | 15 => self.emit(format!("{reg} = r7")),
            _ => {
                let p = self.rng.pick(&["r9", "r10", "r8"]);
                self.emit(format!("{reg} = {p}"));
            }
        }
        reg
    }

    /// One atomic instruction (or a load-acquire / store-release) on `base + off`.
    fn atomic(&mut self, base: &str, off: i64) {
        let at = if off < 0 {
            format!("{base} - {}", -off)
        } else {
            format!("{base} + {off}")
        };
        let w8 = self.rng.chance(55);
        let (u, width) = if w8 { ("u64", "r") } else { ("u32", "w") };
        let src = self.rng.pick(&["r2", "r3", "r4", "r5"]);
        let k = self.rng.below(100);
        if k < 70 {
            if src != "r5" || self.rng.chance(80) {
                self.operand(src);
            }
            let s = &src[1..];
            let op = self.rng.below(7);
            match op {
                0..=3 => {
                    let sym = ["+=", "|=", "&=", "^="][op as usize];
                    let name = ["add", "or", "and", "xor"][op as usize];
                    if self.rng.chance(50) {
                        self.emit(format!("lock *({u} *)({at}) {sym} {width}{s}"));
                    } else {
                        self.emit(format!(
                            "{width}{s} = atomic_fetch_{name}(({u} *)({at}), {width}{s})"
                        ));
                        self.fetched.push(src);
                    }
                }
                4 | 5 => {
                    let x = if w8 { "xchg_64" } else { "xchg32_32" };
                    self.emit(format!("{width}{s} = {x}({at}, {width}{s})"));
                    self.fetched.push(src);
                }
                _ => {
                    if self.rng.chance(85) {
                        match self.rng.below(6) {
                            0 => self.emit("r0 = r9"),
                            1 | 2 => self.emit("r0 = r6"),
                            _ => {
                                let v = imm(self.rng.pick(&VALUES));
                                self.emit(format!("r0 = {v}"))
                            }
                        }
                    }
                    let x = if w8 { "cmpxchg_64" } else { "cmpxchg32_32" };
                    self.emit(format!("{width}0 = {x}({at}, {width}0, {width}{s})"));
                    self.fetched.push("r0");
                }
            }
        } else if k < 85 {
            let bytes = self.rng.pick(&[1, 2, 4, 8, 8]);
            let d = self.rng.pick(&["r2", "r3", "r4"]);
            let w = if bytes == 8 { "r" } else { "w" };
            self.emit(format!(
                "{w}{} = load_acquire((u{} *)({at}))",
                &d[1..],
                bytes * 8
            ));
            self.fetched.push(d);
        } else {
            let bytes = self.rng.pick(&[1, 2, 4, 8, 8]);
            self.operand(src);
            let w = if bytes == 8 { "r" } else { "w" };
            self.emit(format!(
                "store_release((u{} *)({at}), {w}{})",
                bytes * 8,
                &src[1..]
            ));
        }
    }

    /// An offset for an atomic on `mem`: mostly inside and 8-byte aligned, a fifth of the time
    /// near or past an edge, or misaligned.
    fn offset(&mut self, mem: Mem) -> i64 {
        let edge = self.rng.chance(20);
        match mem {
            Mem::Fp if edge => self.rng.pick(&[-4, -12, -28, 0, 8, -36, -516, -513, -2]),
            Mem::Fp => -8 * self.rng.range(1, 4),
            Mem::FpCopy | Mem::FpVar if edge => self.rng.pick(&[-4, 4, 24, 16, -3, 2]),
            Mem::FpCopy | Mem::FpVar => self.rng.pick(&[0, -8, -16, 8]),
            Mem::Value(map, ..) => {
                let vsz = DATA_MAPS[map].2;
                if edge {
                    self.rng.pick(&[vsz - 4, vsz, -8, -4, 4, 12, 6, 1])
                } else {
                    8 * self.rng.range(0, vsz / 8 - 1)
                }
            }
            Mem::Ringbuf if edge => self.rng.pick(&[4, 12, 16, 2]),
            Mem::Ringbuf => self.rng.pick(&[0, 8]),
            Mem::Pkt | Mem::Ctx => self.rng.pick(&[0, 4, 8, 16]),
            Mem::Callee if edge => self.rng.pick(&[4, 12, 32, -8, 28, 2]),
            Mem::Callee => 8 * self.rng.range(0, 3),
        }
    }

    /// The use of a fetched or read-back number in `r`.
    fn use_number(&mut self, r: &str) {
        match self.rng.below(20) {
            0..=15 => {
                // A condition for `bad` that holds for no value this verifier should know of
                // `r` when it is right (a fetched or read-back number of its width, a spilled
                // constant still there), or a random one.
                let (w, cond) = match self.rng.below(8) {
                    0 => ("r", format!("> {}", self.rng.pick(&[0xff, 0xffff]))),
                    1 => {
                        self.emit("r1 = 0xffffffff ll");
                        ("r", "> r1".to_string())
                    }
                    2 | 3 => {
                        let c = self.rng.pick(&VALUES);
                        let c = if i32::try_from(c).is_ok() { c } else { 1 << 29 };
                        let w = if self.rng.chance(30) { "w" } else { "r" };
                        (w, format!("!= {c}"))
                    }
                    4 => ("r", "s< 0".to_string()),
                    5 => (
                        "w",
                        format!("> {}", self.rng.pick(&[0xff, 0xffff, 0x7fff_ffff])),
                    ),
                    _ => {
                        let w = if self.rng.chance(40) { "w" } else { "r" };
                        let op = self
                            .rng
                            .pick(&[">", ">=", "<", "<=", "s>", "s<", "==", "!=", "&"]);
                        let c = self.rng.pick(&VALUES);
                        let c = if i32::try_from(c).is_ok() { c } else { 1 << 29 };
                        (w, format!("{op} {c}"))
                    }
                };
                self.emit(format!("if {w}{} {cond} goto bad", &r[1..]));
                self.bad = true;
            }
            16..=18 if self.value_in_r7 => {
                let m = self.rng.pick(&[0, 7, 15, 15]);
                if m != 0 {
                    self.emit(format!("{r} &= {m}"));
                }
                self.emit(format!("r1 = r7\nr1 += {r}\nr0 = *(u8 *)(r1 + 0)"));
            }
            _ => {
                let size = self.rng.pick(&[1, 4, 8]);
                self.emit(format!("r0 = *(u{} *)({r} + 0)", size * 8));
            }
        }
    }
}

fn program(rng: &mut Rng) -> String {
    let mut g = Gen {
        rng,
        p: String::from("r9 = r1\n"),
        label: 0,
        fetched: Vec::new(),
        value_in_r7: false,
        bad: false,
    };
    // `out` is always reachable (the kernel refuses unreachable instructions).
    g.emit("r0 = *(u32 *)(r9 + 12)\nif r0 == 77 goto out");
    g.scalars();
    // A NULL-checked map value in r7 for the uses (now and then).
    if g.rng.chance(30) {
        g.lookup(0, true);
        g.emit("r7 = r0");
        g.value_in_r7 = true;
    }
    let mem = match g.rng.below(22) {
        0..=4 => Mem::Fp,
        5..=7 => Mem::FpCopy,
        8 => Mem::FpVar,
        9..=15 => {
            let map = g.rng.below(DATA_MAPS.len() as u64) as usize;
            let check = g.rng.chance(92);
            let var = g.rng.chance(30);
            Mem::Value(map, check, var)
        }
        16 | 17 => Mem::Ringbuf,
        18 => Mem::Pkt,
        19 => Mem::Ctx,
        _ => Mem::Callee,
    };
    g.emit("r8 = r10");
    g.base(mem);
    for off in [8, 16, 24, 32] {
        if g.rng.chance(70) {
            g.slot(off);
        }
    }
    if g.rng.chance(10) {
        // A helper call between: r1..r5 unwritten after it.
        g.emit("call bpf_get_prandom_u32");
    }
    let n = 1 + g.rng.below(3);
    // The subprogram `f` (Mem::Callee): the atomics on the caller's stack through `r1`, its
    // last fetched number returned.
    let mut sub = String::new();
    if mem == Mem::Callee {
        g.emit("r1 = r10\nr1 += -32\nr2 = r6\ncall f");
        let main = std::mem::take(&mut g.p);
        let fetched = std::mem::take(&mut g.fetched);
        g.emit("f:\nr8 = r1\nr9 = r1\nr6 = r2\nr7 = r2");
        for _ in 0..n {
            let off = g.offset(Mem::Callee);
            g.atomic("r8", off);
        }
        let ret = g.fetched.last().copied().unwrap_or("0");
        g.emit(format!("r0 = {ret}\nexit"));
        sub = std::mem::replace(&mut g.p, main);
        g.fetched = fetched;
        g.fetched.push("r0");
    }
    for _ in 0..if mem == Mem::Callee { 0 } else { n } {
        let (base, off) = if mem == Mem::Fp || g.rng.chance(15) {
            ("r10", g.offset(Mem::Fp))
        } else {
            ("r8", g.offset(mem))
        };
        g.atomic(base, off);
        if g.rng.chance(15) {
            // A diamond: one path does one more atomic on the stack.
            let l = g.fresh();
            g.emit(format!("if r6 > 3 goto j{l}"));
            let off = g.offset(Mem::Fp);
            let known = g.fetched.len();
            g.atomic("r10", off);
            if g.rng.chance(80) {
                // Mostly not used after the join (written on one path only).
                g.fetched.truncate(known);
            }
            g.emit(format!("j{l}:"));
        }
    }
    if mem == Mem::Ringbuf {
        g.emit("r1 = r8\nr2 = 0\ncall bpf_ringbuf_submit");
        // The call leaves r0..r5 unwritten (scratch).
        g.fetched.clear();
    }
    // Read back a slot or two at random widths.
    for _ in 0..g.rng.below(3) {
        let size = g.rng.pick(&[1, 2, 4, 8, 8]);
        let off = 8 * g.rng.range(1, 4)
            - if size < 8 {
                g.rng.below(2) as i64 * 4
            } else {
                0
            };
        let d = g.rng.pick(&["r2", "r3", "r4"]);
        g.emit(format!("{d} = *(u{} *)(r10 - {off})", size * 8));
        g.fetched.push(d);
    }
    g.fetched.dedup();
    let uses: Vec<&'static str> = g.fetched.clone();
    for r in uses.into_iter().rev().take(2) {
        g.use_number(r);
    }
    g.emit("r0 = 2\nexit");
    if g.bad {
        g.emit("bad:\nr0 = 7\nr0 = *(u64 *)(r0 + 0)\nexit");
    }
    g.emit("out:\nr0 = 1\nexit");
    g.p.push_str(&sub);
    g.p
}

fn atomics_agree_with_the_kernel() {
    let seed = common::env_num("ATOMIC_FUZZ_SEED").unwrap_or(0xa70_5eed);
    let count = common::env_num("ATOMIC_FUZZ_PROGRAMS").unwrap_or(4000) as usize;
    let mut rng = Rng(seed);
    common::fuzz_against_kernel_with_maps(
        "atomic fuzz",
        "atomicfuzz",
        seed,
        count,
        &maps(),
        || program(&mut rng),
    );
}

kernel_tests! {
    privileged: [
        atomics_agree_with_the_kernel,
    ],
}
