use ebpf_dsl_macros::defmap;

defmap! {
    EVENTS: ringbuf(max_entries = 3 * 4096);
}

fn main() {}
