use ebpf_dsl_macros::Btf;

#[derive(Btf)]
struct Flow {
    src: u32,
    dst: u32,
}

fn main() {}
