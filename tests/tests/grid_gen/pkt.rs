//! Packet accesses at the edge of a bounds check: `data + n` compared with `data_end` in each
//! comparison form (both operand orders, the access on the fall-through or the taken branch,
//! and the 32-bit forms the kernel refuses on pointers), then an access of each size at every
//! offset from -1 to `n + 1`: loads, stores of a register and of an immediate. The same for
//! the metadata (`data_meta + n` compared with `data`). XDP and tc classifiers (tc actions
//! share the classifier's rules); socket filters, which have no direct packet access, for
//! one form.

use super::{Cell, Op, Thin, SIZES};
use ebpf_dsl::ProgramType;

/// The comparisons: name, and the text that goes to `out` unless `r3` (`start + n`) is
/// within `r9` (the end), leaving the check's range on the path that reaches `ok`.
const FORMS: [(&str, &str); 10] = [
    ("r3 > end", "if r3 > r9 goto out\n"),
    ("r3 >= end", "if r3 >= r9 goto out\n"),
    ("end < r3", "if r9 < r3 goto out\n"),
    ("end <= r3", "if r9 <= r3 goto out\n"),
    ("r3 <= end taken", "if r3 <= r9 goto ok\ngoto out\n"),
    ("r3 < end taken", "if r3 < r9 goto ok\ngoto out\n"),
    ("end >= r3 taken", "if r9 >= r3 goto ok\ngoto out\n"),
    ("end > r3 taken", "if r9 > r3 goto ok\ngoto out\n"),
    ("w3 > wend", "if w3 > w9 goto out\n"),
    ("r3 != end", "if r3 != r9 goto out\n"),
];

/// The `n`s checked.
const CHECKED: [i64; 10] = [0, 1, 2, 3, 4, 7, 8, 9, 15, 16];

/// Every packet cell (thinned by `thin`).
pub(crate) fn cells(thin: &Thin, out: &mut Vec<Cell>) {
    for pt in [
        ProgramType::Xdp,
        ProgramType::SchedCls,
        ProgramType::SocketFilter,
    ] {
        let (data, end, meta) = if pt == ProgramType::Xdp {
            (0, 4, 8)
        } else {
            (76, 80, 140)
        };
        for region in ["data", "meta"] {
            // r2: the start of the region, r9: its end.
            let load = if region == "data" {
                format!("r2 = *(u32 *)(r1 + {data})\nr9 = *(u32 *)(r1 + {end})\n")
            } else {
                format!("r2 = *(u32 *)(r1 + {meta})\nr9 = *(u32 *)(r1 + {data})\n")
            };
            for (fi, (form, check)) in FORMS.iter().enumerate() {
                if pt == ProgramType::SocketFilter && fi > 0 {
                    continue;
                }
                for op in [Op::Load, Op::StoreReg, Op::StoreImm] {
                    let row = format!("pkt {region} {form} {}", op.name());
                    let mut i = 0;
                    for n in CHECKED {
                        for off in -1..=n + 1 {
                            for size in SIZES {
                                let Some(access) = op.text("r2", off, size) else {
                                    continue;
                                };
                                i += 1;
                                if !thin.keep(&format!("{row} {pt}"), i) {
                                    continue;
                                }
                                let src = format!(
                                    "{load}r3 = r2\nr3 += {n}\n{check}ok:\n{access}\nout:\nr0 = 0\nexit\n"
                                );
                                out.push(Cell::new(
                                    "pkt",
                                    row.clone(),
                                    format!("n {n} off {off} size {size}"),
                                    pt,
                                    src,
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
}
