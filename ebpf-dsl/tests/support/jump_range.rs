//! Programs whose jump spans map lookups the kernel inlines after verifying, at the edge of
//! the jump's signed 16-bit offset (see `ebpf_dsl::verifier`'s `jump_range` module): for
//! each map type, the most lookups such a jump can cross on Linux 6.18.44 (measured on it),
//! and one more, which the kernel refuses ("insn N cannot be patched due to 16-bit range").
//! Shared by `ebpf-dsl/tests/verifier_jump_range.rs` (the static verdicts) and
//! `tests/tests/verifier_jump_range.rs` (the running kernel's).

/// One program: a name, its type, its text, and whether the kernel (6.18.44) accepts it.
pub struct Case {
    pub name: String,
    pub prog_type: ebpf_dsl::ProgramType,
    pub src: String,
    pub kernel_accepts: bool,
}

/// One lookup in map `m` with an 8-byte key on the stack: 5 instruction slots.
const LOOKUP: &str = "r2 = r10\nr2 += -8\nr1 = m ll\ncall bpf_map_lookup_elem\n";

/// `if r0 == 0 goto out` across `dead` lookups no path reaches (a comparison always true
/// jumps over them) and `live` ones.
fn program(decl: &str, dead: usize, live: usize) -> String {
    let mut s = format!("{decl}\ncall bpf_get_prandom_u32\n*(u64 *)(r10 - 8) = 0\n");
    s.push_str("if r0 == 0 goto out\n");
    if dead > 0 {
        s.push_str("r3 = 0\nif r3 == 0 goto live\n");
        s.push_str(&LOOKUP.repeat(dead));
        s.push_str("live:\n");
    }
    s.push_str(&LOOKUP.repeat(live));
    s.push_str("out:\nr0 = 0\nexit\n");
    s
}

/// Every case: per map type the largest count the kernel accepts and one more; then the
/// array's two counts again behind as many unreached lookups, which the kernel removes
/// before it inlines.
pub fn cases() -> Vec<Case> {
    // (name, declaration, the most lookups a jump can cross); 5 slots each, and the growth
    // of each inline lookup: array 6, hash 2, LRU hash 5, array of maps 8, hash of maps 3,
    // per-CPU array 8, per-CPU hash 4 (32,767 / (5 + growth)).
    let edges: [(&str, &str, usize); 8] = [
        ("array", ".map m array key=4 value=16 max_entries=1", 2978),
        (
            "array_mul",
            ".map m array key=4 value=24 max_entries=3",
            2978,
        ),
        ("hash", ".map m hash key=8 value=8 max_entries=16", 4681),
        (
            "lru_hash",
            ".map m lru_hash key=8 value=8 max_entries=16",
            3276,
        ),
        (
            "array_of_maps",
            ".map m array_of_maps key=4 value=4 max_entries=2 inner=array:4:8:1",
            2520,
        ),
        (
            "hash_of_maps",
            ".map m hash_of_maps key=8 value=4 max_entries=4 inner=hash:8:8:4",
            4095,
        ),
        (
            "percpu_array",
            ".map m percpu_array key=4 value=8 max_entries=2",
            2520,
        ),
        (
            "percpu_hash",
            ".map m percpu_hash key=8 value=8 max_entries=2",
            3640,
        ),
    ];
    let mut out = Vec::new();
    for (name, decl, most) in edges {
        for (n, kernel_accepts) in [(most, true), (most + 1, false)] {
            out.push(Case {
                name: format!("{name}_{n}"),
                prog_type: ebpf_dsl::ProgramType::Xdp,
                src: program(decl, 0, n),
                kernel_accepts,
            });
        }
    }
    // The LRU per-CPU hash has no inline lookup: 6,500 lookups fit (32,500 slots).
    out.push(Case {
        name: "lru_percpu_hash_6500".into(),
        prog_type: ebpf_dsl::ProgramType::Xdp,
        src: program(
            ".map m lru_percpu_hash key=8 value=8 max_entries=2",
            0,
            6500,
        ),
        kernel_accepts: true,
    });
    // Unreached lookups are removed before the live ones grow: 2 x 2,978 lookups span
    // 29,782 slots, and what is left after the removal (the `if r3 == 0 goto live` gone too:
    // made a jump, then one to the next instruction) is `r3 = 0` and the plain array's 2,978
    // lookups (32,759 slots once inlined: accepted) or 2,979 (32,770: refused).
    let array = edges[0].1;
    for (n, kernel_accepts) in [(2978, true), (2979, false)] {
        out.push(Case {
            name: format!("array_dead_{n}"),
            prog_type: ebpf_dsl::ProgramType::Xdp,
            src: program(array, n, n),
            kernel_accepts,
        });
    }
    out.extend(rewrites());
    out
}

/// `if r0 == 0 goto out` across `n` copies of `snippet` (`setup` first, r6 the context, r0 a
/// random number); `dead` more copies before them that no path reaches; `tail` after the
/// main function.
fn across(setup: &str, snippet: &str, dead: usize, n: usize, tail: &str) -> String {
    let mut s = format!("r6 = r1\ncall bpf_get_prandom_u32\n{setup}if r0 == 0 goto out\n");
    if dead > 0 {
        s.push_str("r3 = 0\nif r3 == 0 goto live\n");
        s.push_str(&snippet.repeat(dead));
        s.push_str("live:\n");
    }
    s.push_str(&snippet.repeat(n));
    s.push_str("out:\nr0 = 0\nexit\n");
    s.push_str(tail);
    s
}

/// The other rewrites (`ebpf_dsl::verifier`'s `jump_growth` module): per kind, a jump across
/// the most copies the kernel takes, and one more. (name, type, setup, snippet, slots of the
/// snippet, instructions the kernel adds to it): the most is 32,767 / (slots + added).
fn rewrites() -> Vec<Case> {
    use ebpf_dsl::ProgramType::{SchedCls, SocketFilter, Xdp};
    let ctx = "";
    let regs = "r1 = r0\nr2 = r0\n";
    let kinds: [(&str, ebpf_dsl::ProgramType, &str, &str, usize, usize); 14] = [
        ("div64", Xdp, regs, "r1 /= r2\n", 1, 3),
        ("mod64", Xdp, regs, "r1 %= r2\n", 1, 1),
        ("mod32", Xdp, regs, "w1 %= w2\n", 1, 3),
        ("sdiv32", Xdp, regs, "w1 s/= w2\n", 1, 7),
        ("smod64", Xdp, regs, "r1 s%= r2\n", 1, 6),
        ("smod32", Xdp, regs, "w1 s%= w2\n", 1, 8),
        ("ld_abs", SocketFilter, ctx, "r0 = *(u8 *)skb[4]\n", 1, 5),
        (
            "ld_ind",
            SocketFilter,
            "r7 = 0\n",
            "r0 = *(u16 *)skb[r7 + 2]\n",
            1,
            6,
        ),
        ("jiffies64", Xdp, "", "call bpf_jiffies64\n", 1, 2),
        (
            "smp_processor_id",
            Xdp,
            "",
            "call bpf_get_smp_processor_id\n",
            1,
            2,
        ),
        (
            "xdp_ingress_ifindex",
            Xdp,
            ctx,
            "r2 = *(u32 *)(r6 + 12)\n",
            1,
            2,
        ),
        (
            "skb_vlan_present_byte1",
            SchedCls,
            ctx,
            "r2 = *(u8 *)(r6 + 21)\n",
            1,
            4,
        ),
        (
            "skb_tstamp",
            SchedCls,
            ctx,
            "r2 = *(u64 *)(r6 + 152)\n",
            1,
            7,
        ),
        (
            "sk_filter_ifindex",
            SocketFilter,
            ctx,
            "r2 = *(u32 *)(r6 + 40)\n",
            1,
            2,
        ),
    ];
    let mut out = Vec::new();
    for (name, ty, setup, snippet, slots, added) in kinds {
        let most = 32_767 / (slots + added);
        for (n, kernel_accepts) in [(most, true), (most + 1, false)] {
            out.push(Case {
                name: format!("{name}_{n}"),
                prog_type: ty,
                src: across(setup, snippet, 0, n, ""),
                kernel_accepts,
            });
        }
    }
    // may_goto: 7 instructions each on 6.18 (timed), and 2 stores at the function's start
    // (not crossed by the jump).
    let may_goto = "may_goto +1\nr1 = 0\n";
    for (n, kernel_accepts) in [(4095, true), (4096, false)] {
        out.push(Case {
            name: format!("may_goto_{n}"),
            prog_type: Xdp,
            src: across("", may_goto, 0, n, ""),
            kernel_accepts,
        });
    }
    // bpf_loop with flags 0 and one callback: 19 instructions for its 6 slots (24). It is
    // inlined before the unreached code is removed: 1,365 calls fit (32,760), and no longer
    // with 8 unreached ones before them (2 + 8 x 6 more slots then).
    let call = "r1 = 1\nr2 = cb ll\nr3 = 0\nr4 = 0\ncall bpf_loop\n";
    let cb = "cb:\nr0 = 1\nexit\n";
    for (name, dead, n, kernel_accepts) in [
        ("bpf_loop", 0, 1365, true),
        ("bpf_loop", 0, 1366, false),
        ("bpf_loop_dead", 8, 1365, false),
    ] {
        out.push(Case {
            name: format!("{name}_{n}"),
            prog_type: Xdp,
            src: across("", call, dead, n, cb),
            kernel_accepts,
        });
    }
    // Flags maybe not 0: not inlined, 7 slots a call (4,681 calls: 32,767).
    let flags = "r1 = 1\nr2 = cb ll\nr3 = 0\nr4 = r0\nr4 &= 1\ncall bpf_loop\n";
    out.push(Case {
        name: "bpf_loop_flags_unknown_4681".into(),
        prog_type: Xdp,
        src: across("", flags, 0, 4681, cb),
        kernel_accepts: true,
    });
    // Divisions no path reaches are removed before the others grow: 8,191 live ones fit
    // behind 100 unreached.
    out.push(Case {
        name: "div64_dead_8191".into(),
        prog_type: Xdp,
        src: across(regs, "r1 /= r2\n", 100, 8191, ""),
        kernel_accepts: true,
    });
    out
}
