use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = 0;
        r3 = r10;
        r3 += -8;
        r4 = 4;
        call bpf_skb_load_bytes;
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
