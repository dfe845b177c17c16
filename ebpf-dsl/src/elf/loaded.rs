//! The shape in which the loaders of ELF objects create a map the object defines.

use crate::spec::{MapSpec, MapType};

/// `m` as the loaders of such objects create it: a perf event array of 0 entries gets one per
/// possible CPU (`possible_cpus`; libbpf's `map_set_def_max_entries`), and a key or value
/// size of 0 (a legacy `struct bpf_map_def` with `.value_size = 0`, as srv6ptf_ebpfagent's)
/// becomes 4, the only size the kernel takes for either: cilium/ebpf's `fixupMagicFields` does
/// so, where libbpf passes 0 on and the kernel refuses the map. Other sizes are left for the
/// kernel to judge. A ring buffer declared with a value type (`__type(value, struct event)`,
/// for bpf2go's `-type`) gets a 0-byte value, as cilium/ebpf's `canHaveValueSize` gives it
/// (the kernel refuses any other). A ring buffer (or user ring buffer) whose size is not a
/// power-of-two multiple of the 4096-byte page gets the next one up, as libbpf's
/// `adjust_ringbuf_sz` does before creating it (a size of 0, or one past the largest such
/// `u32`, is left for the kernel to refuse). xsk-runtime's loader creates an object's maps in this
/// shape, and it is the shape whose creation the static verifier checks for an object's
/// programs ([`MapSpec::creation_check`](crate::spec::MapSpec::creation_check)).
pub fn loaded_shape(m: &MapSpec, possible_cpus: u32) -> MapSpec {
    let mut m = m.clone();
    if m.map_type == MapType::Ringbuf {
        m.value_size = 0;
    }
    if matches!(m.map_type, MapType::Ringbuf | MapType::UserRingbuf) {
        m.max_entries = ringbuf_size(m.max_entries);
    }
    if m.map_type == MapType::PerfEventArray {
        if m.max_entries == 0 {
            m.max_entries = possible_cpus;
        }
        if m.key_size == 0 {
            m.key_size = 4;
        }
        if m.value_size == 0 {
            m.value_size = 4;
        }
    }
    m
}

/// The page size the ring buffer sizes are rounded to (the kernel's on x86-64 and arm64's
/// default; the map-creation rules assume it too).
const PAGE_SIZE: u32 = 4096;

/// libbpf's `adjust_ringbuf_sz`: the smallest power-of-two multiple of the page that holds
/// `size` bytes; 0 stays 0, and a size no such `u32` holds is left as it is.
fn ringbuf_size(size: u32) -> u32 {
    if size == 0 {
        return 0;
    }
    let mut pages: u32 = 1;
    loop {
        let bytes = pages * PAGE_SIZE;
        if bytes >= size {
            return bytes;
        }
        match pages.checked_mul(2) {
            Some(p) if p.checked_mul(PAGE_SIZE).is_some() => pages = p,
            _ => return size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(map_type: MapType, key_size: u32, value_size: u32, max_entries: u32) -> MapSpec {
        MapSpec {
            name: "m".into(),
            map_type,
            key_size,
            value_size,
            max_entries,
            flags: 0,
            btf: None,
            inner: None,
        }
    }

    fn ringbuf(max_entries: u32) -> MapSpec {
        spec(MapType::Ringbuf, 0, 0, max_entries)
    }

    #[test]
    fn ring_buffer_sizes_are_rounded_as_libbpf_does() {
        for (given, loaded) in [
            (0, 0),
            (1, 4096),
            (4096, 4096),
            (4097, 8192),
            (102_912, 131_072),
            (1 << 24, 1 << 24),
            ((1 << 31) + 1, (1 << 31) + 1),
            (u32::MAX, u32::MAX),
        ] {
            assert_eq!(
                loaded_shape(&ringbuf(given), 2).max_entries,
                loaded,
                "{given}"
            );
        }
        let user = spec(MapType::UserRingbuf, 0, 0, 5000);
        assert_eq!(loaded_shape(&user, 2).max_entries, 8192);
        // Other types keep their size.
        let hash = spec(MapType::Hash, 4, 4, 5000);
        assert_eq!(loaded_shape(&hash, 2).max_entries, 5000);
    }
}
