use ebpf_dsl_macros::defprogram;

// A 6.12.y from before the bounds deductions the 6.12 model assumes (no gate stands for them).
defprogram! {
    PROG: xdp(kernel = "6.12.80") {
        r0 = 2;
        exit;
    }
}

fn main() {}
