//! Arithmetic on pointers: a pointer of each kind (context, stack, frame pointer, map value
//! with and without its NULL check, map, packet start / end / metadata, socket with and
//! without its NULL check, ring buffer memory) × each ALU operation in 64 and 32 bits × each
//! operand (an immediate 8 or -1, a register holding 8, an unknown number, a copy of the
//! pointer itself, and the number on the left: `r2 = 8; r2 op= ptr`), the result left unused.

use super::{Cell, TYPES};
use ebpf_dsl::ProgramType;

/// The ALU operations: name and the operator text (`neg` and the byte swaps are unary).
const OPS: [&str; 14] = [
    "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^=", "<<=", ">>=", "s>>=", "=", "neg", "be16",
];

/// Every pointer-arithmetic cell.
pub(crate) fn cells(out: &mut Vec<Cell>) {
    for pt in TYPES {
        if pt == ProgramType::SchedAct {
            continue; // the classifier's rules
        }
        let kinds = kinds(pt);
        for (kind, get, put, reachable) in &kinds {
            if !reachable {
                continue;
            }
            for op in OPS {
                for wide in [true, false] {
                    let (d, s) = if wide { ("r1", "r2") } else { ("w1", "w2") };
                    let operands: Vec<(&str, String)> = match op {
                        "neg" => vec![("", format!("{d} = -{d}\n"))],
                        "be16" => vec![("", format!("{d} = be16 {d}\n"))],
                        _ => vec![
                            ("imm 8", format!("{d} {op} 8\n")),
                            ("imm -1", format!("{d} {op} -1\n")),
                            ("reg 8", format!("{s} = 8\n{d} {op} {s}\n")),
                            ("reg unknown", format!("r2 = r9\n{d} {op} {s}\n")),
                            ("reg same pointer", format!("r2 = r1\n{d} {op} {s}\n")),
                            ("number op pointer", format!("r2 = 8\n{s} {op} {d}\n")),
                        ],
                    };
                    if !wide && op == "be16" {
                        continue;
                    }
                    for (operand, text) in operands {
                        let row = format!("alu {kind} {}{op}", if wide { "" } else { "32 " });
                        let src = format!(
                            "r6 = r1\ncall bpf_get_prandom_u32\nr9 = r0\n{get}{text}{put}out:\nr0 = 0\nexit\n"
                        );
                        out.push(Cell::new("alu", row, operand.to_string(), pt, src));
                    }
                }
            }
        }
    }
}

/// The pointer kinds `pt` can hold: name, instructions leaving the pointer in `r1` (with the
/// context in `r6` and an unknown number in `r9`), instructions after the operation, and
/// whether the program type reaches it.
fn kinds(pt: ProgramType) -> Vec<(&'static str, String, &'static str, bool)> {
    let xdp = pt == ProgramType::Xdp;
    let skb = !xdp;
    let direct = pt != ProgramType::SocketFilter;
    let (data, end, meta) = if xdp { (0, 4, 8) } else { (76, 80, 140) };
    // (name, instructions leaving the pointer in r1, instructions after the operation,
    // reachable by this program type).
    let lookup =
        "*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = ar ll\ncall bpf_map_lookup_elem\n";
    vec![
        ("ctx", "r1 = r6\n".into(), "", true),
        ("stack", "r1 = r10\nr1 += -8\n".into(), "", true),
        ("fp", "r1 = r10\n".into(), "", true),
        ("mapval", format!("{lookup}if r0 == 0 goto out\nr1 = r0\n"), "", true),
        ("mapval_or_null", format!("{lookup}r1 = r0\n"), "", true),
        ("map", "r1 = ar ll\n".into(), "", true),
        ("pkt", format!("r1 = *(u32 *)(r6 + {data})\n"), "", direct),
        ("pkt_end", format!("r1 = *(u32 *)(r6 + {end})\n"), "", direct),
        ("pkt_meta", format!("r1 = *(u32 *)(r6 + {meta})\n"), "", direct),
        ("sock", "r1 = *(u64 *)(r6 + 168)\nif r1 == 0 goto out\n".into(), "", skb),
        ("sock_or_null", "r1 = *(u64 *)(r6 + 168)\n".into(), "", skb),
        (
            "ringbuf",
            "r1 = rb ll\nr2 = 16\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr8 = r0\nr1 = r0\n".into(),
            "r1 = r8\nr2 = 0\ncall bpf_ringbuf_discard\n",
            true,
        ),
    ]
}

/// The conditional jumps.
const JMPS: [&str; 11] = [
    "==", "!=", ">", ">=", "<", "<=", "s>", "s>=", "s<", "s<=", "&",
];

/// Every pointer-comparison cell: a pointer of each kind compared in 64 and 32 bits with 0,
/// 8, an unknown number, itself, itself moved by 8, the context and the frame pointer.
pub(crate) fn jmp_cells(out: &mut Vec<Cell>) {
    for pt in TYPES {
        if pt == ProgramType::SchedAct {
            continue;
        }
        for (kind, get, put, reachable) in &kinds(pt) {
            if !reachable {
                continue;
            }
            for op in JMPS {
                for wide in [true, false] {
                    let (d, s) = if wide { ("r1", "r2") } else { ("w1", "w2") };
                    let operands: [(&str, String); 7] = [
                        ("imm 0", format!("if {d} {op} 0 goto l\n")),
                        ("imm 8", format!("if {d} {op} 8 goto l\n")),
                        ("reg unknown", format!("r2 = r9\nif {d} {op} {s} goto l\n")),
                        ("same pointer", format!("r2 = r1\nif {d} {op} {s} goto l\n")),
                        (
                            "pointer + 8",
                            format!("r2 = r1\nr2 += 8\nif {d} {op} {s} goto l\n"),
                        ),
                        ("ctx", format!("r2 = r6\nif {d} {op} {s} goto l\n")),
                        ("fp", format!("r2 = r10\nif {d} {op} {s} goto l\n")),
                    ];
                    for (operand, text) in operands {
                        let row = format!("jmp {kind} {}{op}", if wide { "" } else { "32 " });
                        let src = format!(
                            "r6 = r1\ncall bpf_get_prandom_u32\nr9 = r0\n{get}{text}l:\n{put}out:\nr0 = 0\nexit\n"
                        );
                        out.push(Cell::new("jmp", row, operand.to_string(), pt, src));
                    }
                }
            }
        }
    }
}

/// Null checks in every comparison form: a map value or socket that may be NULL compared in
/// 64 and 32 bits with 0 (and 1), then read on the fall-through or on the taken branch.
pub(crate) fn null_check_cells(out: &mut Vec<Cell>) {
    for pt in TYPES {
        if pt == ProgramType::SchedAct {
            continue;
        }
        for (kind, get, put, reachable) in &kinds(pt) {
            if !reachable || !kind.ends_with("_or_null") {
                continue;
            }
            for op in JMPS {
                for wide in [true, false] {
                    let d = if wide { "r1" } else { "w1" };
                    for k in [0, 1] {
                        for branch in ["fall-through", "taken"] {
                            let read = "r3 = *(u32 *)(r1 + 0)\n";
                            let (fall, taken) = if branch == "taken" {
                                ("", read)
                            } else {
                                (read, "")
                            };
                            let row =
                                format!("null {kind} {}{op} {k}", if wide { "" } else { "32 " });
                            let src = format!(
                                "r6 = r1\n{get}if {d} {op} {k} goto l\n{fall}goto out\nl:\n{taken}{put}out:\nr0 = 0\nexit\n"
                            );
                            out.push(Cell::new("null", row, branch.to_string(), pt, src));
                        }
                    }
                }
            }
        }
    }
}
