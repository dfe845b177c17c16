//! Area 2 of `verifier_ptr_fuzz`, dynptr arguments: a ring buffer dynptr
//! (`bpf_ringbuf_reserve_dynptr`) or a local one (`bpf_dynptr_from_mem` over the stack, a map
//! value or the context) in a stack slot that may be misaligned, then 1-3 of
//! `bpf_dynptr_read`, `bpf_dynptr_write`, `bpf_dynptr_data` (and a load or store through the
//! data) with offsets and lengths near the edges, a slot overwritten now and then, and the ring
//! buffer dynptr submitted or discarded (sometimes not, or twice).

use super::Gen;

/// One dynptr program; returns its row name.
pub(crate) fn program(g: &mut Gen) -> &'static str {
    g.emit("r6 = r1");
    g.emit("call bpf_get_prandom_u32\n*(u64 *)(r10 - 8) = r0");
    // Buffers: r10 - 96 .. r10 - 64 (zeroed), the dynptr at `d` (usually r10 - 32).
    for off in [96, 88, 80, 72] {
        g.emit(format!("*(u64 *)(r10 - {off}) = 0"));
    }
    let d = g.rng.pick(&[32, 32, 32, 32, 40, 28, 36, 24]);
    let ring = g.rng.chance(50);
    // The size the dynptr is made with.
    let size = g.rng.pick(&[8, 16, 16, 32, 0, 3]);
    let flags = if g.rng.chance(5) { 1 } else { 0 };
    let (row, len) = if ring {
        if g.rng.chance(8) {
            g.emit("r2 = *(u64 *)(r10 - 8)\nr2 &= 15");
        } else {
            g.emit(format!("r2 = {size}"));
        }
        g.emit(format!("r1 = rb ll\nr3 = {flags}\nr4 = r10\nr4 += -{d}"));
        g.emit("call bpf_ringbuf_reserve_dynptr");
        ("dynptr ringbuf", size)
    } else {
        // Map values mostly: 6.18 takes no other memory for a local dynptr.
        let (src, avail) = match g.rng.below(10) {
            0..=4 => ("r1 = map_value(a64, 0) ll".to_string(), 64),
            5 | 6 => ("r1 = map_value(a16, 8) ll".to_string(), 8),
            7 => ("r1 = map_value(ro, 0) ll".to_string(), 16),
            8 => ("r1 = r6".to_string(), 8),
            _ => ("r1 = r10\nr1 += -96".to_string(), 32),
        };
        g.emit(src);
        let n = g.rng.pick(&[size, avail, avail + 1, 8]);
        g.emit(format!("r2 = {n}\nr3 = {flags}\nr4 = r10\nr4 += -{d}"));
        g.emit("call bpf_dynptr_from_mem");
        ("dynptr local", n.min(avail))
    };
    for _ in 0..1 + g.rng.below(3) {
        let off = g.rng.pick(&[0, 0, 4, 8, len - 4, len, len + 1]);
        let n = g.rng.pick(&[1, 4, 8, 8, len, 16]);
        let slot = if g.rng.chance(5) { d - 8 } else { d };
        match g.rng.below(5) {
            0 => {
                let n = if g.rng.chance(10) { 40 } else { n.min(32) };
                g.emit(format!(
                    "r1 = r10\nr1 += -96\nr2 = {n}\nr3 = r10\nr3 += -{slot}\nr4 = {off}\nr5 = 0"
                ));
                g.emit("call bpf_dynptr_read");
            }
            1 => {
                g.emit(format!(
                    "r1 = r10\nr1 += -{slot}\nr2 = {off}\nr3 = r10\nr3 += -96\nr4 = {}\nr5 = 0",
                    n.min(32)
                ));
                g.emit("call bpf_dynptr_write");
            }
            2 | 3 => {
                let skip = g.label();
                g.emit(format!("r1 = r10\nr1 += -{slot}\nr2 = {off}\nr3 = {n}"));
                g.emit("call bpf_dynptr_data");
                if g.rng.chance(92) {
                    g.emit(format!("if r0 == 0 goto {skip}"));
                }
                let (sz, w) = g.size();
                let k = g.rng.pick(&[0, 0, n - w, n - w + 1, n]);
                let k = k.max(-1);
                if g.rng.chance(50) {
                    g.emit(format!("r1 = *({sz} *){}", super::at("r0", k)));
                } else {
                    g.emit(format!("*({sz} *){} = 1", super::at("r0", k)));
                }
                g.emit(format!("{skip}:"));
            }
            _ => {
                // The slot overwritten (a mistake unless the dynptr is dead after it).
                if g.rng.chance(40) {
                    g.emit(format!("*(u64 *)(r10 - {d}) = 0"));
                } else {
                    g.emit(format!(
                        "r1 = r10\nr1 += -{d}\nr2 = 0\nr3 = 4\ncall bpf_dynptr_data"
                    ));
                }
            }
        }
    }
    if ring {
        let times = match g.rng.below(20) {
            0 => 0,
            1 => 2,
            _ => 1,
        };
        for _ in 0..times {
            let f = g
                .rng
                .pick(&["bpf_ringbuf_submit_dynptr", "bpf_ringbuf_discard_dynptr"]);
            g.emit(format!("r1 = r10\nr1 += -{d}\nr2 = 0\ncall {f}"));
        }
    }
    g.emit("out:\nr0 = 0\nexit");
    row
}
