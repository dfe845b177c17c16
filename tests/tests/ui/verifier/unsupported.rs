// Rule: not modelled. The static verifier knows xdp, socket_filter and tc programs; for the
// others the message names the escape hatch, `verify = structural`.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: kprobe {
        r0 = 0;
        exit;
    }
}

fn main() {}
