// Every mistake is reported at once: two syntax errors and an unknown map item.
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp {
        r0 = 2;
        mov r1, 3;
        r2 = *(u32 *)(r1 + );
        r1 = NO_SUCH_MAP ll;
        exit;
    }
}

fn main() {}
