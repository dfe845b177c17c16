use ebpf_dsl_macros::Btf;

struct Opaque(u32);

#[derive(Btf)]
#[repr(C)]
struct Flow {
    src: u32,
    inner: Opaque,
}

fn main() {}
