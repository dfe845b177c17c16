use ebpf_dsl_macros::defmap;

defmap! {
    DEVS: devmap(value_size = 12, max_entries = 4);
}

fn main() {}
