// A divisor or a shift amount that only rustc computes gets the assembler's checks as `const`
// assertions: division by 0 and a shift beyond the operand width fail the build.
use ebpf_dsl_macros::defprogram;

const SCALE: u64 = 0;
const WORD_BITS: u32 = 32;

defprogram! {
    PROG: xdp(verify = structural) {
        r0 = 10;
        r0 /= { SCALE };
        w0 <<= { WORD_BITS };
        exit;
    }
}

fn main() {}
