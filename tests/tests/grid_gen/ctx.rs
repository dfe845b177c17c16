//! Context accesses: every offset from 0 to 16 bytes past the structure, every size, every
//! access kind, on `r1` itself (`direct`); loads and stores through a copy (`copy`), through
//! one moved by a constant (`moved`: `r2 = r1; r2 += 8`, then the offset less 8; the kernel
//! refuses a modified context pointer), by a register holding 8 (`reg-const`), moved there
//! and back (`moved-back`), and by an unknown 0 or 8 (`var`); loads whose number then indexes
//! 256 bytes of stack (`value`: the range the read gives); and `struct xdp_md` of XDP
//! programs loaded for a devmap or a cpumap entry.

use super::{Cell, Op, Thin, SIZES, TYPES};
use ebpf_dsl::ProgramType;

/// `sizeof` the context of `pt`.
pub(crate) fn ctx_size(pt: ProgramType) -> i64 {
    if pt == ProgramType::Xdp {
        24
    } else {
        192
    }
}

/// `struct xdp_md` read by XDP programs loaded for a devmap or a cpumap entry
/// (`egress_ifindex` is readable by the former only).
pub(crate) fn attached_cells(thin: &Thin, out: &mut Vec<Cell>) {
    use ebpf_dsl::spec::{BPF_XDP_CPUMAP, BPF_XDP_DEVMAP};
    for (name, attach) in [("devmap", BPF_XDP_DEVMAP), ("cpumap", BPF_XDP_CPUMAP)] {
        for op in [Op::Load, Op::LoadSx, Op::StoreReg] {
            let row = format!("ctx xdp/{name} {}", op.name());
            let mut i = 0;
            for off in 0..=24 + 16 {
                for size in SIZES {
                    let Some(access) = op.text("r1", off, size) else {
                        continue;
                    };
                    i += 1;
                    if !thin.keep(&row, i) {
                        continue;
                    }
                    let src = format!("{access}\nr0 = 2\nexit\n");
                    let mut c = Cell::new(
                        "ctx",
                        row.clone(),
                        format!("off {off} size {size}"),
                        ProgramType::Xdp,
                        src,
                    );
                    c.attach = Some(attach);
                    out.push(c);
                }
            }
        }
    }
}

/// Every context cell (thinned by `thin`).
pub(crate) fn cells(thin: &Thin, out: &mut Vec<Cell>) {
    for pt in TYPES {
        for mode in [
            "direct",
            "moved",
            "var",
            "copy",
            "reg-const",
            "moved-back",
            "value",
        ] {
            let ops: &[Op] = match mode {
                "direct" => &Op::ALL,
                "value" => &[Op::Load, Op::LoadSx],
                _ => &[Op::Load, Op::StoreReg],
            };
            for &op in ops {
                let row = format!("ctx {mode} {}", op.name());
                let mut i = 0;
                for off in 0..=ctx_size(pt) + 16 {
                    for size in SIZES {
                        let base = match mode {
                            "direct" | "value" => "r1",
                            _ => "r2",
                        };
                        let shift = if matches!(mode, "moved" | "reg-const") {
                            8
                        } else {
                            0
                        };
                        let Some(access) = op.text(base, off - shift, size) else {
                            continue;
                        };
                        i += 1;
                        if !thin.keep(&format!("{row} {pt}"), i) {
                            continue;
                        }
                        let prefix = match mode {
                            "direct" | "value" => "",
                            "moved" => "r2 = r1\nr2 += 8\n",
                            "copy" => "r2 = r1\n",
                            "reg-const" => "r3 = 8\nr2 = r1\nr2 += r3\n",
                            "moved-back" => "r2 = r1\nr2 += 8\nr2 += -8\n",
                            _ => "r6 = r1\ncall bpf_get_prandom_u32\nr0 &= 8\nr2 = r6\nr2 += r0\n",
                        };
                        // `value`: the number read is an offset into 256 bytes of stack,
                        // which root may write at a bounded variable offset: accepted only
                        // if the read is known to lie in 0..=255.
                        let use_it = if mode == "value" {
                            "r2 = r10\nr2 += -256\nr2 += r3\n*(u8 *)(r2 + 0) = 0\n"
                        } else {
                            ""
                        };
                        let src = format!("{prefix}{access}\n{use_it}r0 = 0\nexit\n");
                        out.push(Cell::new(
                            "ctx",
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
}
