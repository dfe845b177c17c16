// Rule: unknown helper. bpf_user_ringbuf_drain is a kernel helper the static verifier does
// not model; the message says how to skip the static verifier for such a program. (A name that
// is no helper at all is caught earlier by the assembler: see helper/unknown_name.rs.)
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        call bpf_user_ringbuf_drain;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
