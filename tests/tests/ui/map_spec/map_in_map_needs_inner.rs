use ebpf_dsl_macros::defmap;

defmap! {
    OUTER: array_of_maps(max_entries = 4);
}

fn main() {}
