//! The mutation engine of `tests/fuzz_elf.rs`: a seed object's fields found by walking its
//! ELF headers, symbol and relocation tables, `.BTF` type records and `.BTF.ext` records, and
//! the mutations that aim at them.

#![allow(dead_code)]

/// SplitMix64: a tiny, good-enough PRNG with a 64-bit state (no dependency needed).
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 for `n == 0`).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// True once in `one_in` times.
    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// One seed object and where its interesting fields are.
pub struct Seed {
    /// Where it comes from.
    pub name: String,
    /// The object.
    pub bytes: Vec<u8>,
    /// Fields by class: (offset, width) of each.
    pub fields: Vec<(&'static str, Vec<(usize, usize)>)>,
    /// Section header offsets.
    pub headers: Vec<usize>,
    /// Each section's (offset, size), as its header gives them.
    pub sections: Vec<(usize, usize)>,
}

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?) as usize)
}
fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}
fn u64_at(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
}

/// Words (`width` bytes each) of `[start, start + len)`, at most `max` of them spread over it.
fn words(start: usize, len: usize, width: usize, max: usize) -> Vec<(usize, usize)> {
    let n = len / width;
    let step = n.div_ceil(max.max(1)).max(1);
    (0..n)
        .step_by(step)
        .map(|k| (start + k * width, width))
        .collect()
}

/// The fields of a (well-formed) seed, found by walking its headers.
pub fn analyse(name: String, bytes: Vec<u8>) -> Seed {
    let b = &bytes;
    let mut fields: Vec<(&'static str, Vec<(usize, usize)>)> = Vec::new();
    fields.push((
        "elf header",
        vec![
            (16, 2),
            (18, 2),
            (20, 4),
            (32, 8),
            (40, 8),
            (48, 4),
            (52, 2),
            (58, 2),
            (60, 2),
            (62, 2),
        ],
    ));
    let shoff = u64_at(b, 40).unwrap_or(0);
    let shnum = u16_at(b, 60).unwrap_or(0);
    let shstrndx = u16_at(b, 62).unwrap_or(0);
    let strtab = u64_at(b, shoff + 64 * shstrndx + 24).unwrap_or(0);
    let mut headers = Vec::new();
    let mut sections = Vec::new();
    let (mut sh, mut sym, mut rel, mut btf_h, mut btf_t, mut btf_s) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut ext_h, mut ext_r, mut code, mut maps, mut strs) =
        (vec![], vec![], vec![], vec![], vec![]);
    let mut btf_fields: [Vec<(usize, usize)>; 5] = Default::default();
    let mut ext_fields: [Vec<(usize, usize)>; 3] = Default::default();
    for i in 0..shnum {
        let h = shoff + 64 * i;
        if b.len() < h + 64 {
            break;
        }
        headers.push(h);
        for (off, w) in [
            (0, 4),
            (4, 4),
            (8, 8),
            (24, 8),
            (32, 8),
            (40, 4),
            (44, 4),
            (48, 8),
            (56, 8),
        ] {
            sh.push((h + off, w));
        }
        let ty = u32_at(b, h + 4).unwrap_or(0);
        let flags = u64_at(b, h + 8).unwrap_or(0);
        let off = u64_at(b, h + 24).unwrap_or(0);
        let size = u64_at(b, h + 32).unwrap_or(0);
        let sname = {
            let n = strtab + u32_at(b, h).unwrap_or(0);
            let end = b[n.min(b.len())..]
                .iter()
                .position(|&c| c == 0)
                .map_or(b.len(), |e| n + e);
            String::from_utf8_lossy(&b[n.min(end)..end]).to_string()
        };
        sections.push((off, size));
        if off.checked_add(size).is_none_or(|e| e > b.len()) || ty == 8 {
            continue;
        }
        match ty {
            2 => {
                for e in (off..off + size).step_by(24).take(400) {
                    sym.extend([
                        (e, 4),
                        (e + 4, 1),
                        (e + 5, 1),
                        (e + 6, 2),
                        (e + 8, 8),
                        (e + 16, 8),
                    ]);
                }
            }
            9 => {
                for e in (off..off + size).step_by(16).take(2000) {
                    rel.extend([(e, 8), (e, 4), (e + 8, 4), (e + 12, 4)]);
                }
            }
            3 => strs.extend(words(off, size, 1, 200)),
            _ if sname == ".BTF" => {
                btf_h.extend([(off, 2), (off + 2, 1), (off + 3, 1)]);
                btf_h.extend(words(off + 4, 20, 4, 5));
                let hdr = u32_at(b, off + 4).unwrap_or(24);
                let (t_off, t_len) = (
                    u32_at(b, off + 8).unwrap_or(0),
                    u32_at(b, off + 12).unwrap_or(0),
                );
                let s_off = u32_at(b, off + 16).unwrap_or(0);
                let s_len = u32_at(b, off + 20).unwrap_or(0);
                btf_t.extend(words(off + hdr + t_off, t_len, 4, 4000));
                btf_s.extend(words(off + hdr + s_off, s_len, 1, 400));
                let (start, end) = (
                    off + hdr + t_off,
                    (off + hdr + t_off + t_len).min(off + size),
                );
                btf_walk(b, start, end, &mut btf_fields);
            }
            _ if sname == ".BTF.ext" => {
                ext_h.extend([(off, 2), (off + 2, 1), (off + 3, 1)]);
                let hdr = u32_at(b, off + 4).unwrap_or(32);
                ext_h.extend(words(off + 4, hdr.saturating_sub(4).min(size), 4, 10));
                ext_r.extend(words(off + hdr, size.saturating_sub(hdr), 4, 4000));
                ext_walk(b, off, hdr, size, &mut ext_fields);
            }
            _ if flags & 4 != 0 => {
                // Instructions: opcode, registers, offset, immediate.
                for e in (off..off + size).step_by(8).take(4000) {
                    code.extend([(e, 1), (e + 1, 1), (e + 2, 2), (e + 4, 4)]);
                }
            }
            _ => maps.extend(words(off, size, 4, 400)),
        }
    }
    for (class, f) in [
        ("section header", sh),
        ("symbol", sym),
        ("relocation", rel),
        ("BTF header", btf_h),
        ("BTF type", btf_t),
        ("BTF string", btf_s),
        ("BTF.ext header", ext_h),
        ("BTF.ext record", ext_r),
        ("code", code),
        ("data/maps", maps),
        ("string table", strs),
    ]
    .into_iter()
    .chain(BTF_CLASSES.into_iter().zip(btf_fields))
    .chain(EXT_CLASSES.into_iter().zip(ext_fields))
    {
        let f: Vec<_> = f.into_iter().filter(|&(a, w)| a + w <= b.len()).collect();
        if !f.is_empty() {
            fields.push((class, f));
        }
    }
    Seed {
        name,
        bytes,
        fields,
        headers,
        sections,
    }
}

/// The classes of the `.BTF` type records' fields [`btf_walk`] finds.
const BTF_CLASSES: [&str; 5] = [
    "BTF name offset",
    "BTF info (kind, vlen)",
    "BTF size or type",
    "BTF type reference",
    "BTF count or offset",
];

/// Sorts the fields of the `.BTF` type records in `b[start..end]` into [`BTF_CLASSES`].
fn btf_walk(b: &[u8], start: usize, end: usize, out: &mut [Vec<(usize, usize)>; 5]) {
    let mut at = start;
    while at + 12 <= end && out[0].len() < 20_000 {
        let info = u32_at(b, at + 4).unwrap_or(0);
        let (kind, vlen) = ((info >> 24) & 0x1f, info & 0xffff);
        out[0].push((at, 4));
        out[1].extend([(at + 4, 4), (at + 4, 2), (at + 7, 1)]);
        out[2].push((at + 8, 4));
        at += 12;
        let (refs, counts): (&[usize], &[usize]) = match kind {
            1 | 14 | 17 => (&[], &[0]),
            3 => (&[0, 4], &[8]),
            4 | 5 => {
                for m in 0..vlen {
                    let e = at + 12 * m;
                    out[0].push((e, 4));
                    out[3].push((e + 4, 4));
                    out[4].push((e + 8, 4));
                }
                (&[], &[])
            }
            6 => {
                for m in 0..vlen {
                    out[0].push((at + 8 * m, 4));
                    out[4].push((at + 8 * m + 4, 4));
                }
                (&[], &[])
            }
            13 => {
                for m in 0..vlen {
                    out[0].push((at + 8 * m, 4));
                    out[3].push((at + 8 * m + 4, 4));
                }
                (&[], &[])
            }
            15 => {
                for m in 0..vlen {
                    out[3].push((at + 12 * m, 4));
                    out[4].extend([(at + 12 * m + 4, 4), (at + 12 * m + 8, 4)]);
                }
                (&[], &[])
            }
            19 => {
                for m in 0..vlen {
                    out[0].push((at + 12 * m, 4));
                    out[4].extend([(at + 12 * m + 4, 4), (at + 12 * m + 8, 4)]);
                }
                (&[], &[])
            }
            _ => (&[], &[]),
        };
        for &r in refs {
            out[3].push((at + r, 4));
        }
        for &c in counts {
            out[4].push((at + c, 4));
        }
        at += match kind {
            1 | 14 | 17 => 4,
            3 => 12,
            4 | 5 | 15 | 19 => 12 * vlen,
            6 | 13 => 8 * vlen,
            _ => 0,
        };
    }
}

/// The classes of the `.BTF.ext` fields [`ext_walk`] finds.
const EXT_CLASSES: [&str; 3] = [
    "BTF.ext record size, section name or count",
    "BTF.ext instruction offset",
    "BTF.ext record field",
];

/// Sorts the fields of the `.BTF.ext` at `b[off..off + size]` (header `hdr` bytes) into
/// [`EXT_CLASSES`]: its func_info, line_info and core_relo subsections.
fn ext_walk(b: &[u8], off: usize, hdr: usize, size: usize, out: &mut [Vec<(usize, usize)>; 3]) {
    for sub in 0..3 {
        if 8 + 8 * sub + 8 > hdr {
            break;
        }
        let (s_off, s_len) = (
            u32_at(b, off + 8 + 8 * sub).unwrap_or(0),
            u32_at(b, off + 12 + 8 * sub).unwrap_or(0),
        );
        let start = off + hdr + s_off;
        let end = (start + s_len).min(off + size);
        let Some(rec) = u32_at(b, start).filter(|&r| r >= 8) else {
            continue;
        };
        out[0].push((start, 4));
        let mut at = start + 4;
        while at + 8 <= end && out[2].len() < 20_000 {
            let n = u32_at(b, at + 4).unwrap_or(0);
            out[0].extend([(at, 4), (at + 4, 4)]);
            at += 8;
            for _ in 0..n {
                if at + rec > end {
                    break;
                }
                out[1].push((at, 4));
                out[2].extend(words(at + 4, rec - 4, 4, 8));
                at += rec;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mutations.

fn put(b: &mut [u8], at: usize, width: usize, v: u64) {
    if let Some(d) = b.get_mut(at..at + width) {
        d.copy_from_slice(&v.to_le_bytes()[..width]);
    }
}

fn get(b: &[u8], at: usize, width: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at..at + width) {
        w[..width].copy_from_slice(s);
    }
    u64::from_le_bytes(w)
}

/// An interesting value for a field of `width` bytes at `at` of `b` in `s`.
fn value(rng: &mut Rng, s: &Seed, b: &[u8], at: usize, width: usize) -> u64 {
    let old = get(b, at, width);
    let len = b.len() as u64;
    let max = if width == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * width)) - 1
    };
    let v = match rng.below(16) {
        0 => 0,
        1 => 1,
        2 => max,
        3 => max >> 1,
        4 => (max >> 1) + 1,
        5 => old.wrapping_add(1 + rng.below(8) as u64),
        6 => old.wrapping_sub(1 + rng.below(8) as u64),
        7 => len.wrapping_add(rng.below(3) as u64).wrapping_sub(1),
        8 => rng.below(b.len() + 1) as u64,
        // Another section's offset or size: sections into each other.
        9 => {
            let &(o, z) = &s.sections[rng
                .below(s.sections.len().max(1))
                .min(s.sections.len().saturating_sub(1))];
            if rng.chance(2) {
                o as u64
            } else {
                z as u64
            }
        }
        10 => rng.next(),
        11 => old ^ (1 << rng.below(8 * width)),
        12 => old.wrapping_mul(2 + rng.below(1000) as u64),
        13 => 1 << rng.below(8 * width),
        14 => rng.below(64) as u64,
        _ => old >> (1 + rng.below(8)),
    };
    v & max
}

/// 1 to 6 mutations of seed `s` (a splice may take bytes of another of `all`); the input
/// and what was done.
pub fn mutate(rng: &mut Rng, s: &Seed, all: &[Seed]) -> (Vec<u8>, Vec<String>) {
    let mut b = s.bytes.clone();
    let mut log = Vec::new();
    let n = 1 + rng.below(3) + if rng.chance(4) { rng.below(4) } else { 0 };
    for _ in 0..n {
        match rng.below(20) {
            // A structured field: the most of them.
            0..=11 => {
                let (class, fs) = &s.fields[rng.below(s.fields.len())];
                let (at, width) = fs[rng.below(fs.len())];
                let v = value(rng, s, &b, at, width);
                put(&mut b, at, width, v);
                log.push(format!("{class} field at {at:#x} ({width} bytes) = {v:#x}"));
            }
            // Bit flips in a field's neighbourhood.
            12 | 13 => {
                let (class, fs) = &s.fields[rng.below(s.fields.len())];
                let (at, _) = fs[rng.below(fs.len())];
                for _ in 0..1 + rng.below(4) {
                    let a = (at + rng.below(16)).min(b.len().saturating_sub(1));
                    let bit = rng.below(8);
                    if let Some(x) = b.get_mut(a) {
                        *x ^= 1 << bit;
                    }
                    log.push(format!("{class}: bit {bit} of {a:#x} flipped"));
                }
            }
            // A random byte anywhere.
            14 => {
                let a = rng.below(b.len());
                let v = rng.next() as u8;
                if let Some(x) = b.get_mut(a) {
                    *x = v;
                }
                log.push(format!("byte {a:#x} = {v:#x}"));
            }
            // Truncation: anywhere, or at/in a section.
            15 => {
                let at = if rng.chance(2) || s.sections.is_empty() {
                    rng.below(b.len() + 1)
                } else {
                    let (o, z) = s.sections[rng.below(s.sections.len())];
                    (o + rng.below(z + 1)).min(b.len())
                };
                b.truncate(at);
                log.push(format!("truncated to {at:#x}"));
            }
            // A section header copied over another, or two swapped.
            16 | 17 if s.headers.len() >= 2 => {
                let i = s.headers[rng.below(s.headers.len())];
                let j = s.headers[rng.below(s.headers.len())];
                if i + 64 <= b.len() && j + 64 <= b.len() && i != j {
                    let hi: Vec<u8> = b[i..i + 64].to_vec();
                    if rng.chance(2) {
                        let hj: Vec<u8> = b[j..j + 64].to_vec();
                        b[i..i + 64].copy_from_slice(&hj);
                        log.push(format!("section headers at {i:#x} and {j:#x} swapped"));
                    } else {
                        log.push(format!("section header at {i:#x} copied over {j:#x}"));
                    }
                    b[j..j + 64].copy_from_slice(&hi);
                }
            }
            // A section header's offset/size set to cover another section (overlap), or its
            // link/info to another index.
            18 if !s.headers.is_empty() => {
                let h = s.headers[rng.below(s.headers.len())];
                let &(o, z) = &s.sections[rng.below(s.sections.len())];
                match rng.below(3) {
                    0 => {
                        put(&mut b, h + 24, 8, o as u64);
                        put(&mut b, h + 32, 8, z as u64);
                    }
                    1 => {
                        let rest = b.len() - o.min(b.len());
                        put(&mut b, h + 32, 8, rest as u64)
                    }
                    _ => put(
                        &mut b,
                        h + 40 + 4 * rng.below(2),
                        4,
                        rng.below(s.headers.len() + 2) as u64,
                    ),
                }
                log.push(format!("section header at {h:#x} aimed at another section"));
            }
            // A splice: bytes of this or another seed copied over a field's neighbourhood.
            _ => {
                let other = &all[rng.below(all.len())];
                let len = 1 + rng.below(64);
                let from = rng.below(other.bytes.len().saturating_sub(len).max(1));
                let (_, fs) = &s.fields[rng.below(s.fields.len())];
                let (at, _) = fs[rng.below(fs.len())];
                let src =
                    &other.bytes[from.min(other.bytes.len())..(from + len).min(other.bytes.len())];
                let end = (at + src.len()).min(b.len());
                if at < end {
                    b[at..end].copy_from_slice(&src[..end - at]);
                }
                log.push(format!(
                    "{len} bytes of `{}` at {from:#x} spliced at {at:#x}",
                    other.name
                ));
            }
        }
    }
    (b, log)
}
