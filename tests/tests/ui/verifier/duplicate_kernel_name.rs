use ebpf_dsl_macros::{defmap, defprogram};

defmap! {
    A: xskmap(max_entries = 4, name = "socks");
    B: xskmap(max_entries = 4, name = "socks");
}

defprogram! {
    PROG: xdp {
        r2 = 0;
        r1 = A ll;
        r3 = 0;
        call bpf_redirect_map;
        r2 = 0;
        r1 = B ll;
        r3 = 0;
        call bpf_redirect_map;
        exit;
    }
}

fn main() {}
