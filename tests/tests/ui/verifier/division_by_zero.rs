// Rule: division by zero. A literal `r1 /= 0` is caught earlier by the assembler (see
// div_zero/); an interpolated value the macro evaluates itself reaches the verifier.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r1 = 5;
        r1 /= { 4 - 4 };
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
