//! Socket structures reached from these program types, every offset to 16 bytes past the
//! structure × every size × load / sign-extending load / store of a register / store of an
//! immediate / atomic add: `__sk_buff.sk` (`struct bpf_sock`, or NULL), it through
//! `bpf_sk_fullsock`, `bpf_tcp_sock` (and that through `bpf_sk_fullsock`) and
//! `bpf_get_listener_sock`, the sockets of `bpf_sk_lookup_tcp` (also through `bpf_tcp_sock`)
//! and `bpf_skc_lookup_tcp` (also through `bpf_sk_fullsock`), released after the access, and
//! the `struct bpf_xdp_sock` of an XSKMAP lookup.

use super::{Cell, Op, Thin, SIZES};
use ebpf_dsl::ProgramType;

/// A way to reach a socket: name, the program types that reach it, the size of the structure
/// read, the instructions leaving it non-NULL in `r7` (a NULL one goes to `out`), and the
/// instructions after the access (the release of a reference).
struct Source {
    name: &'static str,
    types: &'static [ProgramType],
    size: i64,
    get: &'static str,
    put: &'static str,
}

const SKB: &[ProgramType] = &[
    ProgramType::SocketFilter,
    ProgramType::SchedCls,
    ProgramType::SchedAct,
];
const LOOKUP: &[ProgramType] = &[
    ProgramType::Xdp,
    ProgramType::SchedCls,
    ProgramType::SchedAct,
];

const TUPLE: &str = "r6 = r1\n*(u64 *)(r10 - 40) = 0\n*(u64 *)(r10 - 32) = 0\n*(u64 *)(r10 - 24) = 0\n*(u64 *)(r10 - 16) = 0\n*(u64 *)(r10 - 8) = 0\nr1 = r6\nr2 = r10\nr2 += -40\nr3 = 12\nr4 = -1\nr5 = 0\n";

const SOURCES: [Source; 10] = [
    Source {
        name: "skb->sk",
        types: SKB,
        size: 80,
        get: "r7 = *(u64 *)(r1 + 168)\nif r7 == 0 goto out\n",
        put: "",
    },
    Source {
        name: "sk_fullsock",
        types: SKB,
        size: 80,
        get: "r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall bpf_sk_fullsock\nif r0 == 0 goto out\nr7 = r0\n",
        put: "",
    },
    Source {
        name: "tcp_sock",
        types: SKB,
        size: 112,
        get: "r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall bpf_tcp_sock\nif r0 == 0 goto out\nr7 = r0\n",
        put: "",
    },
    Source {
        name: "sk_lookup_tcp",
        types: LOOKUP,
        size: 80,
        get: "call bpf_sk_lookup_tcp\nif r0 == 0 goto out\nr7 = r0\n",
        put: "r1 = r7\ncall bpf_sk_release\n",
    },
    Source {
        name: "skc_lookup_tcp",
        types: LOOKUP,
        size: 80,
        get: "call bpf_skc_lookup_tcp\nif r0 == 0 goto out\nr7 = r0\n",
        put: "r1 = r7\ncall bpf_sk_release\n",
    },
    Source {
        name: "listener_sock",
        types: &[ProgramType::SchedCls, ProgramType::SchedAct],
        size: 80,
        get: "r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall bpf_get_listener_sock\nif r0 == 0 goto out\nr7 = r0\n",
        put: "",
    },
    Source {
        name: "lookup->tcp_sock",
        types: LOOKUP,
        size: 112,
        get: "call bpf_sk_lookup_tcp\nif r0 == 0 goto out\nr8 = r0\nr1 = r0\ncall bpf_tcp_sock\nif r0 == 0 goto rel\nr7 = r0\n",
        put: "rel:\nr1 = r8\ncall bpf_sk_release\n",
    },
    Source {
        name: "skc_lookup->fullsock",
        types: LOOKUP,
        size: 80,
        get: "call bpf_skc_lookup_tcp\nif r0 == 0 goto out\nr8 = r0\nr1 = r0\ncall bpf_sk_fullsock\nif r0 == 0 goto rel\nr7 = r0\n",
        put: "rel:\nr1 = r8\ncall bpf_sk_release\n",
    },
    Source {
        name: "skb->sk->tcp_sock->fullsock",
        types: SKB,
        size: 80,
        get: "r1 = *(u64 *)(r1 + 168)\nif r1 == 0 goto out\ncall bpf_tcp_sock\nif r0 == 0 goto out\nr1 = r0\ncall bpf_sk_fullsock\nif r0 == 0 goto out\nr7 = r0\n",
        put: "",
    },
    Source {
        name: "xdp_sock",
        types: &[ProgramType::Xdp],
        size: 4,
        get: "*(u32 *)(r10 - 4) = 0\nr2 = r10\nr2 += -4\nr1 = x ll\ncall bpf_map_lookup_elem\nif r0 == 0 goto out\nr7 = r0\n",
        put: "",
    },
];

/// Every socket cell (thinned by `thin`).
pub(crate) fn cells(thin: &Thin, out: &mut Vec<Cell>) {
    let ops = [
        Op::Load,
        Op::LoadSx,
        Op::StoreReg,
        Op::StoreImm,
        Op::AtomicAdd,
    ];
    for s in &SOURCES {
        for &pt in s.types {
            for op in ops {
                let row = format!("sock {} {}", s.name, op.name());
                let mut i = 0;
                for off in 0..=s.size + 16 {
                    for size in SIZES {
                        let Some(access) = op.text("r7", off, size) else {
                            continue;
                        };
                        i += 1;
                        if !thin.keep(&format!("{row} {pt}"), i) {
                            continue;
                        }
                        let tuple = if s.name.contains("lookup") { TUPLE } else { "" };
                        let src =
                            format!("{tuple}{}{access}\n{}out:\nr0 = 0\nexit\n", s.get, s.put);
                        out.push(Cell::new(
                            "sock",
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
