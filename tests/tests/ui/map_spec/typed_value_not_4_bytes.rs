use ebpf_dsl_macros::defmap;

#[allow(dead_code)]
struct Sock {
    fd: u32,
    queue: u32,
}

defmap! {
    XSKS: xskmap(value = Sock, max_entries = 4);
}

fn main() {}
