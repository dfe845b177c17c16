// `alignment = strict`: verified as a load with BPF_F_STRICT_ALIGNMENT. A 4-byte load at
// data + 0 is misaligned there (the kernel counts NET_IP_ALIGN = 2); without the option the
// same program is accepted (x86-64 allows misaligned packet loads).
use ebpf_dsl_macros::defprogram;

defprogram! {
    PROG: xdp(alignment = strict) {
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        r4 = r2;
        r4 += 8;
        if r4 > r3 goto out;
        r5 = *(u32 *)(r2 + 2);
        r5 = *(u32 *)(r2 + 0);
    out:
        r0 = XDP_PASS;
        exit;
    }
}

defprogram! {
    DEFAULT: xdp(alignment = default) {
        r2 = *(u32 *)(r1 + 0);
        r3 = *(u32 *)(r1 + 4);
        r4 = r2;
        r4 += 8;
        if r4 > r3 goto out;
        r5 = *(u32 *)(r2 + 0);
    out:
        r0 = XDP_PASS;
        exit;
    }
}

defprogram! {
    BAD: xdp(alignment = loose) {
        r0 = XDP_PASS;
        exit;
    }
}

fn main() {}
