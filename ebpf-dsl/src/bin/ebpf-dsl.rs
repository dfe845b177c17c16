//! The `ebpf-dsl` command-line tool.

fn main() {
    eprintln!("ebpf-dsl: no subcommands yet");
    std::process::exit(2);
}
