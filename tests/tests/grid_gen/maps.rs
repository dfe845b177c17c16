//! Helpers and maps: every helper number from 0 to past the last one of Linux 6.18 called
//! from each program type (compared only on whether the type may call it), `struct bpf_map`
//! read through a map pointer (every offset to 16 bytes past it × size × load /
//! sign-extending load / store, with and without the kernel's BTF, for every data map type and
//! an XSKMAP), and the value of every data map type and devmap at its end (offsets
//! `value_size - size - 1 ..= value_size + 1`, and 0 and -1) × size × access kind; and the
//! values of maps the program declares (spin lock, timer, read-only, write-only, inner map).

use super::{Cell, Compare, Op, Thin, DATA_MAPS, SIZES, TYPES, VALUE_MAPS, VALUE_SIZE};

/// The last helper number of Linux 6.18 (`bpf_cgrp_storage_delete`).
pub(crate) const LAST_HELPER: i32 = 211;

/// `sizeof(struct bpf_map)` in 6.18 (x86_64, Debian's configuration).
pub(crate) const BPF_MAP_SIZE: i64 = 296;

/// One call of each helper number, with a context pointer in `r1` and zeros in `r2`-`r5`.
pub(crate) fn helper_cells(out: &mut Vec<Cell>) {
    for pt in TYPES {
        for id in 0..=LAST_HELPER + 2 {
            let src =
                "r1 = r1\nr2 = 0\nr3 = 0\nr4 = 0\nr5 = 0\ncall bpf_map_lookup_elem\nr0 = 0\nexit\n";
            let mut c = Cell::new(
                "helper",
                "helper offered".into(),
                format!("#{id}"),
                pt,
                src.into(),
            );
            c.call_id = Some(id);
            c.compare = Compare::HelperOffered;
            out.push(c);
        }
    }
}

/// `struct bpf_map` (and what follows it in the map's structure) through a map pointer.
pub(crate) fn map_ptr_cells(thin: &Thin, out: &mut Vec<Cell>) {
    let pt = ebpf_dsl::ProgramType::Xdp;
    for btf in [false, true] {
        for map in ["ar", "ha", "pa", "ph", "lh", "lp", "lpm", "x"] {
            for op in [Op::Load, Op::LoadSx, Op::StoreReg] {
                let row = format!(
                    "mapptr {map} {}{}",
                    op.name(),
                    if btf { " btf" } else { "" }
                );
                let mut i = 0;
                for off in 0..=BPF_MAP_SIZE + 16 {
                    for size in SIZES {
                        let Some(access) = op.text("r1", off, size) else {
                            continue;
                        };
                        i += 1;
                        if !thin.keep(&row, i) {
                            continue;
                        }
                        let src = format!("r1 = {map} ll\n{access}\nr0 = 0\nexit\n");
                        let mut c = Cell::new(
                            "mapptr",
                            row.clone(),
                            format!("off {off} size {size}"),
                            pt,
                            src,
                        );
                        c.btf = btf;
                        out.push(c);
                    }
                }
            }
        }
    }
}

/// Map values at their end, for each data map type and each devmap: at a constant offset,
/// and at the offset plus an unknown 0..=3 (`var3`) or 0 or 4 (`var4`).
pub(crate) fn map_value_cells(thin: &Thin, out: &mut Vec<Cell>) {
    let pt = ebpf_dsl::ProgramType::Xdp;
    let maps = DATA_MAPS
        .iter()
        .map(|&(m, _)| (m, VALUE_SIZE))
        .chain(VALUE_MAPS.iter().map(|&(m, _)| (m, 8)));
    for (map, value_size) in maps.chain([("rb", VALUE_SIZE)]) {
        for var in ["", " var3", " var4"] {
            for op in Op::ALL {
                if !var.is_empty() && !matches!(op, Op::Load | Op::StoreReg) {
                    continue;
                }
                let row = format!("mapval {map}{var} {}", op.name());
                let mut i = 0;
                for size in SIZES {
                    let mut offs: Vec<i64> = (value_size - size - 1..=value_size + 1).collect();
                    offs.extend([0, -1]);
                    for off in offs {
                        let Some(access) = op.text("r7", off, size) else {
                            continue;
                        };
                        i += 1;
                        if !thin.keep(&row, i) {
                            continue;
                        }
                        let shift = match var {
                            "" => "",
                            " var3" => "r4 = *(u32 *)(r6 + 12)\nr4 &= 3\nr7 += r4\n",
                            _ => "r4 = *(u32 *)(r6 + 12)\nr4 &= 4\nr7 += r4\n",
                        };
                        // A ring buffer reservation of the value size, submitted after.
                        let src = if map == "rb" {
                            format!(
                                "r6 = r1\nr1 = rb ll\nr2 = {value_size}\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr7 = r0\nr8 = r0\n{shift}{access}\nr1 = r8\nr2 = 0\ncall bpf_ringbuf_submit\nout:\nr0 = 0\nexit\n"
                            )
                        } else {
                            format!(
                                "r6 = r1\n*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = {map} ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n{shift}{access}\nout:\nr0 = 0\nexit\n"
                            )
                        };
                        out.push(Cell::new(
                            "mapval",
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

/// Values of maps the program declares (`.map`, created by the loader): every offset to 2
/// past the value × size × access kind, for a hash whose value holds a `bpf_spin_lock` at 4,
/// an array whose value holds a `bpf_timer` at 8, arrays read-only and write-only for
/// programs, and (at its end) the inner array of an array of maps.
pub(crate) fn declared_map_cells(thin: &Thin, out: &mut Vec<Cell>) {
    let pt = ebpf_dsl::ProgramType::Xdp;
    let lookup = |decl: &str, map: &str| {
        format!(
            "{decl}\n*(u64 *)(r10 - 8) = 0\nr2 = r10\nr2 += -8\nr1 = {map} ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n"
        )
    };
    let maps: [(&str, i64, String); 5] = [
        ("spin-lock", 16, lookup(".map sl hash key=4 value=16 max_entries=4 spin_lock=4", "sl")),
        ("timer", 24, lookup(".map tm array key=4 value=24 max_entries=1 timer=8", "tm")),
        ("rdonly", 12, lookup(".map ro array key=4 value=12 max_entries=1 flags=rdonly_prog", "ro")),
        ("wronly", 12, lookup(".map wo array key=4 value=12 max_entries=1 flags=wronly_prog", "wo")),
        (
            "inner",
            12,
            lookup(".map mm array_of_maps key=4 value=4 max_entries=1 inner=array:4:12:1", "mm")
                + "*(u64 *)(r10 - 16) = 0\nr2 = r10\nr2 += -16\nr1 = r7\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n",
        ),
    ];
    for (name, value_size, get) in maps {
        for op in Op::ALL {
            let row = format!("mapval {name} {}", op.name());
            let mut i = 0;
            for size in SIZES {
                let offs: Vec<i64> = if name == "inner" {
                    (value_size - size - 1..=value_size + 1)
                        .chain([0, -1])
                        .collect()
                } else {
                    (-1..=value_size + 1).collect()
                };
                for off in offs {
                    let Some(access) = op.text("r7", off, size) else {
                        continue;
                    };
                    i += 1;
                    if !thin.keep(&row, i) {
                        continue;
                    }
                    let src = format!("{get}{access}\nout:\nr0 = 0\nexit\n");
                    out.push(Cell::new(
                        "mapval",
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
