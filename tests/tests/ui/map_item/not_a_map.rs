use ebpf_dsl_macros::defprogram;

const QUEUES: u32 = 4;

defprogram! {
    PROG: xdp {
        r2 = 0;
        r1 = QUEUES ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
