use ebpf_dsl_macros::defmap;

defmap! {
    XSKS: xskmap(key = u32, value = u64, max_entries = 4);
}

fn main() {}
