//! Guest memory as regions. A guest address is a synthetic `u64`: the region's id in the high
//! 32 bits (plus one, so that small numbers and null are never valid) and `0x8000_0000 + offset`
//! in the low 32 bits, so that running a little before or after a region still names it in the
//! error. Every load and store is checked against the region's valid range; nothing here can
//! panic on a guest address.

use super::error::{RegionName, VmErrorKind};
use super::hasher::FastMap;
use super::maps::Map;

pub(crate) mod skb;

/// The bytes of stack each call frame gets (`MAX_BPF_STACK`).
pub const STACK_SIZE: usize = 512;
/// The most nested call frames (`MAX_CALL_FRAMES`).
pub const MAX_FRAMES: usize = 8;

const MID: u64 = 0x8000_0000;
const CTX_ID: u32 = MAX_FRAMES as u32;
const PACKET_ID: u32 = CTX_ID + 1;
const MEM_ID: u32 = CTX_ID + 2;
const FIRST_MAP_ID: u32 = CTX_ID + 3;

/// What a region is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Region {
    Stack(usize),
    Ctx,
    Packet,
    Mem,
    MapObject(usize),
    MapValue { map: usize, slot: usize, cpu: usize },
    Ringbuf { map: usize, rec: usize },
}

/// How the context region reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CtxKind {
    /// No context (raw memory runs: r1 points at the memory itself).
    None,
    /// `struct xdp_md`: 4-byte loads only, `data*` fields give packet pointers.
    Xdp {
        ingress_ifindex: u32,
        rx_queue_index: u32,
    },
    /// `struct __sk_buff` (tc or socket filter).
    Skb(skb::SkbFields),
}

/// The packet buffer: headroom, data, tailroom; offsets into `buf`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Packet {
    pub buf: Vec<u8>,
    pub meta: usize,
    pub data: usize,
    pub end: usize,
    /// The end data_end may grow to (frame size minus the shared-info tailroom).
    pub hard_end: usize,
    /// Bytes of `buf` below this offset may be non-zero from an earlier run; from here up to
    /// the XDP headroom's end they are known to be zero (the next XDP run zeroes only
    /// `low..XDP_HEADROOM`). 0 unless an XDP run set up the buffer.
    pub low: usize,
}

impl Packet {
    /// Makes `frame` (an in-place run's) the run's packet: its buffer is swapped in (this
    /// one's waits in `frame`) and its offsets copied, with [`Packet::give_back`] after the
    /// run. [`Packet::low`] stays this buffer's: it tracks what the VM's own buffer holds,
    /// and a helper lowering it during the frame's run only makes the next copy-in run zero a
    /// little more. This buffer's other offsets need no keeping: every run that uses this
    /// buffer sets them first.
    #[inline(always)]
    pub fn borrow_frame(&mut self, frame: &mut Packet) {
        std::mem::swap(&mut self.buf, &mut frame.buf);
        (self.meta, self.data, self.end, self.hard_end) =
            (frame.meta, frame.data, frame.end, frame.hard_end);
    }

    /// Returns the frame [`Packet::borrow_frame`] took, with the offsets the run left.
    #[inline(always)]
    pub fn give_back(&mut self, frame: &mut Packet) {
        std::mem::swap(&mut self.buf, &mut frame.buf);
        (frame.meta, frame.data, frame.end, frame.hard_end) =
            (self.meta, self.data, self.end, self.hard_end);
    }
}

/// A ring-buffer record reserved and not yet submitted or discarded.
#[derive(Clone, Debug)]
pub(crate) struct Reserved {
    pub map: usize,
    pub bytes: Vec<u8>,
    pub open: bool,
}

/// All guest memory of one run.
pub(crate) struct Memory {
    regions: Vec<Region>,
    value_ids: FastMap<Region, u32>,
    stack: Vec<[u8; STACK_SIZE]>,
    /// Per frame: the lowest offset written since the frame was last zeroed (`STACK_SIZE`:
    /// all zero), so that zeroing a frame touches only what was written.
    stack_low: [usize; MAX_FRAMES],
    pub ctx: CtxKind,
    pub packet: Packet,
    pub mem: Vec<u8>,
    pub maps: Vec<Map>,
    pub cpu: usize,
    pub reserved: Vec<Reserved>,
}

impl Memory {
    pub fn new(maps: Vec<Map>, cpu: usize) -> Memory {
        let mut regions: Vec<Region> = (0..MAX_FRAMES).map(Region::Stack).collect();
        regions.extend([Region::Ctx, Region::Packet, Region::Mem]);
        regions.extend((0..maps.len()).map(Region::MapObject));
        Memory {
            regions,
            value_ids: FastMap::default(),
            stack: vec![[0; STACK_SIZE]; MAX_FRAMES],
            stack_low: [STACK_SIZE; MAX_FRAMES],
            ctx: CtxKind::None,
            packet: Packet::default(),
            mem: Vec::new(),
            maps,
            cpu,
            reserved: Vec::new(),
        }
    }

    /// Makes a used memory ready for another run, keeping its allocations (and the maps):
    /// the regions of the last run are gone, frame 0's stack is zero again (deeper frames are
    /// zeroed when a call enters them).
    pub fn reset(&mut self, cpu: usize) {
        let first_value = FIRST_MAP_ID as usize + self.maps.len();
        // The common case, a run that made no map-value or record region (the value regions
        // are exactly those in `value_ids`), with the maps of the last run: nothing to undo.
        // `value_ids` is empty only when every region past the maps' is gone, so a region
        // table of the right length holds exactly the stack, context, packet, memory and map
        // regions.
        if self.regions.len() != first_value || !self.value_ids.is_empty() {
            self.reset_regions(first_value);
        }
        self.clear_frame(0);
        if !matches!(self.ctx, CtxKind::None) {
            self.ctx = CtxKind::None;
        }
        self.mem.clear();
        self.cpu = cpu;
        if !self.reserved.is_empty() {
            self.reserved.clear();
        }
    }

    /// The region table of [`Memory::reset`] rebuilt: only the fixed regions and the maps'.
    #[cold]
    fn reset_regions(&mut self, first_value: usize) {
        let same_maps = self.regions.len() >= first_value
            && self.regions[FIRST_MAP_ID as usize..first_value]
                .iter()
                .enumerate()
                .all(|(i, r)| *r == Region::MapObject(i));
        if same_maps {
            self.regions.truncate(first_value);
        } else {
            self.regions.truncate(FIRST_MAP_ID as usize);
            self.regions
                .extend((0..self.maps.len()).map(Region::MapObject));
        }
        if !self.value_ids.is_empty() {
            self.value_ids.clear();
        }
    }

    /// Zeroes the stack of call frame `frame` (what was written of it).
    pub fn clear_frame(&mut self, frame: usize) {
        if let (Some(s), Some(low)) = (self.stack.get_mut(frame), self.stack_low.get_mut(frame)) {
            if *low < STACK_SIZE {
                s[*low..].fill(0);
                *low = STACK_SIZE;
            }
        }
    }

    /// Notes a write at `off` of region `r` (the stack's written range).
    #[inline(always)]
    fn touch(&mut self, r: Region, off: usize) {
        if let Region::Stack(f) = r {
            if let Some(low) = self.stack_low.get_mut(f) {
                *low = (*low).min(off);
            }
        }
    }

    fn base(id: u32) -> u64 {
        ((id as u64 + 1) << 32) | MID
    }

    /// The address of byte `off` of region `id`.
    fn addr(id: u32, off: usize) -> u64 {
        Self::base(id).wrapping_add(off as u64)
    }

    /// The frame pointer (`r10`) of call frame `frame`: the end of its stack.
    pub fn frame_pointer(frame: usize) -> u64 {
        Self::addr(frame as u32, STACK_SIZE)
    }
    /// The context's address (`r1` at entry).
    pub fn ctx_addr() -> u64 {
        Self::base(CTX_ID)
    }
    /// The address of byte `off` of the packet buffer.
    pub fn packet_addr(off: usize) -> u64 {
        Self::addr(PACKET_ID, off)
    }
    /// The address of the raw memory.
    pub fn mem_addr() -> u64 {
        Self::base(MEM_ID)
    }
    /// The pointer `ld_imm64 rX = map ll` gives.
    pub fn map_addr(map: usize) -> u64 {
        Self::base(FIRST_MAP_ID + map as u32)
    }
    /// The map a map pointer names, if it is one.
    pub fn map_of(&self, addr: u64) -> Option<usize> {
        match self.region_at(addr)? {
            (Region::MapObject(m), MID) => Some(m),
            _ => None,
        }
    }

    /// The address of a map value (creating its region on first use).
    pub fn value_addr(&mut self, map: usize, slot: usize, off: usize) -> u64 {
        let region = Region::MapValue {
            map,
            slot,
            cpu: self.cpu,
        };
        self.region_addr(region, off)
    }

    /// The address of byte `off` of a ring-buffer record.
    pub fn record_addr(&mut self, map: usize, rec: usize) -> u64 {
        self.region_addr(Region::Ringbuf { map, rec }, 0)
    }

    fn region_addr(&mut self, region: Region, off: usize) -> u64 {
        let id = match self.value_ids.get(&region) {
            Some(&id) => id,
            None => {
                let id = self.regions.len() as u32;
                self.regions.push(region);
                self.value_ids.insert(region, id);
                id
            }
        };
        Self::addr(id, off)
    }

    /// The region an address falls in (by window) and its offset in the window.
    fn region_at(&self, addr: u64) -> Option<(Region, u64)> {
        let window = addr >> 32;
        let id = usize::try_from(window.checked_sub(1)?).ok()?;
        Some((*self.regions.get(id)?, addr & 0xffff_ffff))
    }

    /// The region a pointer points into and the offset from the region's start (may be out
    /// of the region's valid range; `None` if it is no pointer).
    pub fn locate(&self, addr: u64) -> Option<(Region, i64)> {
        self.region_at(addr)
            .map(|(r, w)| (r, w as i64 - MID as i64))
    }

    fn name(&self, r: Region) -> RegionName {
        let map_name = |m: usize| {
            self.maps
                .get(m)
                .map(|m| m.name().to_string())
                .unwrap_or_default()
        };
        match r {
            Region::Stack(frame) => RegionName::Stack { frame },
            Region::Ctx => RegionName::Context,
            Region::Packet => RegionName::Packet,
            Region::Mem => RegionName::Memory,
            Region::MapObject(m) => RegionName::Map { map: map_name(m) },
            Region::MapValue { map, .. } => RegionName::MapValue { map: map_name(map) },
            Region::Ringbuf { map, .. } => RegionName::RingbufRecord { map: map_name(map) },
        }
    }

    /// The valid byte range `[lo, hi)` of a region, in its own offsets.
    fn valid(&self, r: Region) -> (usize, usize) {
        match r {
            Region::Stack(_) => (0, STACK_SIZE),
            Region::Ctx => (
                0,
                if matches!(self.ctx, CtxKind::Skb(_)) {
                    192
                } else {
                    24
                },
            ),
            Region::Packet => (self.packet.meta, self.packet.end),
            Region::Mem => (0, self.mem.len()),
            Region::MapObject(_) => (0, 0),
            Region::MapValue { map, slot, cpu } => {
                let n = self.maps[map].value_at(slot, cpu).map_or(0, <[u8]>::len);
                (0, n)
            }
            Region::Ringbuf { rec, .. } => match self.reserved.get(rec) {
                Some(r) if r.open => (0, r.bytes.len()),
                _ => (0, 0),
            },
        }
    }

    /// Checks an access; returns the region and the offset of its first byte.
    fn check(&self, addr: u64, size: usize, write: bool) -> Result<(Region, usize), VmErrorKind> {
        let Some((r, w)) = self.region_at(addr) else {
            return Err(VmErrorKind::OutOfBounds {
                addr,
                size,
                write,
                region: None,
            });
        };
        let (lo, hi) = self.valid(r);
        let off = w.wrapping_sub(MID) as usize;
        if w < MID || off < lo || off + size > hi {
            // The region's name and bounds are only worked out for the error.
            return Err(VmErrorKind::OutOfBounds {
                addr,
                size,
                write,
                region: Some((
                    self.name(r),
                    Self::addr(self.id_of(r), lo),
                    Self::addr(self.id_of(r), hi),
                )),
            });
        }
        if write && matches!(r, Region::MapObject(_)) {
            return Err(VmErrorKind::ReadOnly {
                addr,
                region: self.name(r),
            });
        }
        Ok((r, off))
    }

    fn id_of(&self, r: Region) -> u32 {
        match r {
            Region::Stack(f) => f as u32,
            Region::Ctx => CTX_ID,
            Region::Packet => PACKET_ID,
            Region::Mem => MEM_ID,
            Region::MapObject(m) => FIRST_MAP_ID + m as u32,
            other => self.value_ids.get(&other).copied().unwrap_or(0),
        }
    }

    fn bytes_mut(&mut self, r: Region) -> &mut [u8] {
        match r {
            Region::Stack(f) => &mut self.stack[f][..],
            Region::Packet => &mut self.packet.buf[..],
            Region::Mem => &mut self.mem[..],
            Region::MapValue { map, slot, cpu } => {
                self.maps[map].value_at_mut(slot, cpu).unwrap_or(&mut [])
            }
            Region::Ringbuf { rec, .. } => &mut self.reserved[rec].bytes[..],
            Region::Ctx | Region::MapObject(_) => &mut [],
        }
    }

    /// The bytes `addr..addr + size` if they lie inside a stack frame, the packet, raw memory
    /// or a map value: the common accesses, without building an error. `None` means "ask
    /// [`Memory::load`] / [`Memory::store`]", which check again and name the error, so this
    /// never decides anything they would decide differently.
    /// `write`: the caller writes the bytes (a stack write is noted, see [`Memory::touch`]).
    #[inline(always)]
    fn fast_slice(&mut self, addr: u64, size: usize, write: bool) -> Option<&mut [u8]> {
        let id = (addr >> 32).wrapping_sub(1);
        // Below MID the offset wraps to a huge value, which no region holds.
        let off = usize::try_from((addr & 0xffff_ffff).wrapping_sub(MID)).ok()?;
        let end = off.checked_add(size)?;
        if id < MAX_FRAMES as u64 {
            let b = self.stack.get_mut(id as usize)?.get_mut(off..end)?;
            if write {
                let low = &mut self.stack_low[id as usize];
                *low = (*low).min(off);
            }
            return Some(b);
        }
        if id == PACKET_ID as u64 {
            if off < self.packet.meta || end > self.packet.end {
                return None;
            }
            return self.packet.buf.get_mut(off..end);
        }
        if id == MEM_ID as u64 {
            return self.mem.get_mut(off..end);
        }
        match self.regions.get(usize::try_from(id).ok()?)? {
            &Region::MapValue { map, slot, cpu } => self
                .maps
                .get_mut(map)?
                .value_at_mut(slot, cpu)?
                .get_mut(off..end),
            _ => None,
        }
    }

    /// [`Memory::load`] for the interpreter's fast path: the stack, the packet, raw memory,
    /// map values and the XDP context's fields; `None` for anything else, and for every access
    /// that would fail (then [`Memory::load`] gives the error).
    #[inline(always)]
    pub fn load_fast(&mut self, addr: u64, size: usize) -> Option<u64> {
        if addr >> 32 == CTX_ID as u64 + 1 {
            // The fields of `xdp_md` (what `ctx_load` gives; anything else is its error).
            if let CtxKind::Xdp {
                ingress_ifindex,
                rx_queue_index,
            } = self.ctx
            {
                let off = (addr & 0xffff_ffff).wrapping_sub(MID);
                if size == 4 && off.is_multiple_of(4) {
                    // A table rather than a `match`: one more indirect jump per context load
                    // showed in the profiles.
                    let fields = [
                        Self::packet_addr(self.packet.data),
                        Self::packet_addr(self.packet.end),
                        Self::packet_addr(self.packet.meta),
                        ingress_ifindex as u64,
                        rx_queue_index as u64,
                    ];
                    return fields.get((off / 4) as usize).copied();
                }
            }
            return None;
        }
        let b = self.fast_slice(addr, size, false)?;
        Some(match *b {
            [a] => a as u64,
            [a, b] => u16::from_le_bytes([a, b]) as u64,
            [a, b, c, d] => u32::from_le_bytes([a, b, c, d]) as u64,
            [a, b, c, d, e, f, g, h] => u64::from_le_bytes([a, b, c, d, e, f, g, h]),
            _ => return None,
        })
    }

    /// [`Memory::store`] for the interpreter's fast path (see [`Memory::load_fast`]): `false`
    /// if it did not store (then [`Memory::store`] stores or gives the error).
    #[inline(always)]
    pub fn store_fast(&mut self, addr: u64, size: usize, val: u64) -> bool {
        let Some(b) = self.fast_slice(addr, size, true) else {
            return false;
        };
        match b.len() {
            1 => b[0] = val as u8,
            2 => b.copy_from_slice(&(val as u16).to_le_bytes()),
            4 => b.copy_from_slice(&(val as u32).to_le_bytes()),
            8 => b.copy_from_slice(&val.to_le_bytes()),
            _ => return false,
        }
        true
    }

    /// Loads `size` (1, 2, 4 or 8) bytes, zero-extended.
    pub fn load(&mut self, addr: u64, size: usize) -> Result<u64, VmErrorKind> {
        let (r, off) = self.check(addr, size, false)?;
        if r == Region::Ctx {
            return self.ctx_load(off, size);
        }
        let b = &self.bytes_mut(r)[off..off + size];
        let mut v = [0u8; 8];
        v[..size].copy_from_slice(b);
        Ok(u64::from_le_bytes(v))
    }

    /// Stores the low `size` bytes of `val`.
    pub fn store(&mut self, addr: u64, size: usize, val: u64) -> Result<(), VmErrorKind> {
        let (r, off) = self.check(addr, size, true)?;
        if r == Region::Ctx {
            if let CtxKind::Skb(f) = &mut self.ctx {
                if skb::ctx_store(f, off, size, val) {
                    return Ok(());
                }
            }
            return Err(VmErrorKind::BadContextAccess {
                off: off as u64,
                size,
                write: true,
            });
        }
        self.touch(r, off);
        self.bytes_mut(r)[off..off + size].copy_from_slice(&val.to_le_bytes()[..size]);
        Ok(())
    }

    /// Reads `len` bytes (a helper's pointer argument).
    pub fn read(&mut self, addr: u64, len: usize) -> Result<Vec<u8>, VmErrorKind> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let (r, off) = self.check(addr, len, false)?;
        if r == Region::Ctx {
            return Err(VmErrorKind::BadContextAccess {
                off: off as u64,
                size: len,
                write: false,
            });
        }
        Ok(self.bytes_mut(r)[off..off + len].to_vec())
    }

    /// Reads `out.len()` bytes into `out` (a helper's pointer argument, without allocating).
    pub fn read_into(&mut self, addr: u64, out: &mut [u8]) -> Result<(), VmErrorKind> {
        if out.is_empty() {
            return Ok(());
        }
        let len = out.len();
        if let Some(b) = self.fast_slice(addr, len, false) {
            out.copy_from_slice(b);
            return Ok(());
        }
        let (r, off) = self.check(addr, len, false)?;
        if r == Region::Ctx {
            return Err(VmErrorKind::BadContextAccess {
                off: off as u64,
                size: len,
                write: false,
            });
        }
        out.copy_from_slice(&self.bytes_mut(r)[off..off + len]);
        Ok(())
    }

    /// Writes bytes (a helper's output argument).
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), VmErrorKind> {
        if bytes.is_empty() {
            return Ok(());
        }
        let (r, off) = self.check(addr, bytes.len(), true)?;
        if r == Region::Ctx {
            return Err(VmErrorKind::BadContextAccess {
                off: off as u64,
                size: bytes.len(),
                write: true,
            });
        }
        self.touch(r, off);
        self.bytes_mut(r)[off..off + bytes.len()].copy_from_slice(bytes);
        Ok(())
    }

    fn ctx_load(&self, off: usize, size: usize) -> Result<u64, VmErrorKind> {
        let bad = VmErrorKind::BadContextAccess {
            off: off as u64,
            size,
            write: false,
        };
        match &self.ctx {
            CtxKind::None => Err(bad),
            CtxKind::Skb(f) => skb::ctx_load(f, &self.packet, off, size).ok_or(bad),
            CtxKind::Xdp {
                ingress_ifindex,
                rx_queue_index,
            } => {
                if size != 4 {
                    return Err(bad);
                }
                Ok(match off {
                    0 => Self::packet_addr(self.packet.data),
                    4 => Self::packet_addr(self.packet.end),
                    8 => Self::packet_addr(self.packet.meta),
                    12 => *ingress_ifindex as u64,
                    16 => *rx_queue_index as u64,
                    _ => return Err(bad),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Memory {
        let mut m = Memory::new(Vec::new(), 0);
        m.mem = vec![1, 2, 3, 4];
        m
    }

    #[test]
    fn loads_and_stores_inside_a_region() {
        let mut m = mem();
        let a = Memory::mem_addr();
        assert_eq!(m.load(a, 4).unwrap(), 0x0403_0201);
        m.store(a + 1, 2, 0xaabb).unwrap();
        assert_eq!(m.mem, [1, 0xbb, 0xaa, 4]);
        let fp = Memory::frame_pointer(0);
        m.store(fp - 8, 8, u64::MAX).unwrap();
        assert_eq!(m.load(fp - 8, 8).unwrap(), u64::MAX);
    }

    #[test]
    fn out_of_bounds_is_an_error_naming_the_region() {
        let mut m = mem();
        let a = Memory::mem_addr();
        let e = m.load(a + 2, 4).unwrap_err();
        assert!(matches!(
            e,
            VmErrorKind::OutOfBounds { region: Some((RegionName::Memory, s, end)), .. }
                if s == a && end == a + 4
        ));
        let e = m.load(a - 1, 1).unwrap_err();
        assert!(matches!(
            e,
            VmErrorKind::OutOfBounds {
                region: Some(_),
                ..
            }
        ));
        assert!(matches!(
            m.store(Memory::frame_pointer(0), 1, 0).unwrap_err(),
            VmErrorKind::OutOfBounds { .. }
        ));
        // Null, small scalars and huge values are no pointers.
        for addr in [0, 8, u64::MAX, u64::MAX - 3] {
            assert!(matches!(
                m.load(addr, 8).unwrap_err(),
                VmErrorKind::OutOfBounds { region: None, .. }
            ));
        }
    }

    #[test]
    fn xdp_context_gives_packet_pointers() {
        let mut m = mem();
        m.packet = Packet {
            buf: vec![0; 300],
            meta: 256,
            data: 256,
            end: 270,
            hard_end: 300,
            low: 0,
        };
        m.ctx = CtxKind::Xdp {
            ingress_ifindex: 7,
            rx_queue_index: 3,
        };
        let c = Memory::ctx_addr();
        let data = m.load(c, 4).unwrap();
        assert_eq!(m.load(c + 4, 4).unwrap() - data, 14);
        assert_eq!(m.load(c + 12, 4).unwrap(), 7);
        assert_eq!(m.load(c + 16, 4).unwrap(), 3);
        assert!(m.load(c, 8).is_err());
        assert!(m.store(c + 16, 4, 1).is_err());
        assert!(m.load(data + 13, 1).is_ok());
        assert!(m.load(data + 14, 1).is_err());
    }
}
