use ebpf_dsl_macros::Btf;

#[derive(Btf)]
#[repr(C)]
enum Verdict {
    Pass,
    Drop,
}

fn main() {}
