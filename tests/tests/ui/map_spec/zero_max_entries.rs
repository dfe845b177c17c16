use ebpf_dsl_macros::defmap;

defmap! {
    COUNTS: array(value = u64, max_entries = 0);
}

fn main() {}
