// Rule: uninitialised register. r5 is read before anything wrote it.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = r5;
        exit;
    }
}

fn main() {}
