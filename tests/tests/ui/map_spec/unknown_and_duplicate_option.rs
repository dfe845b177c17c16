use ebpf_dsl_macros::defmap;

defmap! {
    FLOWS: hash(key = u32, value = u64, max_entries = 4, max_entires = 8, key = u64);
}

fn main() {}
