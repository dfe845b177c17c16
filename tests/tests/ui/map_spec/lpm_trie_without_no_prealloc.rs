use ebpf_dsl_macros::defmap;

defmap! {
    ROUTES: lpm_trie(key_size = 8, value = u32, max_entries = 64);
}

fn main() {}
