use ebpf_dsl_macros::defmap;

defmap! {
    XSKS: xskmap(max_entries = 4, flags = BPF_F_NO_PREALLOC);
}

fn main() {}
