// Rule: invalid shift. A literal `r1 <<= 64` is caught earlier by the assembler (see shift/);
// an interpolated value the macro evaluates itself reaches the verifier.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 5;
        r1 <<= { 32 * 2 };
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
