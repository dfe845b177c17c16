use ebpf_dsl_macros::defmap;

defmap! {
    // `inner` belongs to maps of maps only.
    PLAIN: array(value = u64, max_entries = 1, inner = array(value = u64, max_entries = 1));
    // Maps of maps nest one level.
    NESTED: array_of_maps(max_entries = 2, inner = hash_of_maps(key = u32, max_entries = 1));
    // The inner map's own options and rules.
    UNKNOWN: hash_of_maps(key = u32, max_entries = 2, inner = arrray(value = u64));
    BAD_OPTION: array_of_maps(max_entries = 2, inner = array(value = u64, name = "x"));
    EMPTY: array_of_maps(max_entries = 2, inner = array(value = u64, max_entries = 0));
    NO_VALUE: array_of_maps(max_entries = 2, inner = hash(key = u32, max_entries = 4));
}

fn main() {}
