use ebpf_dsl_macros::Btf;

#[derive(Btf)]
#[repr(C)]
struct Pair<T> {
    a: T,
    b: T,
}

fn main() {}
