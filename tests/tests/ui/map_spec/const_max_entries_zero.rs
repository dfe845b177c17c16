use ebpf_dsl_macros::defmap;

const N: u32 = 0;

defmap! {
    COUNTS: array(value = u64, max_entries = N);
}

fn main() {}
