use ebpf_dsl_macros::defmap;

defmap! {
    XSKS: xsk_map(max_entries = 4);
}

fn main() {}
