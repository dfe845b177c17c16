//! Load-acquire / store-release on every memory kind, map pointer reads, and the accesses
//! of the strict-alignment shape.

use super::*;

impl Gen {
    /// The register of a value of `size` bytes (w for 1-4, r for 8).
    fn reg(size: i64, r: u8) -> String {
        if size == 8 {
            format!("r{r}")
        } else {
            format!("w{r}")
        }
    }

    /// One load-acquire or store-release (or a pair spilling a pointer) through a random
    /// kind of memory, at a random offset.
    pub(super) fn ordered(&mut self) {
        let skip = self.l("noref");
        let (ty, size) = self.size();
        let mut load = self.rng.chance(50);
        let misalign = if self.rng.chance(15) {
            self.rng.range(1, 7)
        } else {
            0
        };
        // an offset inside `len` bytes, aligned unless `misalign`, sometimes past the end
        let place = |g: &mut Gen, len: i64| -> i64 {
            let past = g.rng.chance(5);
            let slots = (len / size).max(1);
            let o = size * g.rng.range(0, slots - 1) + misalign;
            if past {
                len - size + g.rng.range(1, size)
            } else {
                o
            }
        };
        let kinds: &[u8] = if self.has_packet() {
            b"SSSSMMMMMVVRRRCPKXXN"
        } else {
            b"SSSSMMMMMVVRRRCXXN"
        };
        let mut release = None;
        let (base, off): (String, i64) = match self.rng.pick(kinds) {
            b'S' => {
                if self.rng.chance(80) {
                    for s in 1..=8 {
                        self.emit(&format!("*(u64 *)(r10 - {}) = 0", 8 * s));
                    }
                }
                let o = place(self, 64);
                ("r10".into(), o - 64)
            }
            b'M' => {
                self.lookup(&skip);
                if self.rng.chance(30) {
                    // a variable offset: masked, shifted
                    let (mask, shift) = self.rng.pick(&[(7, 3), (3, 2), (15, 1), (7, 0)]);
                    self.emit("r1 = *(u32 *)(r0 + 0)");
                    self.emit(&format!("r1 &= {mask}"));
                    if shift > 0 {
                        self.emit(&format!("r1 <<= {shift}"));
                    }
                    self.emit("r0 += r1");
                    let o = place(self, 64 - (mask << shift));
                    ("r0".into(), o)
                } else {
                    let o = place(self, 64);
                    ("r0".into(), o)
                }
            }
            b'V' => {
                // a pointer spilled with a store-release, filled with a load-acquire
                let (p, o, s) = self.rng.pick(&[("r6", 0, "u32"), ("r10", -8, "u64")]);
                let at = 8 * self.rng.range(2, 6) + if self.rng.chance(15) { 4 } else { 0 };
                self.emit(&format!("store_release((u64 *)(r10 - {at}), {p})"));
                let fill = if self.rng.chance(15) { "u32" } else { "u64" };
                let d = if fill == "u64" { "r" } else { "w" };
                self.emit(&format!("{d}2 = load_acquire(({fill} *)(r10 - {at}))"));
                if p == "r10" {
                    self.emit("*(u64 *)(r10 - 8) = 1");
                }
                self.emit(&format!("r3 = *({s} *){}", mem("r2", o)));
                self.emit("r9 += r3");
                return;
            }
            b'R' => {
                let len = self.rng.pick(&[16, 32]);
                self.emit("r1 = ring ll");
                self.emit(&format!("r2 = {len}"));
                self.emit("r3 = 0");
                self.emit("call bpf_ringbuf_reserve");
                self.emit(&format!("if r0 == 0 goto {skip}"));
                self.emit("r7 = r0");
                let o = place(self, len);
                release = Some("ring");
                ("r7".into(), o)
            }
            b'C' => {
                let o = self.rng.pick(&[0, 4, 16, 8, 2]);
                ("r6".into(), o)
            }
            b'P' => {
                self.emit("r1 = r7");
                self.emit("r1 += 32");
                self.emit(&format!("if r1 > r8 goto {skip}"));
                let o = place(self, 32);
                ("r7".into(), o)
            }
            b'K' => {
                self.emit("*(u64 *)(r10 - 16) = 0");
                self.emit("*(u32 *)(r10 - 8) = 0");
                self.emit("r1 = r6");
                self.fp(2, 16);
                self.emit("r3 = 12");
                self.emit("r4 = -1");
                self.emit("r5 = 0");
                self.emit("call bpf_sk_lookup_tcp");
                self.emit(&format!("if r0 == 0 goto {skip}"));
                self.emit("r7 = r0");
                release = Some("sock");
                let o = place(self, 16);
                ("r7".into(), o)
            }
            b'X' => {
                // the map's structure (loads; a store is refused)
                self.emit("r5 = vals ll");
                load = load || self.rng.chance(70);
                let o = self.rng.pick(&[64, 68, 72, 76, 88, 92, 104, 136, 40, 80]) + misalign;
                ("r5".into(), o)
            }
            _ => {
                self.emit("r5 = 0");
                ("r5".into(), 0)
            }
        };
        if load {
            let d = Gen::reg(size, 2);
            self.emit(&format!("{d} = load_acquire(({ty} *){})", mem(&base, off)));
            self.emit("r9 += r2");
        } else {
            self.emit("r2 = r9");
            let s = Gen::reg(size, 2);
            self.emit(&format!("store_release(({ty} *){}, {s})", mem(&base, off)));
        }
        match release {
            Some("ring") => {
                self.emit("r1 = r7");
                self.emit("r2 = 0");
                self.emit("call bpf_ringbuf_submit");
            }
            Some(_) => {
                self.emit("r1 = r7");
                self.emit("call bpf_sk_release");
            }
            None => {}
        }
        self.emit(&format!("{skip}:"));
        self.restore_packet();
    }

    /// Reads of the map's kernel structure through its pointer: numbers, a pointer member
    /// followed, the map type's own fields; a load-acquire sometimes, a store or a negative
    /// offset the mistake.
    pub(super) fn map_ptr(&mut self) {
        self.emit("r5 = vals ll");
        for _ in 0..self.rng.range(1, 3) {
            let (mut ty, mut size) = self.size();
            let mut pointer = false;
            let off = match self.rng.below(6) {
                // inside a number field of `struct bpf_map` (offset, size), at an offset of
                // the access's size
                0 | 1 => {
                    let (f, len) = self.rng.pick(&[
                        (64, 4),
                        (68, 4),
                        (72, 4),
                        (76, 4),
                        (80, 8),
                        (88, 4),
                        (92, 4),
                        (104, 4),
                        (108, 4),
                        (112, 4),
                        (116, 4),
                        (136, 16),
                        (184, 8),
                        (0, 32),
                        (32, 4),
                    ]);
                    while size > len {
                        (ty, size) = self.size();
                    }
                    f + size * self.rng.range(0, len / size - 1)
                }
                // a pointer member: ops, inner_map_meta, record, btf, objcg
                2 => {
                    (ty, size, pointer) = ("u64", 8, true);
                    self.rng.pick(&[40, 48, 96, 120, 128])
                }
                // past `struct bpf_map` (296 bytes in 6.18): `struct bpf_array`'s elem_size,
                // index_mask, aux (a pointer), then its values (312)
                3 => 296 + size * self.rng.range(0, 20 / size),
                _ if self.rng.chance(70) => size * self.rng.range(0, 312 / size),
                _ => self.rng.range(0, 320),
            };
            let off = if self.rng.chance(3) { -size } else { off };
            let op = if pointer && self.rng.chance(80) {
                99
            } else {
                self.rng.below(20)
            };
            match op {
                0 => {
                    self.emit("r2 = r9");
                    self.emit(&format!("*({ty} *){} = r2", mem("r5", off)));
                }
                1..=5 => {
                    let d = Gen::reg(size, 2);
                    self.emit(&format!("{d} = load_acquire(({ty} *){})", mem("r5", off)));
                    self.keep_number(size);
                }
                99 => {
                    // a pointer member, then a read through it
                    self.emit(&format!("r2 = *(u64 *){}", mem("r5", off)));
                    let o2 = 8 * self.rng.range(0, 12) + if self.rng.chance(10) { 2 } else { 0 };
                    let nul = self.l("nul");
                    if self.rng.chance(50) {
                        self.emit(&format!("if r2 == 0 goto {nul}"));
                    }
                    self.emit(&format!("r3 = *(u32 *)(r2 + {o2})"));
                    self.emit("r9 += r3");
                    self.emit(&format!("{nul}:"));
                }
                _ => {
                    self.emit(&format!("r2 = *({ty} *){}", mem("r5", off)));
                    self.keep_number(size);
                }
            }
        }
    }

    /// Adds r2 to the running scalar unless 8 bytes were read (maybe a pointer member: the
    /// sum would be pointer arithmetic, not what the shape is about).
    fn keep_number(&mut self, size: i64) {
        if size < 8 {
            self.emit("r9 += r2");
        } else {
            self.emit("r9 += 1");
        }
    }

    /// Packet, map value, ring buffer and stack accesses at constant and variable offsets
    /// (the program is loaded strict: misaligned ones are refused, NET_IP_ALIGN counted).
    pub(super) fn strict(&mut self) {
        let skip = self.l("skip");
        let (ty, size) = self.size();
        let write = self.rng.chance(30);
        let access = |g: &mut Gen, base: &str, off: i64| {
            if write {
                g.emit(&format!("*({ty} *){} = r9", mem(base, off)));
            } else {
                g.emit(&format!("r2 = *({ty} *){}", mem(base, off)));
                g.emit("r9 += r2");
            }
        };
        let kinds: &[u8] = if self.has_packet() {
            b"PPPVVMMMRS"
        } else {
            b"MMMRS"
        };
        // an offset in lo..=hi, most often one where `bias + off` is a multiple of the size
        let aligned = |g: &mut Gen, lo: i64, hi: i64, bias: i64| -> i64 {
            let off = g.rng.range(lo, hi.max(lo));
            if g.rng.chance(75) {
                let down = off - (off + bias).rem_euclid(size);
                if down >= lo {
                    return down;
                }
            }
            off
        };
        match self.rng.pick(kinds) {
            b'P' => {
                let n = self.rng.range(8, 64);
                self.emit("r1 = r7");
                self.emit(&format!("r1 += {n}"));
                self.emit(&format!("if r1 > r8 goto {skip}"));
                // NET_IP_ALIGN: the kernel takes data as 2 past an aligned address
                let off = aligned(self, 0, n - size, 2);
                access(self, "r7", off);
            }
            b'V' => {
                // a variable offset from a packet byte, masked and shifted, then a check
                self.emit("r1 = r7");
                self.emit("r1 += 1");
                self.emit(&format!("if r1 > r8 goto {skip}"));
                self.emit("r1 = *(u8 *)(r7 + 0)");
                let (mask, shift) = self.rng.pick(&[(15, 2), (7, 3), (31, 1), (3, 0), (60, 0)]);
                self.emit(&format!("r1 &= {mask}"));
                if shift > 0 {
                    self.emit(&format!("r1 <<= {shift}"));
                }
                let c = self.rng.range(0, 6);
                self.emit("r2 = r7");
                if c > 0 {
                    self.emit(&format!("r2 += {c}"));
                }
                self.emit("r2 += r1");
                self.emit("r3 = r2");
                self.emit("r3 += 8");
                self.emit(&format!("if r3 > r8 goto {skip}"));
                let off = aligned(self, 0, 8 - size, 2 + c);
                access(self, "r2", off);
            }
            b'M' => {
                self.lookup(&skip);
                if self.rng.chance(40) {
                    let (mask, shift) = self.rng.pick(&[(7, 3), (3, 2), (15, 1), (7, 2), (31, 0)]);
                    self.emit("r1 = *(u32 *)(r0 + 0)");
                    self.emit(&format!("r1 &= {mask}"));
                    if shift > 0 {
                        self.emit(&format!("r1 <<= {shift}"));
                    }
                    self.emit("r0 += r1");
                    let room = 64 - (mask << shift);
                    let off = aligned(self, 0, room - size, 0);
                    access(self, "r0", off);
                } else {
                    let off = aligned(self, 0, 64 - size, 0);
                    access(self, "r0", off);
                }
            }
            b'R' => {
                self.emit("r1 = ring ll");
                self.emit("r2 = 32");
                self.emit("r3 = 0");
                self.emit("call bpf_ringbuf_reserve");
                self.emit(&format!("if r0 == 0 goto {skip}"));
                self.emit("r7 = r0");
                let off = aligned(self, 0, 32 - size, 0);
                access(self, "r7", off);
                self.emit("r1 = r7");
                self.emit("r2 = 0");
                self.emit("call bpf_ringbuf_discard");
                self.emit(&format!("{skip}:"));
                self.restore_packet();
                return;
            }
            _ => {
                for s in 1..=4 {
                    self.emit(&format!("*(u64 *)(r10 - {}) = 0", 8 * s));
                }
                let off = aligned(self, -32, -size, 0);
                access(self, "r10", off);
            }
        }
        self.emit(&format!("{skip}:"));
    }
}
