use ebpf_dsl_macros::defmap;

#[allow(dead_code)]
struct Pair {
    a: u32,
    b: u32,
}

defmap! {
    PAIRS: hash(key = Pair, key_size = 12, value = u64, max_entries = 64);
}

fn main() {}
