// Rule: helper argument. bpf_redirect_map needs a map in r1, not a number.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 0;
        r2 = 0;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
