//! Differential test of the VM (`ebpf_dsl::vm`) against the running kernel's
//! `BPF_PROG_TEST_RUN`.
//!
//! A seeded generator writes XDP programs that exercise what the VM must get exactly right:
//! every ALU operation in 32 and 64 bits (division and modulo by registers that may be zero,
//! shifts by registers, signed division, sign-extending moves and loads, byte swaps), packet
//! loads and stores after bounds checks, stack spills, array and hash maps (lookups, updates
//! with every flag, deletes, full maps, atomics incl. fetch, xchg and cmpxchg on map values,
//! an LPM trie: longest-prefix lookups, updates and deletes of overlapping prefixes),
//! `ld_imm64` of a map value, bpf-to-bpf calls, `bpf_xdp_adjust_head/tail/meta`,
//! `bpf_csum_diff`, the context fields, and conditional jumps in both widths; and tc
//! classifiers doing the same through `__sk_buff` (context reads and writes,
//! `bpf_l3/l4_csum_replace`, `bpf_skb_store_bytes`, `bpf_skb_load_bytes`). Every program the
//! kernel loads runs on several random packets in both; the return value, the output packet
//! (metadata included) and every map's contents must be identical after each run. The seed
//! programs of `ebpf_dsl::seeds` run too.
//!
//! The generator avoids what legitimately differs: pointer values (the VM's addresses are
//! synthetic) and uninitialised stack (the kernel's holds whatever was there), and the helpers
//! the running kernel withholds from the program type though its release has them (a kernel
//! built or patched without them, e.g. `bpf_xdp_adjust_meta` refused to XDP programs: probed,
//! `common::running_unavailable`): a choice that would call one takes the next choice that
//! does not (or an ALU block), so the kernel's refusals still mean a broken generator, and the
//! output says how many helpers were left out. Needs root; skips with a message otherwise unless
//! `CI=true`.

use xsk_testkit::kernel_tests;

mod common;
use common::*;

use std::borrow::Cow;

use ebpf_dsl::vm::Vm;
use ebpf_dsl::{MapSpec, MapType, ProgramSpec, ProgramType};
use xsk_runtime::Loader;

const SEED: u64 = 0x0076_6d5f_d1ff;
const PROGRAMS: usize = 4000;
const PACKETS_PER_PROGRAM: usize = 4;
/// The bytes every program proves readable after its bounds check.
const N: i64 = 64;

fn maps() -> Vec<MapSpec> {
    vec![
        map_spec("counts", MapType::Array, 4, 16, 16),
        map_spec("flows", MapType::Hash, 8, 8, 4),
        map_spec("result", MapType::Array, 4, 8, 1),
        MapSpec {
            flags: 1, // BPF_F_NO_PREALLOC, required for LPM tries
            ..map_spec("routes", MapType::LpmTrie, 8, 8, 4)
        },
    ]
}

/// Scalar registers (r9 is the accumulator; r3-r5 are reloaded after every call).
const S: [&str; 4] = ["r3", "r4", "r5", "r9"];
const SPILLS: [i64; 5] = [48, 56, 64, 72, 80];

/// The helpers the generator calls from XDP programs.
const XDP_HELPERS: [&str; 7] = [
    "bpf_map_lookup_elem",
    "bpf_map_update_elem",
    "bpf_map_delete_elem",
    "bpf_csum_diff",
    "bpf_xdp_adjust_tail",
    "bpf_xdp_adjust_head",
    "bpf_xdp_adjust_meta",
];
/// The helpers the generator calls from tc classifiers.
const TC_HELPERS: [&str; 8] = [
    "bpf_map_lookup_elem",
    "bpf_map_update_elem",
    "bpf_map_delete_elem",
    "bpf_csum_diff",
    "bpf_l3_csum_replace",
    "bpf_l4_csum_replace",
    "bpf_skb_store_bytes",
    "bpf_skb_load_bytes",
];
/// The map helpers of the array, hash and LPM blocks.
const MAP_HELPERS: [&str; 3] = [
    "bpf_map_lookup_elem",
    "bpf_map_update_elem",
    "bpf_map_delete_elem",
];

struct Gen {
    rng: Rng,
    out: String,
    subs: String,
    label: usize,
    spilled: Vec<i64>,
    /// A tc classifier (`__sk_buff`, skb helpers) instead of XDP.
    tc: bool,
    /// The helpers the running kernel withholds from the program type (probed): never called.
    withheld: &'static [u32],
    /// Choices that would have called a withheld helper and took another.
    filtered: usize,
}

impl Gen {
    fn new(seed: u64, tc: bool, withheld: &'static [u32]) -> Gen {
        Gen {
            rng: Rng(seed),
            out: String::new(),
            subs: String::new(),
            label: 0,
            spilled: Vec::new(),
            tc,
            withheld,
            filtered: 0,
        }
    }

    /// Whether the running kernel offers `helper` to the program type.
    fn offered(&self, helper: &str) -> bool {
        let h = ebpf_dsl::helpers::helper_by_name(helper)
            .unwrap_or_else(|| panic!("the generator calls an unknown helper {helper}"));
        !self.withheld.contains(&h.id)
    }

    /// The helpers of the generator's repertoire the running kernel withholds.
    fn left_out(&self) -> Vec<&'static str> {
        let all: &[&'static str] = if self.tc { &TC_HELPERS } else { &XDP_HELPERS };
        all.iter().copied().filter(|h| !self.offered(h)).collect()
    }

    /// The first of `choices` (each the helpers that choice may call), from the `k`th on and
    /// wrapping round, whose helpers the running kernel all offers; `None` if none. Without
    /// withheld helpers it is `k`, and the random stream is the same as ever.
    fn offered_choice(&mut self, k: u64, choices: &[&[&str]]) -> Option<u64> {
        let n = choices.len() as u64;
        let pick = (0..n)
            .map(|i| (k + i) % n)
            .find(|&c| choices[c as usize].iter().all(|h| self.offered(h)));
        if pick != Some(k) {
            self.filtered += 1;
        }
        pick
    }

    /// `block` if the running kernel offers all of `helpers`, else an ALU block.
    fn with_helpers(&mut self, helpers: &[&str], block: fn(&mut Gen)) {
        if helpers.iter().all(|h| self.offered(h)) {
            block(self)
        } else {
            self.filtered += 1;
            self.alu()
        }
    }

    fn emit(&mut self, s: impl AsRef<str>) {
        self.out.push_str(s.as_ref());
        self.out.push('\n');
    }
    fn label(&mut self) -> String {
        self.label += 1;
        format!("L{}", self.label)
    }
    fn s(&mut self) -> &'static str {
        self.rng.pick(&S)
    }
    fn w(r: &str) -> String {
        r.replacen('r', "w", 1)
    }
    fn imm(&mut self) -> i64 {
        match self.rng.below(4) {
            0 => self.rng.range(-4, 4),
            1 => self.rng.range(i32::MIN as i64, i32::MAX as i64),
            2 => self
                .rng
                .pick(&[0x7fff_ffff, -0x8000_0000, 0xff, 0xffff, -1]),
            _ => self.rng.range(0, 255),
        }
    }

    fn reload_scratch(&mut self) {
        self.emit("r3 = r9");
        self.emit("r3 ^= 0x5a5a");
        let off = self.rng.range(0, N - 8);
        self.emit(format!("r4 = *(u64 *)(r7 + {off})"));
        let off = self.rng.range(0, N - 2);
        self.emit(format!("r5 = *(u16 *)(r7 + {off})"));
    }

    fn bounds(&mut self) {
        let (data, end) = if self.tc { (76, 80) } else { (0, 4) };
        self.emit(format!("r7 = *(u32 *)(r6 + {data})"));
        self.emit(format!("r8 = *(u32 *)(r6 + {end})"));
        self.emit("r2 = r7");
        self.emit(format!("r2 += {N}"));
        self.emit("if r2 > r8 goto out");
    }

    fn alu(&mut self) {
        let dst = self.s();
        let src = self.s();
        let wide = self.rng.chance(60);
        let (d, s) = if wide {
            (dst.to_string(), src.to_string())
        } else {
            (Self::w(dst), Self::w(src))
        };
        match self.rng.below(12) {
            0..=5 => {
                let op = self.rng.pick(&[
                    "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "s/=",
                    "s%=", "=",
                ]);
                let shift = matches!(op, "<<=" | ">>=" | "s>>=");
                let div = matches!(op, "/=" | "%=" | "s/=" | "s%=");
                if self.rng.chance(50) {
                    self.emit(format!("{d} {op} {s}"));
                } else if shift {
                    let max = if wide { 63 } else { 31 };
                    let k = self.rng.range(0, max);
                    self.emit(format!("{d} {op} {k}"));
                } else {
                    let mut k = self.imm();
                    if div && k == 0 {
                        k = 3;
                    }
                    self.emit(format!("{d} {op} {k}"));
                }
            }
            6 => self.emit(format!("{d} = -{d}")),
            7 => {
                let kind = self.rng.pick(&["be", "le", "bswap"]);
                let bits = self.rng.pick(&[16, 32, 64]);
                self.emit(format!("{dst} = {kind}{bits} {dst}"));
            }
            8 => {
                if wide {
                    let bits = self.rng.pick(&[8, 16, 32]);
                    self.emit(format!("{dst} = (s{bits}){src}"));
                } else {
                    let bits = self.rng.pick(&[8, 16]);
                    self.emit(format!("{d} = (s{bits}){s}"));
                }
            }
            9 => {
                let v = self.rng.next() as i64;
                self.emit(format!("{dst} = {v:#x} ll"));
            }
            _ => {
                let v = self.rng.next() as i64;
                self.emit(format!("{dst} = {v} ll"));
                self.emit(format!("{dst} ^= r9"));
            }
        }
        if dst != "r9" && self.rng.chance(50) {
            self.emit(format!("r9 += {dst}"));
        }
    }

    fn packet(&mut self) {
        let (size, n) = self
            .rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)]);
        let off = self.rng.range(0, N - n);
        let r = self.s();
        match self.rng.below(4) {
            0 => self.emit(format!("{r} = *({size} *)(r7 + {off})")),
            1 if n < 8 => {
                let ssize = size.replace('u', "s");
                self.emit(format!("{r} = *({ssize} *)(r7 + {off})"));
            }
            2 => self.emit(format!("*({size} *)(r7 + {off}) = {r}")),
            _ => {
                let k = self.imm();
                self.emit(format!("*({size} *)(r7 + {off}) = {k}"));
            }
        }
    }

    fn stack(&mut self) {
        if !self.spilled.is_empty() && self.rng.chance(50) {
            let slot = self.rng.pick(&self.spilled.clone());
            let r = self.s();
            self.emit(format!("{r} = *(u64 *)(r10 - {slot})"));
        } else {
            let slot = self.rng.pick(&SPILLS);
            let r = self.s();
            self.emit(format!("*(u64 *)(r10 - {slot}) = {r}"));
            if !self.spilled.contains(&slot) {
                self.spilled.push(slot);
            }
        }
    }

    fn array(&mut self) {
        let skip = self.label();
        let r = self.s();
        self.emit(format!("r1 = {r}"));
        self.emit("r1 &= 15");
        self.emit("*(u32 *)(r10 - 8) = r1");
        self.emit("r2 = r10");
        self.emit("r2 += -8");
        self.emit("r1 = counts ll");
        self.emit("call bpf_map_lookup_elem");
        self.emit(format!("if r0 == 0 goto {skip}"));
        let off = self.rng.pick(&[0, 8]);
        match self.rng.below(9) {
            0 => self.emit(format!("r1 = r9\nlock *(u64 *)(r0 + {off}) += r1")),
            1 => {
                let op = self.rng.pick(&["add", "and", "or", "xor"]);
                self.emit(format!(
                    "r1 = r9\nr1 = atomic_fetch_{op}((u64 *)(r0 + {off}), r1)\nr9 ^= r1"
                ));
            }
            2 => {
                let op = self.rng.pick(&["+=", "&=", "|=", "^="]);
                let o = off + self.rng.pick(&[0, 4]);
                self.emit(format!("w1 = w9\nlock *(u32 *)(r0 + {o}) {op} w1"));
            }
            3 => {
                let op = self.rng.pick(&["add", "and", "or", "xor"]);
                self.emit(format!(
                    "w1 = w9\nw1 = atomic_fetch_{op}((u32 *)(r0 + {off}), w1)\nr9 += r1"
                ));
            }
            4 => self.emit(format!("r1 = r9\nr1 = xchg_64(r0 + {off}, r1)\nr9 += r1")),
            5 => {
                let k = self.imm();
                self.emit(format!(
                    "r2 = r0\nr0 = r9\nr0 &= 3\nr1 = {k}\nr0 = cmpxchg_64(r2 + {off}, r0, r1)\nr9 += r0"
                ));
            }
            6 => {
                let k = self.imm();
                self.emit(format!(
                    "r2 = r0\nw0 = w9\nw0 &= 1\nw1 = {k}\nw0 = cmpxchg32_32(r2 + {off}, w0, w1)\nr9 += r0"
                ));
            }
            7 => self.emit(format!("r1 = *(u64 *)(r0 + {off})\nr9 ^= r1")),
            _ => self.emit(format!("*(u64 *)(r0 + {off}) = r9")),
        }
        self.emit(format!("{skip}:"));
        self.reload_scratch();
    }

    fn hash(&mut self) {
        let r = self.s();
        self.emit(format!("r1 = {r}"));
        self.emit("r1 &= 7");
        self.emit("*(u64 *)(r10 - 16) = r1");
        self.emit("r2 = r10");
        self.emit("r2 += -16");
        self.emit("r1 = flows ll");
        match self.rng.below(3) {
            0 => {
                let flags = self.rng.pick(&[0, 1, 2]);
                self.emit("*(u64 *)(r10 - 24) = r9");
                self.emit("r3 = r10");
                self.emit("r3 += -24");
                self.emit(format!("r4 = {flags}"));
                self.emit("call bpf_map_update_elem");
                self.emit("r9 += r0");
            }
            1 => {
                self.emit("call bpf_map_delete_elem");
                self.emit("r9 += r0");
            }
            _ => {
                let skip = self.label();
                self.emit("call bpf_map_lookup_elem");
                self.emit(format!("if r0 == 0 goto {skip}"));
                self.emit("r1 = *(u64 *)(r0 + 0)");
                self.emit("r9 ^= r1");
                self.emit("r1 = 1");
                self.emit("lock *(u64 *)(r0 + 0) += r1");
                self.emit(format!("{skip}:"));
            }
        }
        self.reload_scratch();
    }

    fn lpm(&mut self) {
        let (a, b) = (self.s(), self.s());
        let op = self.rng.below(3);
        if op == 2 {
            self.emit("r1 = 32");
        } else {
            let max = self.rng.pick(&[31, 63]);
            self.emit(format!("r1 = {a}\nr1 &= {max}"));
        }
        self.emit("*(u32 *)(r10 - 16) = r1");
        let mask = self.rng.pick(&[0x0f0f_0303, 0x0300_0101, -1]);
        self.emit(format!("r1 = {b}\nr1 &= {mask}\n*(u32 *)(r10 - 12) = r1"));
        self.emit("r2 = r10\nr2 += -16\nr1 = routes ll");
        match op {
            0 => {
                let flags = self.rng.pick(&[0, 1, 2]);
                self.emit(format!(
                    "*(u64 *)(r10 - 24) = r9\nr3 = r10\nr3 += -24\nr4 = {flags}\ncall bpf_map_update_elem\nr9 += r0"
                ));
            }
            1 => self.emit("call bpf_map_delete_elem\nr9 += r0"),
            _ => {
                let skip = self.label();
                self.emit(format!(
                    "call bpf_map_lookup_elem\nif r0 == 0 goto {skip}\nr1 = *(u64 *)(r0 + 0)\nr9 ^= r1\n{skip}:"
                ));
            }
        }
        self.reload_scratch();
    }

    fn csum(&mut self) {
        self.emit("*(u64 *)(r10 - 32) = r9");
        let from = self.rng.pick(&[0, 4, 8]);
        if from == 0 {
            self.emit("r1 = 0");
        } else {
            self.emit("r1 = r10");
            self.emit("r1 += -32");
        }
        self.emit(format!("r2 = {from}"));
        // The seed first: r3 becomes a pointer below, and pointers differ between the two.
        let seed = self.s();
        self.emit(format!("r5 = {seed}"));
        let to = self.rng.pick(&[4, 8, 12, 20]);
        let off = self.rng.range(0, N - to);
        self.emit("r3 = r7");
        self.emit(format!("r3 += {off}"));
        self.emit(format!("r4 = {to}"));
        self.emit("call bpf_csum_diff");
        self.emit("r9 += r0");
        self.reload_scratch();
    }

    fn branch(&mut self, depth: u32) {
        let skip = self.label();
        let cond = self.rng.pick(&[
            "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&",
        ]);
        let a = self.s();
        let wide = self.rng.chance(50);
        let rhs = if self.rng.chance(50) {
            let b = self.s();
            if wide {
                b.to_string()
            } else {
                Self::w(b)
            }
        } else {
            self.imm().to_string()
        };
        let lhs = if wide { a.to_string() } else { Self::w(a) };
        self.emit(format!("if {lhs} {cond} {rhs} goto {skip}"));
        // A spill in the skipped block may not happen: reading it later would read whatever
        // the kernel's stack held.
        let spilled = self.spilled.clone();
        self.block(depth + 1);
        self.spilled = spilled;
        self.emit(format!("{skip}:"));
    }

    fn call(&mut self) {
        let name = self.label().replace('L', "sub");
        let a = self.s();
        self.emit("r1 = r9");
        self.emit(format!("r2 = {a}"));
        self.emit(format!("call {name}"));
        self.emit("r9 = r0");
        self.reload_scratch();
        let mut body = format!("{name}:\n*(u64 *)(r10 - 8) = r1\nr0 = r2\n");
        for _ in 0..self.rng.range(1, 4) {
            let op = self
                .rng
                .pick(&["+=", "-=", "*=", "/=", "%=", "^=", "s/=", "s%="]);
            let w = self.rng.chance(30);
            let (d, s) = if w { ("w0", "w2") } else { ("r0", "r2") };
            body.push_str(&format!("{d} {op} {s}\n"));
            body.push_str("r2 = *(u64 *)(r10 - 8)\n");
        }
        body.push_str("exit\n");
        self.subs.push_str(&body);
    }

    fn skb_helper(&mut self) {
        let k = self.rng.below(4);
        let csum: &[&str] = &["bpf_l3_csum_replace", "bpf_l4_csum_replace"];
        let choices: [&[&str]; 4] = [
            csum,
            csum,
            &["bpf_skb_store_bytes"],
            &["bpf_skb_load_bytes"],
        ];
        let Some(k) = self.offered_choice(k, &choices) else {
            return self.alu();
        };
        match k {
            0 | 1 => {
                let helper = if self.rng.chance(50) {
                    "bpf_l3_csum_replace"
                } else {
                    "bpf_l4_csum_replace"
                };
                let off = 2 * self.rng.range(0, N / 2 - 1);
                let (from, to) = (self.s(), self.s());
                let mut flags = self.rng.pick(&[0, 2, 4, 2, 4, 3]);
                if helper == "bpf_l4_csum_replace" {
                    flags |= self.rng.pick(&[0, 0x10, 0x20, 0x40, 0x60]);
                }
                self.emit(format!(
                    "r3 = {from}\nr4 = {to}\nr1 = r6\nr2 = {off}\nr5 = {flags}"
                ));
                self.emit(format!("call {helper}"));
            }
            2 => {
                let len = self.rng.pick(&[1, 2, 4, 8]);
                let off = self.rng.range(0, N + 8);
                let flags = self.rng.pick(&[0, 1, 2, 4]);
                self.emit("*(u64 *)(r10 - 32) = r9");
                self.emit(format!(
                    "r1 = r6\nr2 = {off}\nr3 = r10\nr3 += -32\nr4 = {len}\nr5 = {flags}"
                ));
                self.emit("call bpf_skb_store_bytes");
            }
            _ => {
                let off = self.rng.range(0, N + 8);
                self.emit(format!("r1 = r6\nr2 = {off}\nr3 = r10\nr3 += -40\nr4 = 8"));
                self.emit("call bpf_skb_load_bytes");
                self.emit("r1 = *(u64 *)(r10 - 40)");
                self.emit("r9 ^= r1");
            }
        }
        self.emit("r9 += r0");
        self.bounds();
        self.reload_scratch();
    }

    fn adjust(&mut self) {
        if self.tc {
            return self.skb_helper();
        }
        let k = self.rng.below(3);
        let choices: [&[&str]; 3] = [
            &["bpf_xdp_adjust_tail"],
            &["bpf_xdp_adjust_head"],
            &["bpf_xdp_adjust_meta"],
        ];
        let Some(k) = self.offered_choice(k, &choices) else {
            return self.alu();
        };
        match k {
            0 => {
                let d = self.rng.range(-40, 60);
                self.emit(format!("r1 = r6\nr2 = {d}\ncall bpf_xdp_adjust_tail"));
            }
            1 => {
                let d = self.rng.range(-24, 24);
                self.emit(format!("r1 = r6\nr2 = {d}\ncall bpf_xdp_adjust_head"));
            }
            _ => {
                let d = self.rng.pick(&[-8, -4, -3, -36, -40, -252, -256, 4, 0]);
                let skip = self.label();
                self.emit(format!("r1 = r6\nr2 = {d}\ncall bpf_xdp_adjust_meta"));
                self.emit("r9 += r0");
                self.emit("r7 = *(u32 *)(r6 + 0)");
                self.emit("r2 = *(u32 *)(r6 + 8)");
                self.emit("r3 = r2");
                self.emit("r3 += 4");
                self.emit(format!("if r3 > r7 goto {skip}"));
                self.emit("*(u32 *)(r2 + 0) = r9");
                self.emit(format!("{skip}:"));
            }
        }
        self.emit("r9 += r0");
        self.bounds();
        self.reload_scratch();
    }

    fn ctx(&mut self) {
        if self.tc {
            if self.rng.chance(30) {
                let off = self.rng.pick(&[8, 32, 44, 48, 64]);
                self.emit(format!("*(u32 *)(r6 + {off}) = r9"));
            }
            let off = self.rng.pick(&[0, 4, 8, 16, 32, 40, 44, 48, 64]);
            self.emit(format!("r3 = *(u32 *)(r6 + {off})"));
            self.emit("r9 += r3");
            return;
        }
        let off = self.rng.pick(&[12, 16]);
        self.emit(format!("r3 = *(u32 *)(r6 + {off})"));
        self.emit("r9 += r3");
    }

    fn block(&mut self, depth: u32) {
        let k = self.rng.below(if depth > 1 { 4 } else { 20 });
        match k {
            0..=1 => self.alu(),
            2 => self.packet(),
            3 => self.stack(),
            4..=6 => self.alu(),
            7..=8 => self.packet(),
            9 => self.with_helpers(&MAP_HELPERS, Gen::array),
            10 => self.with_helpers(&MAP_HELPERS, Gen::hash),
            11 => self.with_helpers(&["bpf_csum_diff"], Gen::csum),
            12..=13 => self.branch(depth),
            14 => self.call(),
            15 => self.adjust(),
            16 => self.ctx(),
            17 => self.with_helpers(&MAP_HELPERS, Gen::lpm),
            _ => self.alu(),
        }
    }

    fn program(&mut self) -> String {
        self.spilled.clear();
        self.emit("r6 = r1");
        self.emit("r9 = 0");
        self.bounds();
        let off = self.rng.range(0, N - 8);
        self.emit(format!("r9 = *(u64 *)(r7 + {off})"));
        self.reload_scratch();
        for _ in 0..self.rng.range(3, 25) {
            self.block(0);
        }
        self.emit("r1 = map_value(result, 0) ll");
        self.emit("*(u64 *)(r1 + 0) = r9");
        self.emit("r0 = r9");
        self.emit("r0 &= 3");
        self.emit("exit");
        self.emit("out:");
        self.emit("r0 = 2");
        self.emit("exit");
        let subs = std::mem::take(&mut self.subs);
        self.out.push_str(&subs);
        std::mem::take(&mut self.out)
    }
}

fn packet(rng: &mut Rng) -> Vec<u8> {
    let len = if rng.chance(85) {
        rng.range(N, 200)
    } else {
        rng.range(14, N - 1)
    } as usize;
    (0..len).map(|_| rng.next() as u8).collect()
}

/// Every element of a kernel map, sorted by key.
fn kernel_contents(map: &xsk_runtime::maps::Map) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = map
        .keys()
        .map(|k| {
            let k = k.expect("BPF_MAP_GET_NEXT_KEY");
            let v = map.lookup(&k).expect("lookup").expect("the key exists");
            (k, v)
        })
        .collect();
    out.sort();
    out
}

fn vm_contents(vm: &Vm, name: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let m = vm.map(name).expect("the VM has the map");
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = m
        .keys()
        .into_iter()
        .map(|k| {
            let v = m.lookup(&k).expect("listed key").to_vec();
            (k, v)
        })
        .collect();
    out.sort();
    out
}

/// Runs `spec` in the kernel and the VM on each packet; returns the differences found, or
/// `None` if the kernel refuses to load it.
fn compare(spec: &ProgramSpec, packets: &[Vec<u8>], text: &str) -> Option<Vec<String>> {
    let loaded = match Loader::new().program(spec.clone()).load() {
        Ok(l) => l,
        Err(xsk_runtime::Error::Verifier { .. }) => return None,
        Err(e) => panic!("BPF_PROG_LOAD failed for a reason other than the verifier: {e}\n{text}"),
    };
    let prog = loaded.program(&spec.name).expect("the program");
    let mut vm = Vm::new(spec).unwrap_or_else(|e| panic!("the VM refuses a program: {e}\n{text}"));
    let mut diffs = Vec::new();
    for (i, p) in packets.iter().enumerate() {
        let k = prog.test_run(p, 1).expect("BPF_PROG_TEST_RUN");
        let run = if spec.prog_type == ProgramType::SchedCls {
            vm.run_skb(&ebpf_dsl::vm::SkbInput::new(p.clone()))
                .map(|o| ebpf_dsl::vm::XdpOutcome {
                    r0: o.r0,
                    action: None,
                    packet: o.packet,
                    meta: Vec::new(),
                    redirect: None,
                })
        } else {
            vm.run_xdp(p)
        };
        let v = match run {
            Ok(v) => v,
            Err(e) => {
                diffs.push(format!("packet {i}: the VM fails: {e}"));
                break;
            }
        };
        if k.retval != v.r0 as u32 {
            diffs.push(format!(
                "packet {i}: kernel r0 = {:#x}, VM r0 = {:#x}",
                k.retval, v.r0
            ));
        }
        let mut out = v.meta.clone();
        out.extend_from_slice(&v.packet);
        if k.data_out != out {
            diffs.push(format!(
                "packet {i}: output packets differ (kernel {} bytes, VM {} + {} meta)\n  kernel {:02x?}\n  vm     {:02x?}",
                k.data_out.len(),
                v.packet.len(),
                v.meta.len(),
                k.data_out,
                out
            ));
        }
        // User space cannot read an XSKMAP (its values are sockets); the others must match.
        for m in spec.maps.iter().filter(|m| m.map_type != MapType::Xskmap) {
            let name = m.name_str();
            let km = kernel_contents(loaded.map_ref(name).expect("the kernel map"));
            let vmm = vm_contents(&vm, name);
            if km != vmm {
                diffs.push(format!(
                    "packet {i}: map `{name}` differs\n  kernel {km:02x?}\n  vm     {vmm:02x?}"
                ));
            }
        }
        if !diffs.is_empty() {
            break;
        }
    }
    Some(diffs)
}

fn spec_of(name: &'static str, text: &str, maps: Vec<MapSpec>) -> ProgramSpec {
    typed_spec(name, ProgramType::Xdp, text, maps)
}

fn typed_spec(name: &'static str, pt: ProgramType, text: &str, maps: Vec<MapSpec>) -> ProgramSpec {
    let a = ebpf_dsl::asm::assemble_unchecked(text)
        .unwrap_or_else(|d| panic!("the generator wrote a bad program: {d:?}\n{text}"));
    a.into_program_spec(Cow::Borrowed(name), pt, "GPL", maps)
}

fn vm_matches_the_kernel_on_random_programs() {
    random_programs(ProgramType::Xdp, PROGRAMS);
}

fn vm_matches_the_kernel_on_random_tc_programs() {
    random_programs(ProgramType::SchedCls, PROGRAMS / 2);
}

fn random_programs(pt: ProgramType, count: usize) {
    let tc = pt == ProgramType::SchedCls;
    let mut gen = Gen::new(SEED ^ tc as u64, tc, running_unavailable(pt));
    let left_out = gen.left_out();
    let mut prng = Rng(SEED ^ 0xff);
    let (mut loaded, mut refused, mut runs) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for n in 0..count {
        let text = gen.program();
        let spec = typed_spec("vmdiff", pt, &text, maps());
        let packets: Vec<Vec<u8>> = (0..PACKETS_PER_PROGRAM)
            .map(|_| packet(&mut prng))
            .collect();
        match compare(&spec, &packets, &text) {
            None => refused += 1,
            Some(d) => {
                loaded += 1;
                runs += packets.len();
                if !d.is_empty() && failures.len() < 5 {
                    failures.push(format!("program {n}:\n{}\n{text}", d.join("\n")));
                } else if !d.is_empty() {
                    failures.push(format!("program {n}"));
                }
            }
        }
    }
    eprintln!(
        "vm differential ({pt}): {} of the {} helpers the generator calls are withheld by the running kernel from {pt} programs and left out{}; {} choices that would have called one took another",
        left_out.len(),
        if tc { TC_HELPERS.len() } else { XDP_HELPERS.len() },
        if left_out.is_empty() {
            String::new()
        } else {
            format!(" ({})", left_out.join(", "))
        },
        gen.filtered
    );
    eprintln!(
        "vm differential ({pt}): {loaded} programs loaded ({refused} refused by the kernel), {runs} runs, {} with differences",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} programs differ between the kernel and the VM:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        refused * 10 < count,
        "the kernel refused {refused} of {count} generated programs: the generator is broken"
    );
}

fn vm_matches_the_kernel_on_the_seed_programs() {
    let xsks = map_spec("xsks", MapType::Xskmap, 4, 4, 64);
    let mut prng = Rng(SEED);
    for (name, _, text) in ebpf_dsl::seeds::SEEDS {
        let spec = spec_of("seed", text, vec![xsks.clone()]);
        let mut packets: Vec<Vec<u8>> = (0..16).map(|_| packet(&mut prng)).collect();
        // An IPv4/UDP frame, so that the UDP-only seed takes its redirect branch.
        let mut udp = vec![0u8; 64];
        udp[12..14].copy_from_slice(&[0x08, 0x00]);
        udp[14] = 0x45;
        udp[23] = 17;
        packets.push(udp);
        let diffs = compare(&spec, &packets, text)
            .unwrap_or_else(|| panic!("the kernel refuses seed program {name}"));
        assert!(diffs.is_empty(), "seed {name}:\n{}", diffs.join("\n"));
    }
}

kernel_tests! {
    privileged: [
        vm_matches_the_kernel_on_random_programs,
        vm_matches_the_kernel_on_random_tc_programs,
        vm_matches_the_kernel_on_the_seed_programs,
    ],
}
