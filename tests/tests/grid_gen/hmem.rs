//! Helper memory arguments at the edges of their regions: every helper this verifier models
//! whose arguments are all a context, numbers and (memory, size) pairs and which returns a
//! number, called from each program type offered it, with one memory argument pointing at
//! each offset of {-1, 0, 4, 8, 15, 16} into a 16-byte region (initialised stack,
//! uninitialised stack, a 12-byte map value, 16 checked packet bytes, a 16-byte ring buffer
//! reservation) and its size each of {0, 1, 4, 8, 12, 16, 17}; the other pairs hold 8
//! initialised stack bytes.

use super::{Cell, Thin, TYPES};
use ebpf_dsl::verifier::helpers::{self, Arg, Ret};
use ebpf_dsl::ProgramType;

/// Whether `a` is the memory half of a (memory, size) pair.
fn is_mem(a: Arg) -> bool {
    matches!(
        a,
        Arg::MemRead | Arg::MemReadOrNull | Arg::MemWrite | Arg::MemWriteOrNull
    )
}

/// Every helper-memory cell (thinned by `thin`).
pub(crate) fn cells(thin: &Thin, out: &mut Vec<Cell>) {
    for p in helpers::PROTOS.iter() {
        if !matches!(p.ret, Ret::Integer | Ret::Void) {
            continue;
        }
        let args = p.args;
        let fits = args.iter().enumerate().all(|(i, &a)| match a {
            Arg::Ctx | Arg::Anything => true,
            a if is_mem(a) => matches!(args.get(i + 1), Some(Arg::Size | Arg::SizeOrZero)),
            Arg::Size | Arg::SizeOrZero => i > 0 && is_mem(args[i - 1]),
            _ => false,
        });
        if !fits || !args.iter().any(|&a| is_mem(a)) {
            continue;
        }
        for pt in TYPES {
            if pt == ProgramType::SchedAct {
                continue; // the classifier's helpers
            }
            let fam = helpers::family(pt).unwrap_or(0);
            if p.avail & fam == 0 {
                continue;
            }
            let xdp = pt == ProgramType::Xdp;
            let (data, end) = if xdp { (0, 4) } else { (76, 80) };
            // The region into r7 (r8: what to release after the call).
            let mut regions: Vec<(&str, String, &str)> = vec![
                (
                    "stack",
                    "*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr7 = r10\nr7 += -16\n".into(),
                    "",
                ),
                ("uninit stack", "r7 = r10\nr7 += -32\n".into(), ""),
                (
                    "mapval",
                    "*(u64 *)(r10 - 56) = 0\nr2 = r10\nr2 += -56\nr1 = ar ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n".into(),
                    "",
                ),
                (
                    "ringbuf",
                    "r1 = rb ll\nr2 = 16\nr3 = 0\ncall bpf_ringbuf_reserve\nif r0 == 0 goto out\nr7 = r0\nr8 = r0\n".into(),
                    "r1 = r8\nr2 = 0\ncall bpf_ringbuf_discard\n",
                ),
            ];
            if pt != ProgramType::SocketFilter {
                regions.push((
                    "pkt",
                    format!("r7 = *(u32 *)(r6 + {data})\nr2 = *(u32 *)(r6 + {end})\nr3 = r7\nr3 += 16\nif r3 > r2 goto out\n"),
                    "",
                ));
            }
            for (slot, _) in args.iter().enumerate().filter(|(_, a)| is_mem(**a)) {
                for (region, get, put) in &regions {
                    let row = format!("hmem {} r{} {region}", p.name, slot + 1);
                    let mut i = 0;
                    for off in [-1i64, 0, 4, 8, 15, 16] {
                        for size in [0i64, 1, 4, 8, 12, 16, 17] {
                            i += 1;
                            if !thin.keep(&format!("{row} {pt}"), i) {
                                continue;
                            }
                            let mut set = String::new();
                            for (i, &a) in args.iter().enumerate() {
                                let r = i + 1;
                                let line = match a {
                                    Arg::Ctx => format!("r{r} = r6\n"),
                                    _ if i == slot => format!("r{r} = r7\nr{r} += {off}\n"),
                                    _ if i == slot + 1 => format!("r{r} = {size}\n"),
                                    a if is_mem(a) => format!("r{r} = r10\nr{r} += -48\n"),
                                    Arg::Size | Arg::SizeOrZero => format!("r{r} = 8\n"),
                                    _ => format!("r{r} = 0\n"),
                                };
                                set.push_str(&line);
                            }
                            let src = format!(
                                "r6 = r1\n*(u64 *)(r10 - 48) = 0\n{get}{set}call bpf_{}\n{put}out:\nr0 = 0\nexit\n",
                                p.name
                            );
                            out.push(Cell::new(
                                "hmem",
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
}
