//! Where map values hold their `struct bpf_spin_lock` and their `struct bpf_timer` (from the
//! map's BTF or [`VerifyInput::spin_locks`] / [`VerifyInput::timers`]): read once per
//! verification by the run context (`context.rs`) and used by the lock and timer rules
//! (`transfer/call/lock.rs`, `transfer/call/timer.rs`), so it sits below them.

use crate::btf::MapSpinLock;
use crate::spec::MapType;
use crate::verifier::VerifyInput;

/// The size of `struct bpf_spin_lock`.
pub(crate) const LOCK_SIZE: i64 = 4;

/// Map types the kernel lets hold a spin lock that these program types can use
/// (`map_check_btf`): hash, array, socket storage.
fn may_hold_lock(t: MapType) -> bool {
    matches!(t, MapType::Hash | MapType::Array | MapType::SkStorage)
}

/// For each map of `input`: the offset of the `bpf_spin_lock` in its value
/// ([`spin_lock_offset`]).
pub(crate) fn spin_lock_offsets(input: &VerifyInput) -> Vec<Option<u32>> {
    input
        .maps
        .iter()
        .map(|m| spin_lock_offset(input, m))
        .collect()
}

/// The offset of the `bpf_spin_lock` in the value of map `m` (one of `input`'s, or an inner
/// map of one, named `OUTER.inner`), from its [`crate::spec::MapSpec::btf`] or else from
/// [`VerifyInput::spin_locks`].
pub(crate) fn spin_lock_offset(input: &VerifyInput, m: &crate::spec::MapSpec) -> Option<u32> {
    if !may_hold_lock(m.map_type) {
        return None;
    }
    let off = match &m.btf {
        Some(b) => b.spin_lock_offset(),
        None => input
            .spin_locks
            .iter()
            .find(|l: &&MapSpinLock| l.map == m.name_str())
            .map(|l| l.offset),
    }?;
    (off as i64 + LOCK_SIZE <= m.value_size as i64).then_some(off)
}

/// The size of `struct bpf_timer`.
pub(crate) const TIMER_SIZE: i64 = 16;

/// Map types the kernel lets hold a `struct bpf_timer` (`map_check_btf`: hash, LRU hash,
/// array; creating any other map with one fails).
fn may_hold_timer(t: MapType) -> bool {
    matches!(t, MapType::Hash | MapType::LruHash | MapType::Array)
}

/// For each map of `input`: the offset of the `bpf_timer` in its value, from its
/// [`crate::spec::MapSpec::btf`] or else from [`VerifyInput::timers`]. `None` for a map
/// without one, of a type that cannot hold one, or whose value is too small for it.
pub(crate) fn timer_offsets(input: &VerifyInput) -> Vec<Option<u32>> {
    input
        .maps
        .iter()
        .map(|m| {
            if !may_hold_timer(m.map_type) {
                return None;
            }
            let off = match &m.btf {
                Some(b) => b.timer_offset(),
                None => input
                    .timers
                    .iter()
                    .find(|t| t.map == m.name_str())
                    .map(|t| t.offset),
            }?;
            (off as i64 + TIMER_SIZE <= m.value_size as i64).then_some(off)
        })
        .collect()
}

/// The special fields of the value of every input map ([`map_field`]).
pub(crate) fn map_fields(
    input: &crate::verifier::VerifyInput,
) -> Vec<Option<crate::btf::SpecialFields>> {
    input
        .maps
        .iter()
        .map(|m| map_field(input, m.name_str()))
        .collect()
}

/// The special fields of the value of the map named `map` (one of the input's, or an inner
/// map named `OUTER.inner`), from the program's BTF: `None` for a map without a known value
/// type, or whose record the kernel takes as an error (no field).
pub(crate) fn map_field(
    input: &crate::verifier::VerifyInput,
    map: &str,
) -> Option<crate::btf::SpecialFields> {
    let t = input.program_types?;
    let v = t.value_of(map)?;
    t.btf
        .special_fields(v)
        .ok()
        .filter(|f| !f.fields.is_empty())
}

/// For each map of `input`: its kptr fields (offset, kind, the pointed-to struct's name),
/// from its [`crate::spec::MapSpec::btf`] or else from [`VerifyInput::kptrs`].
pub(crate) fn kptr_fields(
    input: &crate::verifier::VerifyInput,
) -> Vec<Vec<(u32, crate::btf::KptrKind, String)>> {
    input
        .maps
        .iter()
        .map(|m| match &m.btf {
            Some(b) => b.kptr_fields(),
            None => input
                .kptrs
                .iter()
                .filter(|k| k.map == m.name_str())
                .map(|k| (k.offset, k.kind, k.target.clone()))
                .collect(),
        })
        .collect()
}
