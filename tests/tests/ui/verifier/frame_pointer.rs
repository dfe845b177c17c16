// Rule: read-only frame pointer. Every write to r10 is caught earlier, by the assembler's
// structural checks (so the message has no `[verifier: ...]` tag): the verifier's own check
// never sees such a program from `defprogram!`.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r10 = *(u64 *)(r1 + 0);
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
