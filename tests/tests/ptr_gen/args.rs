//! Area 2 of `verifier_ptr_fuzz`: one call of a helper from the static verifier's table, each
//! argument built from its kind, sometimes deliberately wrong.
//!
//! Layout: two unknown numbers spilled at `r10 - 8` (a `u32`) and `r10 - 16` (a signed 32-bit
//! number), the objects the arguments need prepared into `r7`..`r9` (a map value, a socket, a
//! ring buffer reservation, a checked packet pointer, `__sk_buff.sk`), stack memory
//! initialised (or not) below `r10 - 24`, then `r1`..`r5` set in order, the call, its result
//! released when it holds a reference, and the prepared references released in reverse order
//! (a NULL check that fails jumps past the releases of the objects not yet held).

use ebpf_dsl::verifier::helpers::{self, Arg, Proto, Ret};
use ebpf_dsl::MapType;

use super::{Gen, DATA_MAPS};

/// Helpers left out: callbacks, spin locks and timers need BTF maps or subprograms the call
/// fuzzer covers; `bpf_sk_storage_*` needs a BTF map; the tail call is not a memory check.
fn excluded(p: &Proto) -> bool {
    p.args.iter().any(|a| {
        matches!(
            a,
            Arg::Callback | Arg::SpinLock | Arg::Timer | Arg::StackOrNull
        )
    }) || matches!(p.id, 107 | 108)
}

/// The helpers area 2 draws from for the program type.
pub(crate) fn candidates(pt: ebpf_dsl::ProgramType) -> Vec<Proto> {
    let fam = helpers::family(pt).unwrap_or(0);
    helpers::PROTOS
        .iter()
        .filter(|p| p.avail & fam != 0 && !excluded(p))
        .collect()
}

/// A prepared object: what it is, in which register, and whether it holds a reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Obj {
    /// A map value of `DATA_MAPS[i]`, NULL-checked or not.
    MapValue(usize, bool),
    /// A socket from a lookup (`sock_common` if `skc`), NULL-checked or not.
    Socket { skc: bool, checked: bool },
    /// `__sk_buff.sk` (no reference), NULL-checked or not.
    SkbSk(bool),
    /// Ring buffer memory of this many bytes, NULL-checked or not.
    Ring(i64, bool),
    /// A packet pointer proven readable for this many bytes.
    Pkt(i64),
}

impl Obj {
    fn referenced(self) -> bool {
        matches!(self, Obj::Socket { .. } | Obj::Ring(..))
    }
}

/// Memory for a memory argument: the lines that put it into the register and the bytes it
/// has (for the size argument).
struct Mem {
    code: String,
    len: i64,
}

struct Call<'g, 'r> {
    g: &'g mut Gen<'r>,
    objs: Vec<(Obj, &'static str)>,
    /// Prepared objects that the call under test releases (so they are not released again).
    released: Vec<&'static str>,
}

/// One area-2 program calling `p`.
pub(crate) fn program(g: &mut Gen, p: Proto) {
    g.emit("r6 = r1");
    g.emit("call bpf_get_prandom_u32\n*(u64 *)(r10 - 8) = r0");
    g.emit("r0 <<= 32\nr0 s>>= 32\n*(u64 *)(r10 - 16) = r0");
    let mut c = Call {
        g,
        objs: Vec::new(),
        released: Vec::new(),
    };
    c.prepare(p);
    // Stack memory below r10 - 24: zeroed whole, in part, or left uninitialised.
    let init = c.g.rng.pick(&[0, 16, 32, 64, 64, 128]);
    for off in (32..32 + init).step_by(8) {
        c.g.emit(format!("*(u64 *)(r10 - {off}) = 0"));
    }
    // Now and then a pointer (the context, a stack address) or a partial number spilled
    // into the memory the arguments may name.
    if c.g.rng.chance(20) {
        let off = c.g.rng.pick(&[32, 40, 48, 64, 96]);
        let what = c.g.rng.pick(&["r6", "r10", "r6", "r0"]);
        if what == "r0" {
            c.g.emit(format!("r0 = 7\n*(u32 *)(r10 - {off}) = r0"));
        } else {
            c.g.emit(format!("*(u64 *)(r10 - {off}) = {what}"));
        }
    }
    let mut i = 0;
    while i < p.args.len() {
        let r = i + 1;
        let a = p.args[i];
        let next = p.args.get(i + 1).copied();
        match (a, next) {
            (
                Arg::MemRead | Arg::MemWrite | Arg::MemReadOrNull | Arg::MemWriteOrNull,
                Some(Arg::Size | Arg::SizeOrZero),
            ) => {
                let m = c.mem(r, a, p);
                c.g.out.push_str(&m.code);
                c.size(r + 1, m.len);
                i += 2;
                continue;
            }
            _ => c.arg(r, a, p),
        }
        i += 1;
    }
    c.g.emit(format!("call {}", helper_name(p)));
    c.ret(p);
    c.release_all();
}

fn helper_name(p: Proto) -> String {
    format!("bpf_{}", p.name)
}

impl Call<'_, '_> {
    /// Prepares into `r7`..`r9` the objects `p`'s arguments may point to.
    fn prepare(&mut self, p: Proto) {
        let wants_sock = p
            .args
            .iter()
            .any(|a| matches!(a, Arg::SockRelease | Arg::SockCommon | Arg::BtfSockCommon));
        let wants_ring = p.args.contains(&Arg::RingbufMem);
        let mut regs = vec!["r7", "r8", "r9"];
        let mut want = Vec::new();
        if wants_sock {
            if !self.g.sock() && self.g.rng.chance(75) {
                let skc = self.g.rng.chance(30);
                let checked = self.g.rng.chance(90);
                want.push(Obj::Socket { skc, checked });
            } else {
                want.push(Obj::SkbSk(self.g.rng.chance(90)));
            }
        }
        if wants_ring {
            let size = self.g.rng.pick(&[8, 16, 3]);
            want.push(Obj::Ring(size, self.g.rng.chance(92)));
        }
        while want.len() < 3 && self.g.rng.chance(55) {
            let o = match self.g.rng.below(3) {
                0 => Obj::MapValue(
                    self.g.rng.below(DATA_MAPS.len() as u64) as usize,
                    self.g.rng.chance(93),
                ),
                1 if !self.g.sock() => Obj::Pkt(self.g.rng.pick(&[8, 14, 20, 40, 64])),
                _ if self.g.rng.chance(30) => Obj::Ring(16, true),
                _ => Obj::MapValue(0, true),
            };
            want.push(o);
        }
        for (k, o) in want.into_iter().enumerate() {
            let r = regs.remove(0);
            self.emit_obj(o, r, k);
            self.objs.push((o, r));
        }
    }

    /// The label a failed check of object `k` jumps to: past the releases of objects `k..`.
    fn fail_label(k: usize) -> String {
        format!("o{k}")
    }

    fn emit_obj(&mut self, o: Obj, r: &str, k: usize) {
        let fail = Self::fail_label(k);
        let g = &mut *self.g;
        match o {
            Obj::MapValue(i, checked) => {
                let (map, key, _) = DATA_MAPS[i];
                g.lookup(map, key);
                g.emit(format!("{r} = r0"));
                if checked {
                    g.emit(format!("if {r} == 0 goto {fail}"));
                }
            }
            Obj::Socket { skc, checked } => {
                let f = if skc {
                    "bpf_skc_lookup_tcp"
                } else {
                    g.rng.pick(&["bpf_sk_lookup_tcp", "bpf_sk_lookup_udp"])
                };
                g.sk_lookup(Some(f));
                g.emit(format!("{r} = r0"));
                if checked {
                    g.emit(format!("if {r} == 0 goto {fail}"));
                }
            }
            Obj::SkbSk(checked) => {
                g.emit(format!("{r} = *(u64 *)(r6 + 168)"));
                if checked {
                    g.emit(format!("if {r} == 0 goto {fail}"));
                }
            }
            Obj::Ring(size, checked) => {
                g.ringbuf_reserve(size);
                g.emit(format!("{r} = r0"));
                if checked {
                    g.emit(format!("if {r} == 0 goto {fail}"));
                }
            }
            Obj::Pkt(n) => {
                let (data, end, _) = g.pkt_offsets();
                g.emit(format!("{r} = *(u32 *)(r6 + {data})"));
                g.emit(format!("r0 = *(u32 *)(r6 + {end})"));
                g.emit(format!("r1 = {r}\nr1 += {n}\nif r1 > r0 goto {fail}"));
            }
        }
    }

    /// The prepared object matching `f`, if any.
    fn find(&self, f: impl Fn(Obj) -> bool) -> Option<(Obj, &'static str)> {
        self.objs.iter().copied().find(|(o, _)| f(*o))
    }

    /// A memory argument of `p` in `r{r}` with the bytes it has.
    fn mem(&mut self, r: usize, a: Arg, p: Proto) -> Mem {
        let mut code = String::new();
        let mut push = |s: String| {
            code.push_str(&s);
            code.push('\n');
        };
        let nullable = matches!(a, Arg::MemReadOrNull | Arg::MemWriteOrNull);
        let pick = self.g.rng.below(20);
        // Prepared objects first when there are some.
        let obj = if pick < 8 {
            let i = self.g.rng.below(self.objs.len().max(1) as u64) as usize;
            self.objs.get(i).copied()
        } else {
            None
        };
        let _ = p;
        // A variable part added to a map value or packet pointer: 0..=mask.
        let var = if self.g.rng.chance(25) {
            self.g.rng.pick(&[1, 3, 7])
        } else {
            0
        };
        let add_var = |push: &mut dyn FnMut(String)| {
            if var > 0 {
                push(format!("r0 = *(u64 *)(r10 - 8)\nr0 &= {var}\nr{r} += r0"));
            }
        };
        let len = match (obj, pick) {
            (Some((Obj::MapValue(i, _), reg)), _) => {
                let off = self.g.rng.pick(&[0, 0, 1, 4, 8]);
                push(format!("r{r} = {reg}\nr{r} += {off}"));
                add_var(&mut push);
                DATA_MAPS[i].2 - off - var
            }
            (Some((Obj::Ring(size, _), reg)), _) => {
                push(format!("r{r} = {reg}"));
                size
            }
            (Some((Obj::Pkt(n), reg)), _) => {
                let off = self.g.rng.pick(&[0, 0, 2, 8]);
                push(format!("r{r} = {reg}\nr{r} += {off}"));
                add_var(&mut push);
                n - off - var
            }
            (Some((_, reg)), _) => {
                // A socket as memory: refused.
                push(format!("r{r} = {reg}"));
                8
            }
            (None, 0..=10) => {
                // The stack at a constant offset (initialised below r10 - 24 as far as the
                // program's zeroing went).
                let len = self.g.rng.pick(&[1, 4, 8, 12, 16, 20, 32, 64]);
                let base = 24 + len + self.g.rng.pick(&[0, 0, 8, 3, 64]);
                let base = if self.g.rng.chance(3) { len - 4 } else { base };
                push(format!("r{r} = r10\nr{r} += -{base}"));
                len
            }
            (None, 11 | 12) => {
                // The stack at a variable offset: a masked number added.
                let m = self.g.rng.pick(&[7, 8, 15, 16]);
                push(format!("r{r} = r10\nr{r} += -96"));
                push(format!("r0 = *(u64 *)(r10 - 8)\nr0 &= {m}\nr{r} += r0"));
                96 - m
            }
            (None, 13) => {
                push(format!("r{r} = r6"));
                8
            }
            (None, 14 | 15) if nullable => {
                push(format!("r{r} = 0"));
                0
            }
            (None, 14) if self.g.rng.chance(25) => {
                // A map read-only or write-only for programs.
                let map = self.g.rng.pick(&["ro", "wo"]);
                push(format!("r{r} = map_value({map}, 0) ll"));
                16
            }
            (None, 14) => {
                let (map, _, val) = DATA_MAPS[self.g.rng.below(DATA_MAPS.len() as u64) as usize];
                // A map value of a constant address (`map_value(m, off) ll`): no lookup.
                let off = self.g.rng.pick(&[0, 0, 2]).min(val - 1);
                push(format!("r{r} = map_value({map}, {off}) ll"));
                val - off
            }
            (None, 15) => {
                self.g.uses_str = true;
                let off = self.g.rng.pick(&[0, 4, 10]);
                push(format!("r{r} = map_value(str, {off}) ll"));
                18 - off
            }
            _ => {
                push(format!("r{r} = r10\nr{r} += -48"));
                24
            }
        };
        Mem { code, len }
    }

    /// A size argument in `r{r}` for memory of `len` bytes: a constant in, at, past the edge,
    /// zero, negative; or a bounded unknown number.
    fn size(&mut self, r: usize, len: i64) {
        let g = &mut *self.g;
        match g.rng.below(12) {
            0..=3 => g.emit(format!("r{r} = {}", len.max(1))),
            4 => g.emit(format!("r{r} = {}", (len - 1).max(1))),
            5 => g.emit(format!("r{r} = {}", len + 1)),
            6 => g.emit(format!("r{r} = 0")),
            7 => g.emit(format!("r{r} = -1")),
            8 | 9 => {
                let m = g.rng.pick(&[1, 3, 7, 15, 16, 31, 63, 0xff]);
                g.emit(format!("r{r} = *(u64 *)(r10 - 8)\nr{r} &= {m}"));
                if g.rng.chance(30) {
                    g.emit(format!("r{r} += 1"));
                }
            }
            10 => {
                let c = g.rng.pick(&[len, len + 1, len - 1, 8]);
                let op = g.rng.pick(&[">", ">=", "s>"]);
                g.emit(format!(
                    "r{r} = *(u64 *)(r10 - 8)\nif r{r} {op} {c} goto out"
                ));
            }
            _ => {
                // A signed number clamped from above only (may be negative), or both ways.
                let c = len.max(1);
                g.emit(format!(
                    "r{r} = *(u64 *)(r10 - 16)\nif r{r} s> {c} goto out"
                ));
                if g.rng.chance(50) {
                    g.emit(format!("if r{r} s< 1 goto out"));
                }
            }
        }
    }

    /// One argument of kind `a` in `r{r}`.
    fn arg(&mut self, r: usize, a: Arg, p: Proto) {
        // A wrong argument now and then: the context, a scalar, the stack, nothing.
        if self.g.rng.chance(6) {
            let w = self.g.rng.pick(&["r6", "r10", "0", "42", "r7"]);
            if w == "r7" && self.objs.is_empty() {
                return; // r{r} left unset (uninitialised unless an earlier line set it)
            }
            self.g.emit(format!("r{r} = {w}"));
            return;
        }
        match a {
            Arg::MapPtr => {
                let m = self.map_for(p.id);
                self.g.emit(format!("r{r} = {m} ll"));
            }
            Arg::MapKey | Arg::MapValue | Arg::MapValueOut | Arg::MapValueOrNull => {
                if a == Arg::MapValueOrNull && self.g.rng.chance(40) {
                    self.g.emit(format!("r{r} = 0"));
                    return;
                }
                match self.g.rng.below(8) {
                    0 => {
                        if let Some((_, reg)) = self.find(|o| matches!(o, Obj::MapValue(..))) {
                            self.g.emit(format!("r{r} = {reg}"));
                        } else {
                            self.g.emit(format!("r{r} = map_value(a64, 0) ll"));
                        }
                    }
                    1 => {
                        if let Some((_, reg)) = self.find(|o| matches!(o, Obj::Pkt(_))) {
                            self.g.emit(format!("r{r} = {reg}"));
                        } else {
                            self.g.emit(format!("r{r} = r10\nr{r} += -4"));
                        }
                    }
                    2 => {
                        let off = self.g.rng.pick(&[2, 4, 6]);
                        self.g.emit(format!("r{r} = r10\nr{r} += -{off}"));
                    }
                    3 => {
                        self.g.emit(format!("r{r} = r10\nr{r} += -96"));
                        self.g
                            .emit(format!("r0 = *(u64 *)(r10 - 8)\nr0 &= 7\nr{r} += r0"));
                    }
                    _ => {
                        let off = self.g.rng.pick(&[40, 48, 64, 72, 160, 200]);
                        self.g.emit(format!("r{r} = r10\nr{r} += -{off}"));
                    }
                }
            }
            Arg::CtxOrNull if self.g.rng.chance(40) => self.g.emit(format!("r{r} = 0")),
            Arg::Ctx | Arg::CtxOrNull => {
                if self.g.rng.chance(8) {
                    self.g.emit(format!("r{r} = r6\nr{r} += 8"));
                } else {
                    self.g.emit(format!("r{r} = r6"));
                }
            }
            Arg::Anything | Arg::Scalar => {
                let v = self.g.rng.pick(&["0", "1", "-1", "r6", "r10", "16"]);
                if self.g.rng.chance(30) {
                    self.g.emit(format!("r{r} = *(u64 *)(r10 - 8)"));
                } else {
                    self.g.emit(format!("r{r} = {v}"));
                }
            }
            Arg::AllocSize => {
                let k = self.g.rng.pick(&[8, 16, 3, 0, 4096, 8192, -1]);
                if self.g.rng.chance(15) {
                    self.g.emit(format!("r{r} = *(u64 *)(r10 - 8)\nr{r} &= 15"));
                } else {
                    self.g.emit(format!("r{r} = {k}"));
                }
            }
            Arg::RingbufMem => {
                if let Some((_, reg)) = self.find(|o| matches!(o, Obj::Ring(..))) {
                    match self.g.rng.below(12) {
                        0 => self.g.emit(format!("r{r} = {reg}\nr{r} += 8")),
                        1 => self.g.emit(format!("r{r} = r10\nr{r} += -40")),
                        _ => {
                            self.g.emit(format!("r{r} = {reg}"));
                            self.released.push(reg);
                        }
                    }
                } else {
                    self.g.emit(format!("r{r} = r10\nr{r} += -40"));
                }
            }
            Arg::SockRelease | Arg::SockCommon | Arg::BtfSockCommon => {
                let sock = self.find(|o| matches!(o, Obj::Socket { .. } | Obj::SkbSk(_)));
                if let Some((o, reg)) = sock {
                    if self.g.rng.chance(8) {
                        self.g.emit(format!("r{r} = {reg}\nr{r} += 4"));
                    } else {
                        self.g.emit(format!("r{r} = {reg}"));
                        if a == Arg::SockRelease && matches!(o, Obj::Socket { .. }) {
                            self.released.push(reg);
                        }
                    }
                } else {
                    self.g.emit(format!("r{r} = r6"));
                }
            }
            Arg::FixedMem(n) | Arg::FixedOut(n) => {
                let n = i64::from(n);
                match self.g.rng.below(10) {
                    0 => {
                        if let Some((_, reg)) = self.find(|o| matches!(o, Obj::MapValue(..))) {
                            self.g.emit(format!("r{r} = {reg}"));
                        } else {
                            self.g.emit(format!("r{r} = map_value(a64, 0) ll"));
                        }
                    }
                    1 => {
                        if let Some((_, reg)) = self.find(|o| matches!(o, Obj::Pkt(_))) {
                            self.g.emit(format!("r{r} = {reg}"));
                        } else {
                            self.g.emit(format!("r{r} = r10\nr{r} += -{}", 32 + n));
                        }
                    }
                    2 => {
                        let off = self.g.rng.pick(&[2, 4, 6, 12]);
                        self.g
                            .emit(format!("r{r} = r10\nr{r} += -{}", 32 + n + off));
                    }
                    3 => self.g.emit(format!("r{r} = r10\nr{r} += -{}", n / 2)),
                    _ => {
                        let extra = self.g.rng.pick(&[0, 0, 8, 64]);
                        self.g
                            .emit(format!("r{r} = r10\nr{r} += -{}", 32 + n + extra));
                    }
                }
            }
            Arg::ConstStr => match self.g.rng.below(8) {
                0 => self.g.emit(format!("r{r} = r10\nr{r} += -40")),
                1 => self.g.emit(format!("r{r} = map_value(a16, 0) ll")),
                _ => {
                    self.g.uses_str = true;
                    let off = self.g.rng.pick(&[0, 0, 4, 4, 1, 10, 12, 17]);
                    self.g.emit(format!("r{r} = map_value(str, {off}) ll"));
                }
            },
            Arg::MemRead | Arg::MemWrite | Arg::MemReadOrNull | Arg::MemWriteOrNull => {
                let m = self.mem(r, a, p);
                self.g.out.push_str(&m.code);
            }
            Arg::Size | Arg::SizeOrZero => self.size(r, 8),
            // Excluded from the draw.
            Arg::Callback | Arg::StackOrNull | Arg::SpinLock | Arg::Timer => {
                self.g.emit(format!("r{r} = 0"));
            }
        }
    }

    /// A map for helper `id`'s map argument: usually one it takes, sometimes another type.
    fn map_for(&mut self, id: i32) -> &'static str {
        let all: [(&str, MapType); 9] = [
            ("a16", MapType::Array),
            ("h24", MapType::Hash),
            ("pc8", MapType::PercpuArray),
            ("rb", MapType::Ringbuf),
            ("q", MapType::Queue),
            ("pe", MapType::PerfEventArray),
            ("x", MapType::Xskmap),
            ("pa", MapType::ProgArray),
            ("cg", MapType::CgroupArray),
        ];
        let good: Vec<&str> = all
            .iter()
            .filter(|(_, t)| helpers::map_compatible(id, *t))
            .map(|(n, _)| *n)
            .collect();
        if good.is_empty() || self.g.rng.chance(10) {
            self.g.rng.pick(&all).0
        } else {
            self.g.rng.pick(&good)
        }
    }

    /// Releases what the call returned when it holds a new reference (usually).
    fn ret(&mut self, p: Proto) {
        let done = self.g.label();
        match p.ret {
            Ret::SocketOrNull | Ret::SockCommonOrNull if self.g.rng.chance(95) => {
                self.g.emit(format!(
                    "if r0 == 0 goto {done}\nr1 = r0\ncall bpf_sk_release\n{done}:"
                ));
            }
            Ret::RingbufMemOrNull if self.g.rng.chance(95) => {
                self.g.emit(format!(
                    "if r0 == 0 goto {done}\nr1 = r0\nr2 = 0\ncall bpf_ringbuf_discard\n{done}:"
                ));
            }
            _ => {}
        }
    }

    /// The common exit: releases the prepared references in reverse order.
    fn release_all(&mut self) {
        self.g.emit("out:");
        let objs = self.objs.clone();
        for (k, (o, reg)) in objs.iter().enumerate().rev() {
            let released = self.released.contains(reg);
            // Now and then a reference released twice or not at all.
            let slip = self.g.rng.chance(3);
            if o.referenced() && (released == slip) {
                match o {
                    Obj::Ring(..) => self
                        .g
                        .emit(format!("r1 = {reg}\nr2 = 0\ncall bpf_ringbuf_submit")),
                    _ => self.g.emit(format!("r1 = {reg}\ncall bpf_sk_release")),
                }
            }
            self.g.emit(format!("{}:", Self::fail_label(k)));
        }
        self.g.emit("r0 = 0\nexit");
    }
}
