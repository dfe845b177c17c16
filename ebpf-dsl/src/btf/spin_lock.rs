//! `struct bpf_spin_lock` in map values: the Rust type [`BpfSpinLock`] that describes itself
//! as the kernel's lock, and [`Btf::spin_lock_offset`], where a value type holds its lock (what
//! the kernel reads from a map's BTF when it creates the map, and what the verifier needs for
//! `bpf_spin_lock` / `bpf_spin_unlock`).

use super::{Btf, BtfType, Kind, MapBtf, Member, Type};
use crate::btf::Types;

/// The kernel's `struct bpf_spin_lock` (4 bytes, `__u32 val`) as a member of a map value:
/// `#[derive(Btf)] #[repr(C)] struct Value { lock: BpfSpinLock, packets: u64 }`. A map whose
/// value type has one is created with its BTF (`defmap!` does that), so the kernel knows where
/// the lock is; programs take it with `bpf_spin_lock` and never read or write it directly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(C)]
pub struct BpfSpinLock {
    /// The lock word (the kernel's `val`); programs never touch it.
    pub val: u32,
}

/// The struct name the kernel looks for.
pub const SPIN_LOCK_STRUCT: &str = "bpf_spin_lock";

impl BtfType for BpfSpinLock {
    fn btf_type(btf: &mut Btf) -> u32 {
        let val = u32::btf_type(btf);
        btf.add(Type::new(
            SPIN_LOCK_STRUCT,
            Kind::Struct {
                size: 4,
                members: vec![Member {
                    name: "val".into(),
                    ty: val,
                    bit_offset: 0,
                    bitfield_size: 0,
                }],
            },
        ))
    }
}

/// The struct name of the kernel's `struct bpf_timer` (16 bytes), which a map value holds
/// for `bpf_timer_init` and the other timer helpers.
pub const TIMER_STRUCT: &str = "bpf_timer";

/// The kernel's `struct bpf_timer` (16 opaque bytes, 8-byte aligned) as a member of a map
/// value: `#[derive(Btf)] #[repr(C)] struct Value { timer: BpfTimer, hits: u64 }`. The map
/// (hash, LRU hash or array) is created with its BTF, so the kernel knows where the timer is;
/// programs use it through `bpf_timer_init` / `_set_callback` / `_start` / `_cancel` and never
/// read or write it directly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[repr(C, align(8))]
pub struct BpfTimer {
    /// The kernel's `__opaque` words; programs never touch them.
    pub opaque: [u64; 2],
}

impl BtfType for BpfTimer {
    fn btf_type(btf: &mut Btf) -> u32 {
        let words = <[u64; 2]>::btf_type(btf);
        btf.add(Type::new(
            TIMER_STRUCT,
            Kind::Struct {
                size: 16,
                members: vec![Member {
                    name: "__opaque".into(),
                    ty: words,
                    bit_offset: 0,
                    bitfield_size: 0,
                }],
            },
        ))
    }
}

/// Where the value of one map holds its `struct bpf_timer`: the map's name and the timer's
/// byte offset in the value (from an ELF object's BTF, see `VerifyInput::timers`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapTimer {
    /// The map's name ([`crate::MapSpec::name`]).
    pub map: String,
    /// The timer's byte offset in the value.
    pub offset: u32,
}

/// Where the value of one map holds its `struct bpf_spin_lock`: the map's name and the lock's
/// byte offset in the value (what the verifier takes for maps whose BTF is not a Rust type, e.g.
/// an ELF object's, see `VerifyInput::spin_locks`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapSpinLock {
    /// The map's name ([`crate::MapSpec::name`]).
    pub map: String,
    /// The lock's byte offset in the value.
    pub offset: u32,
}

impl MapBtf {
    /// The byte offset of the `struct bpf_spin_lock` in the value type (see
    /// [`Btf::spin_lock_offset`]).
    pub fn spin_lock_offset(&self) -> Option<u32> {
        let (btf, _, value) = self.build()?;
        btf.spin_lock_offset(value)
    }

    /// The byte offset of the `struct bpf_timer` in the value type (see
    /// [`Btf::timer_offset`]).
    pub fn timer_offset(&self) -> Option<u32> {
        let (btf, _, value) = self.build()?;
        btf.timer_offset(value)
    }
}

impl Btf {
    /// Skips typedefs and qualifiers (`None` for `void` and broken chains).
    fn strip_mods(&self, id: u32) -> Option<u32> {
        self.skip_mods(id).filter(|&i| i != 0)
    }

    /// The byte offset of the `struct bpf_spin_lock` in type `id` (a map's value type), found
    /// as the kernel does: a member of that struct type, directly or in a nested struct or
    /// union member. `None` when there is none, when there is more than one (the kernel refuses
    /// to create such a map), when `id` is not a struct or union, or when the lock is not at a
    /// 4-byte aligned byte offset.
    pub fn spin_lock_offset(&self, id: u32) -> Option<u32> {
        self.special_field_offset(id, SPIN_LOCK_STRUCT, 4, 4)
    }

    /// The byte offset of the `struct bpf_timer` (16 bytes, 8-byte aligned) in type `id` (a
    /// map's value type), found as [`Btf::spin_lock_offset`] finds a lock: `None` when there
    /// is none, more than one (the kernel refuses to create such a map), or one at an offset
    /// that is not a multiple of 8.
    pub fn timer_offset(&self, id: u32) -> Option<u32> {
        self.special_field_offset(id, TIMER_STRUCT, 16, 8)
    }

    /// The byte offset of the one member of struct type `name` (of `size` bytes, at an offset
    /// aligned to `align`) in type `id`, directly or in nested structs and unions.
    fn special_field_offset(&self, id: u32, name: &str, size: u32, align: u32) -> Option<u32> {
        let mut found = Vec::new();
        self.find_locks(self.strip_mods(id)?, 0, 0, (name, size), &mut found);
        match found.as_slice() {
            [off] if off % align == 0 => Some(*off),
            _ => None,
        }
    }

    /// Collects the byte offsets of the members of struct type `want` (its name and size)
    /// among the members of `id` (at `base`).
    fn find_locks(&self, id: u32, base: u32, depth: u32, want: (&str, u32), found: &mut Vec<u32>) {
        let Some(t) = self.get(id) else { return };
        let (Kind::Struct { members, .. } | Kind::Union { members, .. }) = &t.kind else {
            return;
        };
        // Nesting deeper than the kernel's own limit gives up (no lock found).
        if depth > 8 || found.len() > 1 {
            return;
        }
        for m in members {
            let Some(mt) = self.strip_mods(m.ty) else {
                continue;
            };
            let Some(ty) = self.get(mt) else { continue };
            // Past 4 GiB (a malformed object's offsets, nested): no map value holds it.
            let Some(off) = base.checked_add(m.bit_offset / 8) else {
                continue;
            };
            match &ty.kind {
                Kind::Struct { size, .. } if *size == want.1 && ty.name == want.0 => {
                    if m.bit_offset % 8 == 0 {
                        found.push(off);
                    } else {
                        // A lock at a bit offset: never a valid layout; count it so that the
                        // map is taken as having none.
                        found.extend([off, off]);
                    }
                }
                Kind::Struct { .. } | Kind::Union { .. } => {
                    self.find_locks(mt, off, depth + 1, want, found)
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(members: &[(&str, u32, u32)], size: u32) -> Type {
        Type::new(
            "value",
            Kind::Struct {
                size,
                members: members
                    .iter()
                    .map(|(n, ty, off)| Member {
                        name: (*n).into(),
                        ty: *ty,
                        bit_offset: off * 8,
                        bitfield_size: 0,
                    })
                    .collect(),
            },
        )
    }

    #[test]
    fn the_lock_is_found_at_its_offset_directly_or_nested() {
        let mut b = Btf::new();
        let lock = BpfSpinLock::btf_type(&mut b);
        let u64_ = u64::btf_type(&mut b);
        let v = b.add(value(&[("packets", u64_, 0), ("lock", lock, 8)], 16));
        assert_eq!(b.spin_lock_offset(v), Some(8));
        let td = b.add(Type::new("value_t", Kind::Typedef(v)));
        assert_eq!(b.spin_lock_offset(td), Some(8));
        let outer = b.add(value(&[("a", u64_, 0), ("inner", v, 8)], 24));
        assert_eq!(b.spin_lock_offset(outer), Some(16));
        // No lock, two locks, or the lock itself as the value: none.
        let plain = b.add(value(&[("a", u64_, 0)], 8));
        assert_eq!(b.spin_lock_offset(plain), None);
        let two = b.add(value(&[("l1", lock, 0), ("l2", lock, 4)], 8));
        assert_eq!(b.spin_lock_offset(two), None);
        assert_eq!(b.spin_lock_offset(lock), None);
        assert_eq!(b.spin_lock_offset(u64_), None);
        assert_eq!(b.spin_lock_offset(999), None);
    }
}
