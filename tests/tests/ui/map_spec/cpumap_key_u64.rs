use ebpf_dsl_macros::defmap;

defmap! {
    CPUS: cpumap(key = u64, max_entries = 4);
}

fn main() {}
