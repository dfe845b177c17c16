// Rule: unreachable code. The kernel refuses a program with an instruction no path reaches.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = XDP_PASS;
        goto out;
        r0 = XDP_DROP;
    out:
        exit;
    }
}

fn main() {}
