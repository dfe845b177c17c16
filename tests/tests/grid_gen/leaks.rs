//! Pointer stores (the privileged pointer-leak rules): a pointer of each kind (context,
//! packet, packet end, stack, map value, map, `__sk_buff.sk`) stored whole or in part into
//! each memory (a context field the program type may write, a map value, the stack, the
//! packet), by every program type.

use super::{Cell, TYPES};
use ebpf_dsl::ProgramType;

/// Every leak cell.
pub(crate) fn cells(out: &mut Vec<Cell>) {
    // The pointer into r3: (name, instructions, needs direct packet access).
    let ptrs: [(&str, &str, bool); 7] = [
        ("ctx", "r3 = r6\n", false),
        ("stack", "r3 = r10\nr3 += -16\n", false),
        ("mapval", "*(u64 *)(r10 - 24) = 0\nr2 = r10\nr2 += -24\nr1 = ar ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr3 = r0\n", false),
        ("map", "r3 = ar ll\n", false),
        ("pkt", "r3 = r8\n", true),
        ("pkt_end", "r3 = r9\n", true),
        ("skb->sk", "r3 = *(u64 *)(r6 + 168)\nif r3 == 0 goto out\n", false),
    ];
    for pt in TYPES {
        let xdp = pt == ProgramType::Xdp;
        let (data, end) = if xdp { (0, 4) } else { (76, 80) };
        let direct = pt != ProgramType::SocketFilter;
        // The memory: (name, instructions leaving its address in r7 or naming it, the base
        // and offset of the store, needs direct packet access).
        let mems: [(&str, &str, &str, i64, bool); 4] = [
            ("ctx", "", "r6", if xdp { 0 } else { 48 }, false),
            ("mapval", "*(u64 *)(r10 - 32) = 0\nr2 = r10\nr2 += -32\nr1 = ha ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n", "r7", 0, false),
            ("stack", "", "r10", -8, false),
            ("pkt", "", "r8", 0, true),
        ];
        for (pname, pget, ppkt) in ptrs {
            for (mname, mget, base, off, mpkt) in mems {
                if (ppkt || mpkt) && !direct || pname == "skb->sk" && xdp {
                    continue;
                }
                for size in [1i64, 2, 4, 8] {
                    let pkt = if ppkt || mpkt {
                        format!("r8 = *(u32 *)(r6 + {data})\nr9 = *(u32 *)(r6 + {end})\nr2 = r8\nr2 += 8\nif r2 > r9 goto out\n")
                    } else {
                        String::new()
                    };
                    let u = format!("u{}", size * 8);
                    let src = format!(
                        "r6 = r1\n{pkt}{mget}{pget}*({u} *){} = r3\nout:\nr0 = 0\nexit\n",
                        super::at(base, off)
                    );
                    out.push(Cell::new(
                        "leak",
                        format!("leak {pname} into {mname}"),
                        format!("size {size}"),
                        pt,
                        src,
                    ));
                }
            }
        }
    }
}
