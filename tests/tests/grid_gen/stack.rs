//! Stack accesses: every offset from -520 to 8 × size × load and store of a register on a
//! fresh stack (root may read uninitialised stack), and every offset from -40 to 8 × size ×
//! access kind after an 8-byte slot at -16 was given a spilled number, a spilled context
//! pointer, a spilled 32-bit number or a stored zero (partial reads and overwrites of spills).

use super::{Cell, Op, Thin, SIZES};
use ebpf_dsl::ProgramType;

/// Every stack cell (thinned by `thin`).
pub(crate) fn cells(thin: &Thin, out: &mut Vec<Cell>) {
    let pt = ProgramType::Xdp;
    let preludes: [(&str, &str); 5] = [
        ("fresh", ""),
        ("number spill", "r4 = 5\n*(u64 *)(r10 - 16) = r4\n"),
        ("ctx spill", "*(u64 *)(r10 - 16) = r1\n"),
        ("u32 spill", "w4 = 7\n*(u32 *)(r10 - 16) = w4\n"),
        ("zero store", "*(u64 *)(r10 - 16) = 0\n"),
    ];
    for (name, prelude) in preludes {
        let (lo, ops): (i64, &[Op]) = if name == "fresh" {
            (-520, &[Op::Load, Op::StoreReg])
        } else {
            (-40, &Op::ALL)
        };
        for &op in ops {
            let row = format!("stack {name} {}", op.name());
            let mut i = 0;
            for off in lo..=8 {
                for size in SIZES {
                    let Some(access) = op.text("r10", off, size) else {
                        continue;
                    };
                    i += 1;
                    if !thin.keep(&row, i) {
                        continue;
                    }
                    let src = format!("{prelude}{access}\nr0 = 0\nexit\n");
                    out.push(Cell::new(
                        "stack",
                        row.clone(),
                        format!("off {off} size {size}"),
                        pt,
                        src,
                    ));
                }
            }
        }
    }
}
