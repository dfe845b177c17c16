use ebpf_dsl_macros::defmap;

defmap! {
    XSKS: xskmap(max_entries = 4, name = "xsk-map");
}

fn main() {}
