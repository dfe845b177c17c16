//! Programs whose jump spans map lookups the kernel inlines after verifying, at the edge of
//! the jump's signed 16-bit offset (see `ebpf_dsl::verifier`'s `jump_range` module): for
//! each map type, the most lookups such a jump can cross on Linux 6.18.44 (measured on it),
//! and one more, which the kernel refuses ("insn N cannot be patched due to 16-bit range").
//! Shared by `ebpf-dsl/tests/verifier_jump_range.rs` (the static verdicts) and
//! `tests/tests/verifier_jump_range.rs` (the running kernel's).

/// One program: a name, its text, and whether the kernel (6.18.44) accepts it.
pub struct Case {
    pub name: String,
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
                src: program(decl, 0, n),
                kernel_accepts,
            });
        }
    }
    // The LRU per-CPU hash has no inline lookup: 6,500 lookups fit (32,500 slots).
    out.push(Case {
        name: "lru_percpu_hash_6500".into(),
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
            src: program(array, n, n),
            kernel_accepts,
        });
    }
    out
}
