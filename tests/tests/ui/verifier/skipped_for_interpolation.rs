// The static verifier cannot run on an interpolated value (rustc computes it after the
// macro); defprogram! says so with a warning, made an error here to show it.
#![deny(deprecated)]

use ebpf_dsl_macros::defprogram;

const VERDICT: u32 = 2;

defprogram! {
    PROG: xdp {
        r0 = { VERDICT };
        exit;
    }
}

fn main() {}
