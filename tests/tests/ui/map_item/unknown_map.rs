use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r2 = 0;
        r1 = NOPE ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
