//! Area 1 of `verifier_ptr_fuzz`: a pointer of one kind in `r9` (kept unmodified, so a
//! referenced one can be released), a copy in `r4` moved by a random chain of operations with
//! the scalars `r7` and `r8` (and spilled, clobbered, filled back and moved again, the way
//! compiled programs keep pointers across calls), a packet range check somewhere in the chain
//! when the pointer is into the packet, then one access through `r4` or a helper taking it as
//! memory.

use super::{at, Gen, DATA_MAPS, EDGES};

/// The pointer kinds of area 1 (the name is the row of the report).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Ctx,
    Pkt,
    PktMeta,
    MapValue,
    MapValueMaybeNull,
    MapPtr,
    Stack,
    Socket,
    SkbSk,
    Ringbuf,
}

impl Kind {
    pub(crate) const ALL: [Kind; 10] = [
        Kind::Ctx,
        Kind::Pkt,
        Kind::PktMeta,
        Kind::MapValue,
        Kind::MapValueMaybeNull,
        Kind::MapPtr,
        Kind::Stack,
        Kind::Socket,
        Kind::SkbSk,
        Kind::Ringbuf,
    ];

    /// The report's name of the kind.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Ctx => "ctx",
            Kind::Pkt => "packet",
            Kind::PktMeta => "packet meta",
            Kind::MapValue => "map value",
            Kind::MapValueMaybeNull => "map value|null",
            Kind::MapPtr => "map ptr",
            Kind::Stack => "stack",
            Kind::Socket => "socket (lookup)",
            Kind::SkbSk => "skb->sk",
            Kind::Ringbuf => "ringbuf mem",
        }
    }
}

/// One area-1 program of `kind` (the pointer kinds a program type cannot hold are still
/// written, rarely, as mistakes: the caller picks the kind).
pub(crate) fn program(g: &mut Gen, kind: Kind) {
    g.emit("r6 = r1");
    // The two scalars first (they may call helpers); a path they end holds nothing.
    g.scalar("r7", "out0");
    g.scalar("r8", "out0");
    // Some initialised stack, for stack pointers and helper memory.
    let init = g.rng.pick(&[0, 8, 16, 32, 64]);
    for off in (8..=init).step_by(8) {
        g.emit(format!("*(u64 *)(r10 - {}) = r7", off + 64));
    }
    // The base pointer in r9 and the size of what it points to.
    let mut referenced = None;
    let mut pkt_end = false;
    let len = match kind {
        Kind::Ctx => {
            g.emit("r9 = r6");
            g.ctx_size()
        }
        Kind::Pkt | Kind::PktMeta => {
            let (data, end, meta) = g.pkt_offsets();
            if kind == Kind::Pkt {
                g.emit(format!("r9 = *(u32 *)(r6 + {data})"));
                g.emit(format!("r5 = *(u32 *)(r6 + {end})"));
            } else {
                g.emit(format!("r9 = *(u32 *)(r6 + {meta})"));
                g.emit(format!("r5 = *(u32 *)(r6 + {data})"));
            }
            pkt_end = true;
            0
        }
        Kind::MapValue | Kind::MapValueMaybeNull => {
            let (map, key, val) = g.rng.pick(&DATA_MAPS);
            g.lookup(map, key);
            g.emit("r9 = r0");
            if kind == Kind::MapValue {
                g.emit("if r9 == 0 goto out0");
            }
            val
        }
        Kind::MapPtr => {
            let (map, _, _) = g.rng.pick(&DATA_MAPS);
            g.emit(format!("r9 = {map} ll"));
            // `struct bpf_map`: its first fields (ops, inner_map_meta, ..., key_size at 44,
            // value_size 48, max_entries 52 in 6.18) and beyond.
            64
        }
        Kind::Stack => {
            g.emit("r9 = r10");
            let base = g.rng.pick(&[-8, -16, -64, -72, -128, -512]);
            g.emit(format!("r9 += {base}"));
            -base
        }
        Kind::Socket => {
            let f = g.sk_lookup(None);
            g.emit("r9 = r0");
            if g.rng.chance(92) {
                g.emit("if r9 == 0 goto out0");
            }
            referenced = Some(f);
            if f == "bpf_skc_lookup_tcp" {
                // `struct bpf_sock_common`-sized reads are what a sock_common allows.
                40
            } else {
                80
            }
        }
        Kind::SkbSk => {
            g.emit("r9 = *(u64 *)(r6 + 168)");
            if g.rng.chance(90) {
                g.emit("if r9 == 0 goto out0");
            }
            80
        }
        Kind::Ringbuf => {
            let size = g.rng.pick(&[8, 16, 16, 3, 64]);
            g.ringbuf_reserve(size);
            g.emit("r9 = r0");
            if g.rng.chance(92) {
                g.emit("if r9 == 0 goto out0");
            }
            referenced = Some("ringbuf");
            size
        }
    };
    g.emit("r4 = r9");
    if kind == Kind::MapValueMaybeNull && g.rng.chance(70) {
        // The NULL check on the copy or on the original: both are marked by it.
        let r = g.rng.pick(&["r4", "r9"]);
        g.emit(format!("if {r} == 0 goto out0"));
    }
    // The chain, with the packet check at a random point of it; pointers that allow no
    // arithmetic (map pointers, sockets) mostly get none.
    let no_arith = matches!(kind, Kind::MapPtr | Kind::Socket | Kind::SkbSk);
    let steps = if no_arith && g.rng.chance(85) {
        0
    } else {
        g.rng.below(5)
    };
    let check_at = g.rng.below(steps + 1);
    let mut range = 0;
    for i in 0..=steps {
        if pkt_end && i == check_at {
            range = pkt_check(g);
        }
        if i < steps {
            step(g, kind);
        }
    }
    let len = if pkt_end { range } else { len };
    if g.rng.chance(15) {
        helper_pass(g, len);
    } else {
        access(g, len, kind);
    }
    g.emit("out:");
    match referenced {
        // Usually released (now and then not: a leak), through the base or the moved copy.
        Some("ringbuf") if g.rng.chance(95) => {
            let f = g.rng.pick(&["bpf_ringbuf_submit", "bpf_ringbuf_discard"]);
            let r = if g.rng.chance(95) { "r9" } else { "r4" };
            g.emit(format!("r1 = {r}\nr2 = 0\ncall {f}"));
        }
        Some("ringbuf") => {}
        Some(_) if g.rng.chance(95) => {
            let r = if g.rng.chance(95) { "r9" } else { "r4" };
            g.emit(format!("r1 = {r}\ncall bpf_sk_release"));
        }
        _ => {}
    }
    g.emit("out0:\nr0 = 0\nexit");
}

/// A packet range check of `r4` against `r5` in one of the comparison forms, the bad path
/// going to `out`; returns the bytes the generator expects proven (the checked length).
fn pkt_check(g: &mut Gen) -> i64 {
    let n = g.rng.pick(&[1, 2, 4, 8, 14, 16, 20, 34, 54, 64]);
    g.emit(format!("r3 = r4\nr3 += {n}"));
    let ok = g.label();
    match g.rng.below(9) {
        0 => g.emit("if r3 > r5 goto out"),
        1 => g.emit("if r5 < r3 goto out"),
        2 => g.emit(format!("if r3 <= r5 goto {ok}\ngoto out\n{ok}:")),
        3 => g.emit(format!("if r5 >= r3 goto {ok}\ngoto out\n{ok}:")),
        4 => g.emit("if r3 >= r5 goto out"),
        5 => g.emit(format!("if r5 > r3 goto {ok}\ngoto out\n{ok}:")),
        6 => g.emit(format!("if r3 < r5 goto {ok}\ngoto out\n{ok}:")),
        7 => {
            // A mistake: the access on the path where the packet is too short.
            g.emit(format!("if r3 > r5 goto {ok}\ngoto out\n{ok}:"));
        }
        _ => {
            let op = g.rng.pick(&["s>", "!=", "=="]);
            g.emit(format!("if r3 {op} r5 goto out"));
        }
    }
    n
}

/// One step of the chain: on the pointer `r4` (with a constant, a scalar, itself, or an
/// operation pointers do not allow), on a spill of it, or on a scalar.
fn step(g: &mut Gen, kind: Kind) {
    let s = g.rng.pick(&["r7", "r8"]);
    let sn = &s[1..];
    match g.rng.below(18) {
        0 | 1 => {
            let k = g.rng.pick(&EDGES);
            g.emit(format!("r4 += {k}"));
        }
        2 => {
            let k = g.rng.pick(&EDGES);
            g.emit(format!("r4 -= {k}"));
        }
        3 | 4 => {
            // Usually a last bound on the number first, so the access may stay in bounds.
            if g.rng.chance(60) {
                if g.rng.chance(60) {
                    let m = g.rng.pick(&[1, 3, 7, 8, 15, 31, 63]);
                    g.emit(format!("{s} &= {m}"));
                } else {
                    let k = g.rng.pick(&[4, 8, 15, 16, 32, 64]);
                    let op = g.rng.pick(&[">", ">=", "s>"]);
                    g.emit(format!("if {s} {op} {k} goto out"));
                }
            }
            g.emit(format!("r4 += {s}"))
        }
        5 => g.emit(format!("r4 -= {s}")),
        6 => g.emit(format!("r3 = {s}\nr3 += r4\nr4 = r3")),
        7 => {
            // The distance from the base, a scalar, added back.
            g.emit(format!("r3 = r4\nr3 -= r9\n{s} = r3"));
        }
        8 => {
            let op = g.rng.pick(&[
                "r4 &= -8",
                "r4 |= 1",
                "r4 <<= 1",
                "r4 >>= 1",
                "r4 s>>= 1",
                "r4 *= 2",
                "r4 /= 2",
                "r4 %= 8",
                "r4 ^= 0",
                "r4 = -r4",
                "w4 += 1",
                "w4 = w4",
                "r4 = (s32)r4",
                "r4 = bswap64 r4",
                "r4 = be16 r4",
            ]);
            g.emit(op);
        }
        9 => g.emit(format!("r4 += {s}\nr4 -= {s}")),
        10 => {
            // A branch on the pointer: against NULL (dead for a non-NULL pointer), against
            // its base (pointer comparisons are a privileged program's right), signed.
            let (op, rhs) = g.rng.pick(&[
                ("==", "0"),
                ("!=", "0"),
                (">", "r9"),
                ("<", "r9"),
                ("s<", "r9"),
                ("==", "r9"),
                ("s>", "0"),
            ]);
            g.emit(format!("if r4 {op} {rhs} goto out"));
        }
        11 => {
            // Spilled and filled back: whole (still the pointer), or in part (a number for a
            // privileged program).
            let fill = g.rng.pick(&["u64", "u64", "u32", "u8"]);
            g.emit(format!(
                "*(u64 *)(r10 - 16) = r4\nr4 = *({fill} *)(r10 - 16)"
            ));
        }
        12 | 13 => spill_step(g, kind, s),
        _ => {
            // Scalar arithmetic between the two numbers, in 64 or 32 bits.
            let other = if s == "r7" { "r8" } else { "r7" };
            let op = g.rng.pick(&[
                "+=", "-=", "&=", "|=", "^=", "<<=", ">>=", "s>>=", "*=", "/=", "%=",
            ]);
            let w = g.rng.chance(30);
            if g.rng.chance(50) {
                g.bound(s, "out");
            } else if w {
                g.emit(format!("w{sn} {op} w{}", &other[1..]));
            } else {
                g.emit(format!("{s} {op} {other}"));
            }
            if g.rng.chance(40) {
                g.emit(format!("{s} = -{s}"));
            }
        }
    }
}

/// `r4` spilled the way compiled programs spill pointers (through a copy of the frame pointer,
/// at an offset of the frame the other stores do not use, across a helper call that clobbers
/// `r1`-`r5`, or with a byte of the slot overwritten in between), filled back (whole, or into
/// another register), then moved by arithmetic on the filled value.
fn spill_step(g: &mut Gen, kind: Kind, s: &str) {
    let slot = g.rng.pick(&[24, 32, 40, 48]);
    let via = if g.rng.chance(50) {
        g.emit("r3 = r10");
        "r3"
    } else {
        "r10"
    };
    g.emit(format!("*(u64 *)({via} - {slot}) = r4"));
    match g.rng.below(4) {
        0 => {
            // Clobbered by a helper call; the packet's end (`r5`) is read again after it.
            g.emit("call bpf_get_prandom_u32");
            if matches!(kind, Kind::Pkt | Kind::PktMeta) {
                let (data, end, _) = g.pkt_offsets();
                let e = if kind == Kind::Pkt { end } else { data };
                g.emit(format!("r5 = *(u32 *)(r6 + {e})"));
            }
        }
        1 => {
            // One byte of the spilled pointer overwritten (a number there, or a constant).
            let b = g.rng.pick(&[1, 4, 8]);
            let v = if g.rng.chance(50) { "0" } else { "r7" };
            if v == "0" {
                g.emit(format!("*(u8 *)(r10 - {}) = 0", slot - 8 + b));
            } else {
                g.emit(format!("*(u8 *)(r10 - {}) = r7", slot - 8 + b));
            }
        }
        _ => g.emit("r4 = 0"),
    }
    // Filled into `r4` or through `r2` (then copied), then arithmetic on the filled value.
    if g.rng.chance(50) {
        g.emit(format!("r4 = *(u64 *)(r10 - {slot})"));
    } else {
        g.emit(format!("r2 = *(u64 *)(r10 - {slot})\nr4 = r2"));
    }
    match g.rng.below(5) {
        0 => {
            let k = g.rng.pick(&EDGES);
            g.emit(format!("r4 += {k}"));
        }
        1 => {
            // The distance from the base (a number), then the base plus it.
            g.emit(format!(
                "{s} = r4\n{s} -= r9\n{s} &= 63\nr4 = r9\nr4 += {s}"
            ));
        }
        2 => {
            g.emit(format!("{s} &= 15\nr4 += {s}"));
        }
        3 => {
            // A second spill of the moved pointer and its fill.
            g.emit(format!(
                "r4 += 1\n*(u64 *)(r10 - {slot}) = r4\nr4 = *(u64 *)(r10 - {slot})\nr4 -= 1"
            ));
        }
        _ => {}
    }
}

/// A load, store or atomic through `r4` at an offset near the edges of `len` bytes.
fn access(g: &mut Gen, len: i64, kind: Kind) {
    let (sz, w) = g.size();
    let off = if kind == Kind::Stack {
        // Stack pointers: `len` bytes above the base are the frame.
        match g.rng.below(4) {
            0 => len - w,
            1 => len - w + g.rng.range(1, 4),
            _ => g.edge_off(len, w),
        }
    } else if kind == Kind::Ctx && g.rng.chance(60) {
        // A field of the context at a field's offset, or inside one.
        let f = g.rng.range(0, len / 4 - 1) * 4;
        f + g.rng.pick(&[0, 0, 0, 1, 2, 3, 4])
    } else {
        g.edge_off(len, w)
    };
    match g.rng.below(10) {
        0..=4 => {
            let sign = if w < 8 && g.rng.chance(15) { "s" } else { "u" };
            g.emit(format!("r0 = *({sign}{} *){}", &sz[1..], at("r4", off)));
        }
        5 | 6 => g.emit(format!("*({sz} *){} = r7", at("r4", off))),
        7 => {
            let k = g.rng.pick(&[0, 1, -1]);
            g.emit(format!("*({sz} *){} = {k}", at("r4", off)));
        }
        _ => {
            let (w, r) = if g.rng.chance(50) {
                (4, "w7")
            } else {
                (8, "r7")
            };
            let off = if g.rng.chance(70) { off / w * w } else { off };
            match g.rng.below(3) {
                0 => g.emit(format!("lock *(u{} *){} += {r}", w * 8, at("r4", off))),
                1 => g.emit(format!(
                    "{r} = atomic_fetch_or((u{} *){}, {r})",
                    w * 8,
                    at("r4", off)
                )),
                _ => {
                    let a = at("r4", off);
                    let x = if w == 4 { "xchg32_32" } else { "xchg_64" };
                    g.emit(format!("{r} = {x}({}, {r})", &a[1..a.len() - 1]));
                }
            }
        }
    }
}

/// `r4` as a helper's memory argument, with a size near `len`.
fn helper_pass(g: &mut Gen, len: i64) {
    let size = match g.rng.below(4) {
        0 => len,
        1 => len + 1,
        2 => g.rng.pick(&[0, 1, 4, 8]),
        _ => (len - 1).max(1),
    };
    match g.rng.below(4) {
        0 => {
            // bpf_probe_read_kernel(dst, size, unsafe src): writes `size` bytes.
            g.emit(format!(
                "r1 = r4\nr2 = {size}\nr3 = 0\ncall bpf_probe_read_kernel"
            ));
        }
        1 => {
            // bpf_trace_printk(fmt, size): reads.
            g.emit(format!("r1 = r4\nr2 = {size}\ncall bpf_trace_printk"));
        }
        2 if !g.sock() => {
            g.emit(format!(
                "r1 = r4\nr2 = {size}\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_csum_diff"
            ));
        }
        _ => {
            // A key of `a16` (4 bytes) or `h24` (8 bytes).
            let map = g.rng.pick(&["a16", "h24"]);
            g.emit(format!("r2 = r4\nr1 = {map} ll\ncall bpf_map_lookup_elem"));
        }
    }
}
