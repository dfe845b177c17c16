use ebpf_dsl_macros::defmap;

defmap! {
    EVENTS: ringbuf(key = u32, max_entries = 4096);
}

fn main() {}
