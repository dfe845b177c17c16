//! The generator of `verifier_ptr_fuzz`: socket-filter, XDP and tc programs of two kinds.
//!
//! - [`access`]: one pointer of every kind these programs can hold (the context, the packet,
//!   its metadata and end, a map value with or without a NULL check, a map pointer, the stack
//!   at a fixed or variable offset, a socket from `bpf_sk_lookup_*` or `__sk_buff.sk`, ring
//!   buffer memory), moved by a random chain of ALU64 / ALU32 operations mixing it with
//!   scalars of random bounds (constants, masks, shifts, comparisons, context and map-value
//!   loads, sign-extending moves, byte swaps), then used by a load, a store, an atomic or a
//!   helper's memory argument.
//! - [`args`]: one call of a helper drawn from the static verifier's own table
//!   (`ebpf_dsl::verifier::helpers::PROTOS`) among those the program type is offered, each
//!   argument built from its kind (memory and its size from the stack, the packet, a map
//!   value, ring buffer memory, the context; map pointers of the right or the wrong type;
//!   keys and values; sockets with and without NULL checks; constant strings of a frozen
//!   read-only map; maps read-only or write-only for programs; ...) and sometimes
//!   deliberately wrong.
//! - [`dynptr`]: ring buffer and local dynptrs with `bpf_dynptr_read` / `_write` / `_data`.
//!
//! Registers: `r6` holds the context throughout; the scalars and prepared objects live in
//! `r7`..`r9`, which calls preserve.

use crate::common::{self, Rng};
use ebpf_dsl::{MapSpec, MapType, ProgramType};

pub(crate) mod access;
pub(crate) mod args;
pub(crate) mod dynptr;

/// The maps every program may name (one set of kernel maps per program type: a prog array
/// belongs to the first program type that loads with it).
pub(crate) fn maps() -> Vec<MapSpec> {
    let m = common::map_spec;
    vec![
        m("a16", MapType::Array, 4, 16, 4),
        m("a3", MapType::Array, 4, 3, 1),
        m("a64", MapType::Array, 4, 64, 1),
        m("h24", MapType::Hash, 8, 24, 16),
        m("pc8", MapType::PercpuArray, 4, 8, 1),
        m("rb", MapType::Ringbuf, 0, 0, 4096),
        m("q", MapType::Queue, 0, 8, 4),
        m("pe", MapType::PerfEventArray, 4, 4, 4),
        m("x", MapType::Xskmap, 4, 4, 4),
        m("pa", MapType::ProgArray, 4, 4, 4),
        m("cg", MapType::CgroupArray, 4, 4, 4),
        MapSpec {
            flags: 1 << 7, // BPF_F_RDONLY_PROG
            ..m("ro", MapType::Array, 4, 16, 1)
        },
        MapSpec {
            flags: 1 << 8, // BPF_F_WRONLY_PROG
            ..m("wo", MapType::Array, 4, 16, 1)
        },
    ]
}

/// The data maps a lookup may give a value of: name, key size, value size.
pub(crate) const DATA_MAPS: [(&str, i64, i64); 5] = [
    ("a16", 4, 16),
    ("a3", 4, 3),
    ("a64", 4, 64),
    ("h24", 8, 24),
    ("pc8", 4, 8),
];

/// The `.map` declaration of the frozen read-only map `str` (bytes: `"abc\0%d %s\0xxxxxxxx"`)
/// that constant-string arguments point into.
pub(crate) const STR_MAP: &str =
    ".map str array key=4 value=18 flags=rdonly_prog init=616263002564202573007878787878787878\n";

/// Constants near the edges of the maps' values, the stack and the sign boundaries.
pub(crate) const EDGES: [i64; 24] = [
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
    17,
    23,
    24,
    31,
    32,
    63,
    64,
    -1,
    -4,
    -8,
    255,
    0x7fff_ffff,
    -0x8000_0000,
    1 << 29,
];

/// A program being written: its text, labels, and what it needs from the harness.
pub(crate) struct Gen<'r> {
    pub(crate) rng: &'r mut Rng,
    pub(crate) out: String,
    pub(crate) pt: ProgramType,
    label: u32,
    /// The program names the frozen `.rodata`-like map `str` (declared with [`STR_MAP`]).
    pub(crate) uses_str: bool,
}

impl<'r> Gen<'r> {
    pub(crate) fn new(rng: &'r mut Rng, pt: ProgramType) -> Self {
        Gen {
            rng,
            out: String::new(),
            pt,
            label: 0,
            uses_str: false,
        }
    }

    /// A fresh label.
    pub(crate) fn label(&mut self) -> String {
        self.label += 1;
        format!("l{}", self.label)
    }

    /// Appends one line.
    pub(crate) fn emit(&mut self, line: impl AsRef<str>) {
        self.out.push_str(line.as_ref());
        self.out.push('\n');
    }

    /// XDP (or tc: both have direct packet access and socket lookups).
    pub(crate) fn xdp(&self) -> bool {
        self.pt == ProgramType::Xdp
    }

    /// A socket filter.
    pub(crate) fn sock(&self) -> bool {
        self.pt == ProgramType::SocketFilter
    }

    /// The context offsets of the packet's start, end and metadata (the socket filter's are
    /// the `__sk_buff` ones, which it may not read).
    pub(crate) fn pkt_offsets(&self) -> (i64, i64, i64) {
        if self.xdp() {
            (0, 4, 8)
        } else {
            (76, 80, 140)
        }
    }

    /// The size of the context structure.
    pub(crate) fn ctx_size(&self) -> i64 {
        if self.xdp() {
            24
        } else {
            192
        }
    }

    /// One of the sizes `u8`..`u64` with its byte count.
    pub(crate) fn size(&mut self) -> (&'static str, i64) {
        self.rng
            .pick(&[("u8", 1), ("u16", 2), ("u32", 4), ("u64", 8)])
    }

    /// An offset near the edges of a region of `len` bytes for an access of `w` bytes: inside,
    /// at its end, one past, misaligned, negative.
    pub(crate) fn edge_off(&mut self, len: i64, w: i64) -> i64 {
        match self.rng.below(10) {
            0..=3 => {
                let last = (len - w).max(0);
                self.rng.range(0, last) / w * w
            }
            4 => len - w,
            5 => len - w + 1,
            6 => len,
            7 => self.rng.range(0, len.max(1)),
            8 => -self.rng.pick(&[1, 4, 8]),
            _ => self.rng.pick(&EDGES),
        }
    }

    /// Writes a scalar into `r` (`r7` or `r8`) at the start of a program: a constant, a
    /// context field, a random number, or a map value's bytes, then 0-3 bounding steps. May
    /// call helpers (clobbering `r0`-`r5`); comparisons that end a path go to `out`, where
    /// nothing is held.
    pub(crate) fn scalar(&mut self, r: &str, out: &str) {
        match self.rng.below(6) {
            0 => {
                let k = self.rng.pick(&EDGES);
                self.emit(format!("{r} = {k}"));
            }
            1 => {
                let k = self.rng.pick(&[
                    0x1_0000_0000i64,
                    -0x1_0000_0001,
                    0x7fff_ffff_ffff_ffff,
                    0xffff_ffff,
                    0x8000_0000,
                ]);
                self.emit(format!("{r} = {k} ll"));
            }
            2 => {
                // A u32 field of the context (the packet's length, a queue, a mark).
                let off = if self.xdp() {
                    self.rng.pick(&[12, 16])
                } else {
                    self.rng.pick(&[0, 8, 16, 48])
                };
                self.emit(format!("{r} = *(u32 *)(r6 + {off})"));
            }
            3 => {
                self.emit("call bpf_get_prandom_u32");
                self.emit(format!("{r} = r0"));
                if self.rng.chance(30) {
                    self.emit(format!("{r} <<= 32\n{r} s>>= 32"));
                }
            }
            _ => {
                // A number from a map value: unknown bits of a chosen width.
                let (map, key, val) = self.rng.pick(&DATA_MAPS);
                self.lookup(map, key);
                self.emit(format!("if r0 == 0 goto {out}"));
                let (sz, w) = self.size();
                let w = if w > val { 1 } else { w };
                let sz = if w == 1 { "u8" } else { sz };
                let sign = if w < 8 && self.rng.chance(20) {
                    "s"
                } else {
                    "u"
                };
                let sz = format!("{sign}{}", &sz[1..]);
                self.emit(format!("{r} = *({sz} *)(r0 + 0)"));
            }
        }
        for _ in 0..self.rng.below(4) {
            self.bound(r, out);
        }
    }

    /// One bounding step on the scalar `r`: a mask, a shift, an or, a clamp by a comparison
    /// (the other path goes to `out`), a 32-bit move, a sign extension, a byte swap.
    pub(crate) fn bound(&mut self, r: &str, out: &str) {
        let n = &r[1..];
        match self.rng.below(10) {
            0 | 1 => {
                let m = self
                    .rng
                    .pick(&[1, 3, 7, 8, 15, 16, 31, 63, 0xff, 0xfff, -8, 0x7fff_ffff]);
                let w = if self.rng.chance(20) { "w" } else { "r" };
                self.emit(format!("{w}{n} &= {m}"));
            }
            2 => {
                let s = self.rng.pick(&[1, 2, 4, 8, 28, 31, 32, 56, 60]);
                let op = self.rng.pick(&[">>=", ">>=", "s>>=", "<<="]);
                self.emit(format!("{r} {op} {s}"));
            }
            3 | 4 => {
                let op = self
                    .rng
                    .pick(&[">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "=="]);
                let c = self.rng.pick(&EDGES);
                let w = if self.rng.chance(25) { "w" } else { "r" };
                // The kept path is the one where the comparison is false.
                self.emit(format!("if {w}{n} {op} {c} goto {out}"));
            }
            5 => {
                let k = self.rng.pick(&[1, 2, 4, 8, 16, 0x100]);
                self.emit(format!("{r} |= {k}"));
            }
            6 => self.emit(format!("w{n} = w{n}")),
            7 => {
                let b = self.rng.pick(&[8, 16, 32]);
                if b == 32 || self.rng.chance(50) {
                    self.emit(format!("{r} = (s{b}){r}"));
                } else {
                    self.emit(format!("w{n} = (s{b})w{n}"));
                }
            }
            8 => {
                let op = self
                    .rng
                    .pick(&["bswap16", "bswap32", "be16", "le32", "be64"]);
                self.emit(format!("{r} = {op} {r}"));
            }
            _ => {
                let (op, k) = self.rng.pick(&[
                    ("+=", 1),
                    ("+=", -8),
                    ("-=", 4),
                    ("*=", 8),
                    ("/=", 2),
                    ("%=", 16),
                    ("^=", 1),
                    ("s/=", -2),
                    ("s%=", 7),
                ]);
                let w = if self.rng.chance(25) { "w" } else { "r" };
                self.emit(format!("{w}{n} {op} {k}"));
            }
        }
    }

    /// `r0 = lookup(map, key 0)` with the key at `r10 - 24` (8 bytes zeroed, so a 4- or
    /// 8-byte key is initialised).
    pub(crate) fn lookup(&mut self, map: &str, _key: i64) {
        self.emit("*(u64 *)(r10 - 24) = 0");
        self.emit("r2 = r10\nr2 += -24");
        self.emit(format!("r1 = {map} ll"));
        self.emit("call bpf_map_lookup_elem");
    }

    /// `r0 = bpf_sk_lookup_tcp/udp / bpf_skc_lookup_tcp(ctx, zeroed tuple, 12 or 36 bytes)`
    /// (XDP and tc); the tuple is at `r10 - 64`.
    pub(crate) fn sk_lookup(&mut self, f: Option<&'static str>) -> &'static str {
        for off in [64, 56, 48, 40, 32] {
            self.emit(format!("*(u64 *)(r10 - {off}) = 0"));
        }
        self.emit("r1 = r6\nr2 = r10\nr2 += -64");
        let len = self.rng.pick(&[12, 12, 36]);
        self.emit(format!("r3 = {len}\nr4 = -1\nr5 = 0"));
        let f = f.unwrap_or_else(|| {
            self.rng.pick(&[
                "bpf_sk_lookup_tcp",
                "bpf_sk_lookup_udp",
                "bpf_skc_lookup_tcp",
            ])
        });
        self.emit(format!("call {f}"));
        f
    }

    /// `r0 = bpf_ringbuf_reserve(rb, size, 0)`.
    pub(crate) fn ringbuf_reserve(&mut self, size: i64) {
        self.emit(format!("r1 = rb ll\nr2 = {size}\nr3 = 0"));
        self.emit("call bpf_ringbuf_reserve");
    }

    /// The finished text.
    pub(crate) fn finish(self) -> String {
        let mut s = String::new();
        if self.uses_str {
            s.push_str(STR_MAP);
        }
        s.push_str(&self.out);
        s
    }
}

/// `(rN + off)` or `(rN - off)`, the offset held to the instruction's 16 bits.
pub(crate) fn at(reg: &str, off: i64) -> String {
    let off = off.clamp(-32768, 32767);
    if off < 0 {
        format!("({reg} - {})", -off)
    } else {
        format!("({reg} + {off})")
    }
}
