//! A gzip (RFC 1952) / DEFLATE (RFC 1951) decoder, enough to read `/proc/config.gz`, where
//! the running kernel keeps its configuration when `/boot/config-$(uname -r)` is absent.

/// Bits read least significant first, as DEFLATE packs them.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    bit: u32,
}

impl Bits<'_> {
    fn get(&mut self, n: u32) -> Result<u32, String> {
        let mut v = 0;
        for i in 0..n {
            let byte = *self.data.get(self.pos).ok_or("truncated DEFLATE data")?;
            v |= u32::from(byte >> self.bit & 1) << i;
            self.bit += 1;
            if self.bit == 8 {
                self.bit = 0;
                self.pos += 1;
            }
        }
        Ok(v)
    }

    fn align(&mut self) {
        if self.bit != 0 {
            self.bit = 0;
            self.pos += 1;
        }
    }
}

/// A canonical Huffman code: counts of codes per length, symbols by code.
struct Huffman {
    counts: [u16; 16],
    symbols: Vec<u16>,
}

impl Huffman {
    fn new(lengths: &[u8]) -> Huffman {
        let mut counts = [0u16; 16];
        for &l in lengths {
            counts[usize::from(l)] += 1;
        }
        counts[0] = 0;
        let mut offs = [0u16; 16];
        for i in 1..16 {
            offs[i] = offs[i - 1] + counts[i - 1];
        }
        let mut symbols = vec![0; lengths.len()];
        for (s, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbols[usize::from(offs[usize::from(l)])] = s as u16;
                offs[usize::from(l)] += 1;
            }
        }
        Huffman { counts, symbols }
    }

    fn decode(&self, b: &mut Bits<'_>) -> Result<u16, String> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= b.get(1)? as i32;
            let count = i32::from(self.counts[len]);
            if code - count < first {
                return self
                    .symbols
                    .get((index + code - first) as usize)
                    .copied()
                    .ok_or_else(|| "a bad Huffman code".into());
            }
            index += count;
            first += count;
            first <<= 1;
            code <<= 1;
        }
        Err("a bad Huffman code".into())
    }
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

fn block(b: &mut Bits<'_>, out: &mut Vec<u8>, lit: &Huffman, dist: &Huffman) -> Result<(), String> {
    loop {
        let s = lit.decode(b)?;
        match s {
            0..=255 => out.push(s as u8),
            256 => return Ok(()),
            _ => {
                let i = usize::from(s - 257);
                let len = usize::from(*LEN_BASE.get(i).ok_or("a bad length code")?)
                    + b.get(u32::from(LEN_EXTRA[i]))? as usize;
                let d = usize::from(dist.decode(b)?);
                let back = usize::from(*DIST_BASE.get(d).ok_or("a bad distance code")?)
                    + b.get(u32::from(DIST_EXTRA[d]))? as usize;
                if back > out.len() {
                    return Err("a distance before the start".into());
                }
                for _ in 0..len {
                    out.push(out[out.len() - back]);
                }
            }
        }
    }
}

/// The raw DEFLATE stream `data`, inflated.
fn inflate(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut b = Bits {
        data,
        pos: 0,
        bit: 0,
    };
    let mut out = Vec::new();
    loop {
        let last = b.get(1)?;
        match b.get(2)? {
            0 => {
                b.align();
                let at = b.pos;
                let hdr = data.get(at..at + 4).ok_or("truncated stored block")?;
                let len = usize::from(u16::from_le_bytes([hdr[0], hdr[1]]));
                let body = data
                    .get(at + 4..at + 4 + len)
                    .ok_or("truncated stored block")?;
                out.extend_from_slice(body);
                b.pos = at + 4 + len;
            }
            1 => {
                let mut l = [8u8; 288];
                l[144..256].fill(9);
                l[256..280].fill(7);
                block(&mut b, &mut out, &Huffman::new(&l), &Huffman::new(&[5; 30]))?;
            }
            2 => {
                let hlit = b.get(5)? as usize + 257;
                let hdist = b.get(5)? as usize + 1;
                let hclen = b.get(4)? as usize + 4;
                const ORDER: [usize; 19] = [
                    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
                ];
                let mut cl = [0u8; 19];
                for &o in &ORDER[..hclen] {
                    cl[o] = b.get(3)? as u8;
                }
                let clh = Huffman::new(&cl);
                let mut lens = Vec::with_capacity(hlit + hdist);
                while lens.len() < hlit + hdist {
                    let (v, n) = match clh.decode(&mut b)? {
                        s @ 0..=15 => (s as u8, 1),
                        16 => (
                            *lens.last().ok_or("a repeat with nothing before")?,
                            3 + b.get(2)?,
                        ),
                        17 => (0, 3 + b.get(3)?),
                        _ => (0, 11 + b.get(7)?),
                    };
                    lens.extend(std::iter::repeat_n(v, n as usize));
                }
                if lens.len() > hlit + hdist {
                    return Err("code lengths overflow".into());
                }
                let lit = Huffman::new(&lens[..hlit]);
                let dist = Huffman::new(&lens[hlit..]);
                block(&mut b, &mut out, &lit, &dist)?;
            }
            _ => return Err("a reserved block type".into()),
        }
        if last == 1 {
            return Ok(out);
        }
    }
}

/// The contents of the gzip file `data` (its first member).
pub(crate) fn gunzip(data: &[u8]) -> Result<Vec<u8>, String> {
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err("not a gzip file".into());
    }
    let flags = data[3];
    let mut at = 10;
    if flags & 4 != 0 {
        let x = data.get(at..at + 2).ok_or("truncated gzip header")?;
        at += 2 + usize::from(u16::from_le_bytes([x[0], x[1]]));
    }
    for bit in [8, 16] {
        if flags & bit != 0 {
            let end = data
                .get(at..)
                .and_then(|d| d.iter().position(|&c| c == 0))
                .ok_or("truncated gzip header")?;
            at += end + 1;
        }
    }
    if flags & 2 != 0 {
        at += 2;
    }
    inflate(data.get(at..).ok_or("truncated gzip header")?)
}

#[cfg(test)]
mod tests {
    use super::gunzip;
    use std::io::Write;
    use std::process::{Command, Stdio};

    /// What `gzip -c` makes of a configuration-like text (fixed, dynamic and stored blocks at
    /// levels 1 and 9) comes back whole; without gzip the test says so and passes.
    #[test]
    fn gzip_output_inflates() {
        let text: String = (0..3000)
            .map(|i| {
                format!(
                    "CONFIG_OPTION_{i}={}\n",
                    ["y", "m", "\"str\"", "1000"][i % 4]
                )
            })
            .collect();
        for level in ["-1", "-9"] {
            let Ok(mut child) = Command::new("gzip")
                .args(["-c", level])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
            else {
                eprintln!("skipped: no gzip");
                return;
            };
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(gunzip(&out.stdout).unwrap(), text.as_bytes());
        }
        assert!(gunzip(b"plain text, not gzip").is_err());
    }
}
