//! The scalpel: `trust_call_*:` takes one helper call on trust (here `bpf_csum_update`, which
//! the static verifier does not model), `trust_begin_*:` ... `trust_end_*:` one range; the
//! rest of the program is still verified at compile time.
use ebpf_dsl_macros::defprogram;

defprogram! {
    /// Feeds a checksum delta to the skb, then passes the packet.
    pub CSUM: sched_cls {
        r6 = r1;
        r2 = 0;
    trust_call_csum:
        call bpf_csum_update;
        r1 = r6;
    trust_begin_again:
        r2 = 0;
        call bpf_csum_update;
    trust_end_again:
        r0 = 0;
        exit;
    }
}

fn main() {
    assert_eq!(CSUM.insns.len(), 8);
}
