use ebpf_dsl_macros::defmap;

defmap! {
    PCPU: percpu_hash(key = u32, value = u64, max_entries = 16, flags = BPF_F_NUMA_NODE);
    LRU: lru_hash(key = u32, value = u64, max_entries = 16, flags = BPF_F_NO_PREALLOC);
    BIG: hash(key = u32, value = u64, max_entries = 200_000_000);
    OUTER: array_of_maps(max_entries = 4, inner = prog_array(max_entries = 4));
}

fn main() {}
