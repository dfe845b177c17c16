use ebpf_dsl_macros::defmap;

defmap! {
    FLOWS: hash(value = u64, max_entries = 1024);
}

fn main() {}
