//! The shape in which the loaders of ELF objects create a map the object defines.

use crate::spec::{MapSpec, MapType};

/// `m` as the loaders of such objects create it: a perf event array of 0 entries gets one per
/// possible CPU (`possible_cpus`; libbpf's `map_set_def_max_entries`), and a key or value
/// size of 0 (a legacy `struct bpf_map_def` with `.value_size = 0`, as srv6ptf_ebpfagent's)
/// becomes 4, the only size the kernel takes for either: cilium/ebpf's `fixupMagicFields` does
/// so, where libbpf passes 0 on and the kernel refuses the map. Other sizes are left for the
/// kernel to judge. A ring buffer declared with a value type (`__type(value, struct event)`,
/// for bpf2go's `-type`) gets a 0-byte value, as cilium/ebpf's `canHaveValueSize` gives it
/// (the kernel refuses any other). xsk-runtime's loader creates an object's maps in this
/// shape, and it is the shape whose creation the static verifier checks for an object's
/// programs ([`MapSpec::creation_check`](crate::spec::MapSpec::creation_check)).
pub fn loaded_shape(m: &MapSpec, possible_cpus: u32) -> MapSpec {
    let mut m = m.clone();
    if m.map_type == MapType::Ringbuf {
        m.value_size = 0;
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
