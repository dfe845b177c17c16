//! A differential fuzzer for the USES of pointers whose variable offset reaches 2^29: since
//! the exactness walk (`ebpf_dsl::verifier::exact`, target 6.18) accepts `pointer += scalar`
//! when the scalar's bounds are exactly the kernel's and its minimum is below 2^29, pointers
//! whose variable offset spans up to 2^32 (a map value plus a `u32`) are reachable in accepted
//! programs. Each program here makes one such pointer of a kind the program type allows (a map
//! value of an array / hash / per-CPU array / read-only array / array in a map of maps, the
//! packet before and after its `data_end` check, the packet's metadata, the stack, the context, a ring buffer record)
//! plus an offset the kernel knows exactly (a `u32` of the context or of a helper, masked,
//! shifted, plus constants near 2^29, 2^30, 2^31, 2^32 - 1; added in one or several steps,
//! negative constants after), then uses it: loads and stores of each size at constant offsets
//! (also after a packet range check), atomics, comparisons with 0 / `data_end` / the base /
//! another pointer (every jump op, 64 and 32 bits, with a refused instruction on one side so
//! that a branch decided differently shows), `pointer - pointer`, more `+=` / `-=`, 32-bit ALU,
//! copies, spills and fills (8 bytes and narrow), `bpf_loop` callbacks, static and global
//! subprograms, helper arguments (map keys and values, `csum_diff`, `ringbuf_output`,
//! `skb_load_bytes` / `xdp_load_bytes`, `probe_read_kernel`) and returning it.
//!
//! The kernel's verdict (`BPF_PROG_LOAD` as root) is the ground truth: the test fails on any
//! program the static verifier (targeting the running kernel) accepts and the kernel refuses;
//! false rejects are counted and their causes printed. Needs root; skips with a message
//! otherwise unless `CI=true`.
//!
//! `BIGPTR_FUZZ_SEED=n BIGPTR_FUZZ_PROGRAMS=m` explores other programs (default 2,000);
//! `FUZZ_SHOW_REJECTS=k` prints `k` false rejects a row; `FUZZ_REASONS=1` tallies the kernel's
//! reasons for the programs it refuses; `FUZZ_SHOW_KERNEL=text` prints three programs it refuses
//! with `text` in its log, with the log.

use xsk_testkit::kernel_tests;

mod common;
use common::{Rng, Row};

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use ebpf_dsl::asm::{assemble_unchecked, Assembled};
use ebpf_dsl::verifier::{verify, KernelVersion, VerifyInput};

/// The phrase of this verifier's 2^29 doubt (`ebpf_dsl::verifier::exact`).
const TAINT_PHRASE: &str = "the kernel refuses this only if its own minimum is 2^29 or more";
use ebpf_dsl::ProgramType;
use xsk_runtime::program::LoadOptions;
use xsk_runtime::Loader;

const TYPES: [ProgramType; 3] = [
    ProgramType::Xdp,
    ProgramType::SchedCls,
    ProgramType::SocketFilter,
];

/// The maps a program may name: name, `.map` declaration, value size.
const MAPS: [(&str, &str, i64); 8] = [
    ("a8", ".map a8 array key=4 value=8 max_entries=1", 8),
    ("a64", ".map a64 array key=4 value=64 max_entries=4", 64),
    ("a4k", ".map a4k array key=4 value=4096 max_entries=1", 4096),
    ("h16", ".map h16 hash key=8 value=16 max_entries=4", 16),
    (
        "pc32",
        ".map pc32 percpu_array key=4 value=32 max_entries=1",
        32,
    ),
    (
        "ro",
        ".map ro array key=4 value=16 max_entries=1 flags=rdonly_prog",
        16,
    ),
    (
        "mm",
        ".map mm array_of_maps key=4 value=4 max_entries=1 inner=array:4:16:1",
        16,
    ),
    ("rb", ".map rb ringbuf key=0 value=0 max_entries=4096", 0),
];

/// Pointer kinds (the rows of the report).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    MapValue,
    ReadOnly,
    InnerMap,
    PktChecked,
    PktUnchecked,
    PktMeta,
    Stack,
    Ctx,
    Ringbuf,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::MapValue,
        Kind::MapValue,
        Kind::ReadOnly,
        Kind::InnerMap,
        Kind::PktChecked,
        Kind::PktUnchecked,
        Kind::PktMeta,
        Kind::Stack,
        Kind::Ctx,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::MapValue => "map value",
            Kind::ReadOnly => "rdonly map value",
            Kind::InnerMap => "inner map value",
            Kind::PktChecked => "packet checked",
            Kind::PktUnchecked => "packet",
            Kind::PktMeta => "packet meta",
            Kind::Stack => "stack",
            Kind::Ctx => "ctx",
            Kind::Ringbuf => "ringbuf record",
        }
    }
}

/// Offsets near the boundaries (added to or held by the scalars).
const BIG: [i64; 16] = [
    0x1fff_ffff,
    0x2000_0000,
    0x1fff_fff0,
    0x1fff_0000,
    0x1000_0000,
    0x3fff_ffff,
    0x4000_0000,
    0x7fff_ffff,
    -0x8000_0000,
    -0x1fff_ffff,
    -0x2000_0000,
    -0x1000_0000,
    0xffff,
    0x10000,
    -1,
    1,
];

/// Masks that leave an offset below 2^29, at it, or beyond.
const MASKS: [i64; 10] = [
    0x1fff_ffff,
    0x3fff_ffff,
    0x7fff_ffff,
    0x2000_00ff,
    0xffff,
    0xfff,
    0x1fff_fff8,
    0x0fff_ffff,
    0x3000_0000,
    0xff,
];

/// A program being written.
struct Gen<'r> {
    rng: &'r mut Rng,
    pt: ProgramType,
    out: String,
    maps: BTreeSet<&'static str>,
    globals: Vec<&'static str>,
    subs: BTreeSet<&'static str>,
    label: u32,
    kind: Kind,
    /// The size of the object the base pointer points to (0 for a packet).
    len: i64,
    /// The labels `bad` (a refused instruction) and `ret` (`exit` with r0 as it is) are used.
    bad: bool,
    ret: bool,
}

impl Gen<'_> {
    fn emit(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }

    fn label(&mut self) -> String {
        self.label += 1;
        format!("l{}", self.label)
    }

    fn map(&mut self, name: &'static str) -> &'static str {
        self.maps.insert(name);
        name
    }

    fn xdp(&self) -> bool {
        self.pt == ProgramType::Xdp
    }

    /// `(data, data_end)` offsets of the context; `(data_meta, data)` for a metadata pointer
    /// (its end is the packet's start).
    fn pkt_offsets(&self) -> (i64, i64) {
        match (self.xdp(), self.kind == Kind::PktMeta) {
            (true, false) => (0, 4),
            (true, true) => (8, 0),
            (false, false) => (76, 80),
            (false, true) => (140, 76),
        }
    }

    /// A packet or metadata pointer.
    fn pkt(&self) -> bool {
        matches!(
            self.kind,
            Kind::PktChecked | Kind::PktUnchecked | Kind::PktMeta
        )
    }

    /// A u32 the kernel knows nothing of (exactly `0..=u32::MAX` to it), into `r`.
    fn u32_source(&mut self, r: &str) {
        let n = &r[1..];
        // Mostly the context; `bpf_get_prandom_u32`'s number is exact too (wholly unknown to
        // both), a writable map value's bytes as well.
        match self.rng.below(8) {
            0..=6 => {
                let off = if self.xdp() {
                    self.rng.pick(&[12, 16])
                } else {
                    self.rng.pick(&[0, 8])
                };
                self.emit(format!("{r} = *(u32 *)(r6 + {off})"));
            }
            7 if self.rng.chance(50) => {
                // A word of a (writable) map value: unknown bytes.
                self.map("a64");
                self.emit("r2 = r10\nr2 += -24\nr1 = a64 ll\ncall bpf_map_lookup_elem");
                self.emit("if r0 == 0 goto out");
                let (sz, off) = self
                    .rng
                    .pick(&[("u32", 0), ("u32", 4), ("u64", 8), ("u16", 2)]);
                self.emit(format!("{r} = *({sz} *)(r0 + {off})"));
            }
            _ => {
                self.emit("call bpf_get_prandom_u32");
                self.emit(format!("w{n} = w0"));
            }
        }
    }

    /// An offset the kernel knows exactly, into `r` (`r7` or `r8`): from a u32, masked,
    /// shifted, plus a constant; or a constant.
    fn offset(&mut self, r: &str) {
        let n = &r[1..];
        match self.rng.below(10) {
            0 => {
                let k = self.rng.pick(&BIG);
                self.emit(format!("{r} = {k} ll"));
            }
            1 => {
                let k = self.rng.pick(&[0xffff_ffffi64, 0x8000_0000, 0x1_0000_0000]);
                self.emit(format!("{r} = {k} ll"));
            }
            _ => {
                self.u32_source(r);
                for _ in 0..self.rng.below(3) {
                    match self.rng.below(9) {
                        6 => {
                            // A bound by a comparison (the marks walk lifts the doubt after
                            // one only where it mirrors the kernel's refinement).
                            let op = self.rng.pick(&[">", ">=", "<", "s>", "=="]);
                            let k = self.rng.pick(&MASKS);
                            self.emit(format!("if {r} {op} {k} goto out"));
                        }
                        7 => self.emit(format!("w{n} = w{n}")),
                        8 => {
                            let op = self.rng.pick(&["be32", "le32", "be16"]);
                            self.emit(format!("{r} = {op} {r}"));
                        }
                        0 | 1 => {
                            let m = self.rng.pick(&MASKS);
                            self.emit(format!("{r} &= {m}"));
                        }
                        2 => {
                            self.emit(format!("{r} &= 0xffff"));
                            let k = self.rng.pick(&[3, 12, 13, 14, 15, 16]);
                            self.emit(format!("{r} <<= {k}"));
                        }
                        3 => {
                            let k = self.rng.pick(&[1, 2, 3, 4, 8]);
                            self.emit(format!("{r} >>= {k}"));
                        }
                        4 => {
                            let k = self.rng.pick(&BIG);
                            self.emit(format!("{r} += {k}"));
                        }
                        _ => {
                            let k = self.rng.pick(&[0x1000_0000i64, 0x2000_0000, 1]);
                            self.emit(format!("w{n} |= {k}"));
                        }
                    }
                }
            }
        }
    }

    /// The base pointer of `self.kind` into `r9` (its size into `self.len`); paths without
    /// one go to `out`.
    fn base(&mut self) {
        let lookup = |g: &mut Gen, map: &str| {
            g.emit("r2 = r10\nr2 += -24");
            g.emit(format!("r1 = {map} ll"));
            g.emit("call bpf_map_lookup_elem");
            g.emit("if r0 == 0 goto out");
        };
        match self.kind {
            Kind::MapValue => {
                let (name, _, len) = self.rng.pick(&MAPS[..5]);
                self.map(name);
                lookup(self, name);
                self.emit("r9 = r0");
                self.len = len;
            }
            Kind::ReadOnly => {
                self.map("ro");
                lookup(self, "ro");
                self.emit("r9 = r0");
                self.len = 16;
            }
            Kind::InnerMap => {
                self.map("mm");
                lookup(self, "mm");
                self.emit("r1 = r0");
                self.emit("r2 = r10\nr2 += -24");
                self.emit("call bpf_map_lookup_elem");
                self.emit("if r0 == 0 goto out");
                self.emit("r9 = r0");
                self.len = 16;
            }
            Kind::PktChecked | Kind::PktUnchecked | Kind::PktMeta => {
                let (data, end) = self.pkt_offsets();
                self.emit(format!("r9 = *(u32 *)(r6 + {data})"));
                self.emit(format!("r5 = *(u32 *)(r6 + {end})"));
                if self.kind == Kind::PktChecked {
                    let n = self.rng.pick(&[8, 14, 64]);
                    self.emit(format!("r3 = r9\nr3 += {n}\nif r3 > r5 goto out"));
                    self.len = n;
                }
            }
            Kind::Stack => {
                let b = self.rng.pick(&[-64, -128, -512]);
                self.emit(format!("r9 = r10\nr9 += {b}"));
                self.len = -b;
            }
            Kind::Ctx => {
                self.emit("r9 = r6");
                self.len = if self.xdp() { 24 } else { 192 };
            }
            Kind::Ringbuf => {
                self.map("rb");
                let n = self.rng.pick(&[16, 64]);
                self.emit(format!("r1 = rb ll\nr2 = {n}\nr3 = 0"));
                self.emit("call bpf_ringbuf_reserve");
                self.emit("if r0 == 0 goto out");
                self.emit("r9 = r0");
                self.len = n;
            }
        }
    }

    /// `r5 = data_end` again (calls clobber it) for packet kinds.
    fn reload_end(&mut self) {
        if self.pkt() {
            let (_, end) = self.pkt_offsets();
            self.emit(format!("r5 = *(u32 *)(r6 + {end})"));
        }
    }

    /// A constant offset for an access of `w` bytes: inside the object, at its end, past it,
    /// negative.
    fn access_off(&mut self, w: i64) -> i64 {
        match self.rng.below(6) {
            0 | 1 => 0,
            2 => (self.len - w).max(0),
            3 => self.rng.pick(&[1, 4, 7, 8, 60]),
            4 => self.rng.pick(&[-1, -8, -64]),
            _ => self.rng.pick(&[0x7ff8, -0x7ff8, 32767, -32768]),
        }
    }

    /// A load, store or atomic through `p`.
    fn access(&mut self, p: &str) {
        let (sz, w) = self
            .rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)]);
        let off = self.access_off(w);
        let at = if off < 0 {
            format!("({p} - {})", -off)
        } else {
            format!("({p} + {off})")
        };
        match self.rng.below(5) {
            0 | 1 => self.emit(format!("r0 = *({sz} *){at}")),
            2 => self.emit(format!("*({sz} *){at} = 7")),
            3 => self.emit(format!("r1 = 1\n*({sz} *){at} = r1")),
            _ => {
                let (sz, r) = self.rng.pick(&[("u32", "w1"), ("u64", "r1")]);
                self.emit("r1 = 1");
                match self.rng.below(3) {
                    0 => self.emit(format!("lock *({sz} *){at} += {r}")),
                    1 => self.emit(format!("{r} = atomic_fetch_add(({sz} *){at}, {r})")),
                    _ => {
                        let x = if sz == "u32" { "xchg32_32" } else { "xchg_64" };
                        self.emit(format!("{r} = {x}({}, {r})", &at[1..at.len() - 1]));
                    }
                }
            }
        }
    }

    /// A packet range check `if p + n > data_end goto done`, then an access within it.
    fn pkt_range_access(&mut self, p: &str) {
        self.reload_end();
        let n = self.rng.pick(&[1, 4, 8, 14]);
        let op = self.rng.pick(&[">", ">=", "s>"]);
        self.emit(format!("r3 = {p}\nr3 += {n}\nif r3 {op} r5 goto done"));
        let (sz, w) = self.rng.pick(&[("u8", 1), ("u32", 4), ("u64", 8)]);
        let off = (n - w).max(0);
        self.emit(format!("r0 = *({sz} *)({p} + {off})"));
    }

    /// A comparison of `p` with something; one side goes on, the other side is `done` or
    /// `bad` (a refused instruction, so a side the kernel walks and this verifier does not
    /// shows).
    fn compare(&mut self, p: &str) {
        let n = &p[1..];
        let op = self.rng.pick(&[
            "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&",
        ]);
        let w = if self.rng.chance(20) { "w" } else { "r" };
        let rhs = match self.rng.below(6) {
            0 | 1 => "0".to_string(),
            2 => {
                self.emit("r3 = r9");
                format!("{w}3")
            }
            3 if self.pkt() => {
                self.reload_end();
                format!("{w}5")
            }
            3 | 4 => {
                let k = self.rng.pick(&[8, -8, 0x1fff_ffff, 0x2000_0000]);
                self.emit(format!("r3 = r9\nr3 += {k}"));
                format!("{w}3")
            }
            _ => {
                self.emit("r3 = r10");
                format!("{w}3")
            }
        };
        let target = if self.rng.chance(50) {
            self.bad = true;
            "bad"
        } else {
            "done"
        };
        self.emit(format!("if {w}{n} {op} {rhs} goto {target}"));
        if self.rng.chance(30) {
            // The other side refused instead.
            let l = self.label();
            self.emit(format!("goto {l}"));
            self.emit(format!("{l}:"));
        }
    }

    /// One use of the working pointer `r7`.
    fn use_ptr(&mut self) {
        let p = "r7";
        match self.rng.below(30) {
            27 => {
                // The pointer stored into memory (a map value, the stack), read back.
                let (at, back) = if self.rng.chance(50) && self.kind != Kind::ReadOnly {
                    ("(r9 + 0)", true)
                } else {
                    ("(r10 - 40)", true)
                };
                self.emit(format!("*(u64 *){at} = r7"));
                if back {
                    self.emit(format!("r7 = *(u64 *){at}"));
                }
            }
            28 => {
                // A negative unknown offset, or a number register compared with the pointer.
                if self.rng.chance(50) {
                    self.emit("r3 = r8\nr3 &= 0xff\nr4 = 0\nr4 -= r3\nr7 += r4");
                } else {
                    let op = self.rng.pick(&[">", "<", "==", "s>", "!="]);
                    self.emit(format!("if r7 {op} r8 goto bad"));
                    self.bad = true;
                }
            }
            29 => {
                // The offset taken back out with another copy of it.
                self.emit("r7 -= r8");
            }
            22 => {
                // A diamond on an unknown number: one side moves or replaces the pointer.
                let (l, j) = (self.label(), self.label());
                self.emit(format!("call bpf_get_prandom_u32\nif r0 > 7 goto {l}"));
                let other = self.rng.pick(&[
                    "r7 += 8",
                    "r7 = r9",
                    "r7 += r8",
                    "r7 += -8",
                    "r0 = r9\nr0 += 1\nr7 = r0",
                ]);
                self.emit(format!("{other}\ngoto {j}\n{l}:"));
                if self.rng.chance(50) {
                    self.emit("r7 += 0");
                }
                self.emit(format!("{j}:"));
                self.reload_end();
            }
            23 => {
                // A small loop moving the pointer by a constant.
                let (l, k) = (self.label(), self.rng.pick(&[1, 8, -8, 0x1000_0000]));
                let n = 1 + self.rng.below(3);
                self.emit(format!(
                    "r1 = 0\n{l}:\nr7 += {k}\nr1 += 1\nif r1 < {n} goto {l}"
                ));
            }
            24 => {
                // A comparison whose both sides go on.
                let (l, j) = (self.label(), self.label());
                let op = self.rng.pick(&["==", "!=", ">", "<", "s>", "s<="]);
                let rhs = if self.pkt() && self.rng.chance(50) {
                    "r5"
                } else {
                    self.emit("r3 = r9");
                    "r3"
                };
                self.emit(format!("if r7 {op} {rhs} goto {l}"));
                self.access(p);
                self.emit(format!("goto {j}\n{l}:"));
                self.access(p);
                self.emit(format!("{j}:"));
            }
            25 => {
                // `scalar += pointer`.
                self.emit("r4 = r8\nr4 &= 0xff\nr4 += r7\nr7 = r4");
            }
            26 if self.pkt() => {
                // The pointer itself against data_end, then an access.
                self.reload_end();
                let op = self.rng.pick(&[">", ">=", "<", "<="]);
                self.emit(format!("if r7 {op} r5 goto done"));
                self.access(p);
            }
            0..=3 | 26 => self.access(p),
            4 if self.pkt() => self.pkt_range_access(p),
            4..=7 => self.compare(p),
            8 => {
                // pointer - pointer, then the number used.
                if self.rng.chance(50) {
                    self.emit("r3 = r7\nr3 -= r9");
                } else {
                    self.emit("r3 = r9\nr3 -= r7");
                }
                match self.rng.below(3) {
                    0 => self.emit("if r3 > 100 goto done"),
                    1 => self.emit("r3 &= 7\nr7 = r9\nr7 += r3"),
                    _ => self.emit("r0 = r3"),
                }
            }
            9 => {
                let (op, k) = self.rng.pick(&[
                    ("+=", -1i64),
                    ("+=", -8),
                    ("-=", 8),
                    ("+=", 8),
                    ("-=", -8),
                    ("+=", -0x1fff_ffff),
                    ("-=", 0x1fff_ffff),
                    ("+=", 0x1fff_ffff),
                    ("-=", 0x1000_0000),
                    ("+=", 0x2000_0000),
                ]);
                self.emit(format!("r7 {op} {k}"));
            }
            10 => {
                // More unknown offsets (r8 is a scalar).
                let op = self.rng.pick(&["+=", "-="]);
                if self.rng.chance(50) {
                    self.emit("r8 &= 0xff");
                }
                self.emit(format!("r7 {op} r8"));
            }
            11 => {
                let op = self.rng.pick(&["+=", "-=", "&=", "|="]);
                self.emit(format!("w7 {op} 1"));
            }
            12 => {
                // A copy, used in its place now and then (linked ids for packets).
                self.emit("r4 = r7");
                if self.rng.chance(50) {
                    self.emit("r4 += 8");
                }
                self.emit("r7 = r4");
            }
            13 => {
                let off = self.rng.pick(&[8, 16]);
                match self.rng.below(3) {
                    0 | 1 => self.emit(format!(
                        "*(u64 *)(r10 - {off}) = r7\nr7 = *(u64 *)(r10 - {off})"
                    )),
                    _ => {
                        let (a, b) =
                            self.rng
                                .pick(&[("u32", "u32"), ("u32", "u64"), ("u64", "u32")]);
                        self.emit(format!(
                            "*({a} *)(r10 - {off}) = r7\nr7 = *({b} *)(r10 - {off})"
                        ));
                    }
                }
            }
            14 => {
                // Through a bpf_loop callback: spilled, the callback reads it back.
                self.emit("*(u64 *)(r10 - 8) = r7");
                self.emit("r1 = 1\nr2 = cb ll\nr3 = r10\nr3 += -8\nr4 = 0\ncall bpf_loop");
                self.subs.insert("cb");
                self.reload_end();
            }
            15 => {
                self.emit("r1 = r7");
                let sub = self.rng.pick(&["sub_access", "sub_cmp", "sub_ret", "g"]);
                if sub == "g" {
                    self.globals.push("g");
                }
                self.subs.insert(sub);
                self.emit(format!("call {sub}"));
                if sub == "sub_ret" {
                    self.emit("r7 = r0");
                }
                self.reload_end();
            }
            16..=19 => self.helper_arg(),
            20 => {
                self.ret = true;
                // The other side of an unknown branch goes on, so `done` stays reachable.
                self.emit("call bpf_get_prandom_u32\nif r0 == 0 goto done\nr0 = r7\ngoto ret");
            }
            _ => self.access(p),
        }
    }

    /// `r7` as a helper's memory argument.
    fn helper_arg(&mut self) {
        match self.rng.below(7) {
            0 => {
                let m = self.map("h16");
                self.emit(format!("r1 = {m} ll\nr2 = r7\ncall bpf_map_lookup_elem"));
            }
            1 => {
                let m = self.map("a8");
                self.emit(format!(
                    "r1 = {m} ll\nr2 = r10\nr2 += -24\nr3 = r7\nr4 = 0\ncall bpf_map_update_elem"
                ));
            }
            2 => {
                let n = self.rng.pick(&[4, 8]);
                self.emit(format!(
                    "r1 = r7\nr2 = {n}\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff"
                ));
            }
            3 => {
                let m = self.map("rb");
                let n = self.rng.pick(&[1, 8]);
                self.emit(format!(
                    "r1 = {m} ll\nr2 = r7\nr3 = {n}\nr4 = 0\ncall bpf_ringbuf_output"
                ));
            }
            4 => {
                let f = if self.xdp() {
                    "bpf_xdp_load_bytes"
                } else {
                    "bpf_skb_load_bytes"
                };
                self.emit(format!("r1 = r6\nr2 = 0\nr3 = r7\nr4 = 4\ncall {f}"));
            }
            5 => {
                let n = self.rng.pick(&[1, 8]);
                self.emit(format!(
                    "r1 = r7\nr2 = {n}\nr3 = 0\ncall bpf_probe_read_kernel"
                ));
            }
            _ => {
                // A variable size (r8 bounded).
                self.emit("r2 = r8\nr2 &= 7\nr1 = r7\nr3 = 0\ncall bpf_probe_read_kernel");
            }
        }
        self.reload_end();
    }

    /// The finished text.
    fn finish(mut self) -> String {
        let mut s = String::new();
        for (name, decl, _) in MAPS {
            if self.maps.contains(name) {
                s.push_str(decl);
                s.push('\n');
            }
        }
        if !self.globals.is_empty() {
            s.push_str(".global_func g(mem 8)\n");
        }
        s.push_str(&self.out);
        let subs = std::mem::take(&mut self.subs);
        for sub in subs {
            let body = match sub {
                "cb" => "cb:\nr1 = *(u64 *)(r2 + 0)\nr0 = *(u8 *)(r1 + 0)\nr0 = 0\nexit",
                "sub_access" => "sub_access:\nr0 = *(u8 *)(r1 + 0)\nexit",
                "sub_cmp" => "sub_cmp:\nr0 = 0\nif r1 != 0 goto sub_cmp_out\nr0 = *(u8 *)(r0 + 0)\nsub_cmp_out:\nexit",
                "sub_ret" => "sub_ret:\nr0 = r1\nr0 += 1\nexit",
                _ => "g:\nr0 = 0\nexit",
            };
            s.push_str(body);
            s.push('\n');
        }
        s
    }
}

/// One program of `kind` for `pt`.
fn program(rng: &mut Rng, pt: ProgramType, kind: Kind) -> String {
    let mut g = Gen {
        rng,
        pt,
        out: String::new(),
        maps: BTreeSet::new(),
        globals: Vec::new(),
        subs: BTreeSet::new(),
        label: 0,
        kind,
        len: 0,
        bad: false,
        ret: false,
    };
    g.emit("r6 = r1");
    for off in [8, 16, 24, 32] {
        g.emit(format!("*(u64 *)(r10 - {off}) = 0"));
    }
    g.offset("r7");
    if g.rng.chance(50) {
        g.offset("r8");
    } else {
        g.emit("r8 = 0");
    }
    g.base();
    // The working pointer: the base plus the offset, in one or several steps.
    g.emit("r4 = r9");
    match g.rng.below(6) {
        0 => {
            g.emit("r4 += r7\nr4 += r8");
        }
        1 => {
            let k = g.rng.pick(&BIG);
            g.emit(format!("r4 += r7\nr4 += {k}"));
        }
        2 => {
            let k = g.rng.pick(&[-8, -1, -0x1fff_ffff, -0x1000_0000, 16]);
            g.emit(format!("r4 += {k}\nr4 += r7"));
        }
        3 => {
            g.emit("r4 -= r7");
        }
        _ => g.emit("r4 += r7"),
    }
    g.emit("r7 = r4");
    for _ in 0..1 + g.rng.below(3) {
        g.use_ptr();
        if g.ret {
            break;
        }
    }
    g.emit("done:");
    if kind == Kind::Ringbuf {
        g.emit("r1 = r9\nr2 = 0\ncall bpf_ringbuf_discard");
    }
    g.emit("out:\nr0 = 0\nexit");
    if g.bad {
        g.emit("bad:\nr1 = 0\nr0 = *(u8 *)(r1 + 0)\nexit");
    }
    if g.ret {
        g.emit("ret:\nexit");
    }
    g.finish()
}

/// The kernel's verdict (the loader creates the declared maps; globals declared).
fn kernel(pt: ProgramType, a: &Assembled, src: &str) -> Result<(), String> {
    let spec = a
        .clone()
        .into_program_spec("bigptr", pt, "GPL", a.maps.clone());
    let opts = LoadOptions {
        globals: a.globals.clone(),
        ..Default::default()
    };
    common::verdict(
        Loader::new()
            .data(a.data.clone())
            .program_with(spec, opts)
            .load(),
        src,
    )
}

fn big_offset_pointers_agree_with_the_kernel() {
    let seed = common::env_num("BIGPTR_FUZZ_SEED").unwrap_or(0x2_0000_0b19);
    let count = common::env_num("BIGPTR_FUZZ_PROGRAMS").unwrap_or(2000) as usize;
    let show = common::env_num("FUZZ_SHOW_REJECTS").unwrap_or(0) as usize;
    let running = common::running_kernel();
    let mut rng = Rng(seed);
    let start = Instant::now();
    let mut rows: BTreeMap<(Kind, &'static str), Row> = BTreeMap::new();
    let (mut via_walk, mut via_walk_kernel_ok) = (0usize, 0usize);
    // `FUZZ_REASONS=1`: the kernel's reasons for the programs it refuses.
    let tally = common::env_num("FUZZ_REASONS").is_some_and(|n| n != 0);
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    // `FUZZ_SHOW_KERNEL=text`: three programs the kernel refuses with `text` in its log.
    let (show_kernel, mut shown) = (std::env::var("FUZZ_SHOW_KERNEL").ok(), 0);
    for i in 0..count {
        let pt = rng.pick(&TYPES);
        let mut kind = if rng.chance(12) {
            Kind::Ringbuf
        } else {
            rng.pick(&Kind::ALL)
        };
        if pt == ProgramType::SocketFilter
            && matches!(kind, Kind::PktChecked | Kind::PktUnchecked | Kind::PktMeta)
        {
            kind = Kind::MapValue;
        }
        let src = program(&mut rng, pt, kind);
        let a = assemble_unchecked(&src)
            .unwrap_or_else(|d| panic!("generated program does not assemble: {d:?}\n{src}"));
        let ours = verify(
            &VerifyInput::new(&a.insns, pt)
                .with_maps(&a.relocations, &a.maps)
                .with_globals(&a.globals)
                .with_data(&a.data)
                .with_kernel(running)
                .with_unavailable_helpers(common::running_unavailable(pt)),
        );
        let kernel = kernel(pt, &a, &src);
        // Accepted by us only through the exactness walk: refused for the 2^29 doubt when
        // verified for 6.17 (which has no such walk).
        if ours.is_ok() {
            let older = verify(
                &VerifyInput::new(&a.insns, pt)
                    .with_maps(&a.relocations, &a.maps)
                    .with_globals(&a.globals)
                    .with_data(&a.data)
                    .with_kernel(KernelVersion::new(6, 17)),
            );
            if older.is_err_and(|e| e.iter().any(|e| e.message.contains(TAINT_PHRASE))) {
                via_walk += 1;
                via_walk_kernel_ok += usize::from(kernel.is_ok());
            }
        }
        if let (true, Err(log)) = (tally, &kernel) {
            let why = log
                .lines()
                .rev()
                .find(|l| !l.is_empty() && !l.starts_with("processed "))
                .unwrap_or("");
            let key: String = why
                .chars()
                .map(|c| if c.is_ascii_digit() { '#' } else { c })
                .collect();
            *reasons.entry(key).or_insert(0usize) += 1;
        }
        if let (Some(text), Err(log)) = (&show_kernel, &kernel) {
            if shown < 3 && log.contains(text.as_str()) {
                shown += 1;
                println!("kernel refuses #{i}\n{src}{log}");
            }
        }
        let row = rows.entry((kind, pt.name())).or_default();
        row.programs += 1;
        let head = || format!("--- {} program #{i} ({})\n{src}", pt.name(), kind.name());
        match (&ours, &kernel) {
            (Ok(_), Ok(())) => row.acc_acc += 1,
            (Err(_), Err(_)) => row.rej_rej += 1,
            (Ok(_), Err(log)) => row
                .false_accept
                .push(common::case_text(head(), None, Some(log))),
            (Err(e), Ok(())) => {
                row.false_reject
                    .push(common::case_text(head(), Some(e[0].to_string()), None))
            }
        }
    }
    let mut reasons: Vec<_> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (why, n) in reasons.iter().take(40) {
        println!("{n:>6}  {why}");
    }
    common::print_false_reject_causes(rows.values());
    println!(
        "big-offset pointer fuzz (seed {seed:#x}, {count} programs, {:.1?}):",
        start.elapsed()
    );
    let (fa, _, _) = common::print_rows(
        18,
        rows.iter().map(|((k, t), r)| (k.name().to_string(), *t, r)),
    );
    println!(
        "accepted by this verifier only through the exactness walk: {via_walk} ({via_walk_kernel_ok} of them accepted by the kernel)"
    );
    common::print_disagreements(rows.values(), show);
    assert_eq!(
        fa, 0,
        "the static verifier accepted {fa} programs the kernel rejects"
    );
}

kernel_tests! {
    privileged: [big_offset_pointers_agree_with_the_kernel],
}
