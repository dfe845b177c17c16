use ebpf_dsl_macros::defmap;

defmap! {
    SOCKETS_BY_QUEUE_INDEX: xskmap(max_entries = 4);
}

fn main() {}
