//! Per map type: the defaults of its sizes, and a subset of the kernel's map-creation rules
//! (`*_map_alloc_check` in `kernel/bpf/`, never stricter) for the values only rustc knows
//! (const assertions) and for a map the macro does not know whole. A map the macro knows
//! whole is checked by the kernel's rules themselves, `ebpf_dsl::MapSpec::creation_check`.

use super::*;

/// A size or count: known to the macro, or a Rust expression only rustc can evaluate.
#[derive(Clone)]
pub(crate) enum Value {
    /// The value and the tokens it came from (for errors).
    Known(u64, TokenStream),
    Rust {
        /// An expression of type `u32`.
        expr: TokenStream,
        span: Span,
        /// How the user wrote it (`size_of::<Sock>()`, `N`), for the assertion's message.
        text: String,
    },
}

impl Value {
    pub(crate) fn to_u32_tokens(&self) -> TokenStream {
        match self {
            Value::Known(n, _) => {
                let n = *n as u32;
                quote!(#n)
            }
            Value::Rust { expr, .. } => expr.clone(),
        }
    }

    pub(crate) fn known(&self) -> Option<u64> {
        match self {
            Value::Known(n, _) => Some(*n),
            Value::Rust { .. } => None,
        }
    }
}

/// A rule the kernel applies to a size or count at map creation.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    Exactly(u64),
    OneOf(u64, u64),
    NonZero,
    AtMost(u64),
    PowerOfTwoPageMultiple,
}

impl Rule {
    pub(crate) fn holds(self, n: u64) -> bool {
        match self {
            Rule::Exactly(k) => n == k,
            Rule::OneOf(a, b) => n == a || n == b,
            Rule::NonZero => n != 0,
            Rule::AtMost(k) => n <= k,
            Rule::PowerOfTwoPageMultiple => n.is_power_of_two() && n & 4095 == 0,
        }
    }

    /// The same test as a `const` boolean expression over `v` (a `u32`).
    pub(crate) fn const_test(self, v: &TokenStream) -> TokenStream {
        match self {
            Rule::Exactly(k) => quote!((#v) as u64 == #k),
            Rule::OneOf(a, b) => quote!((#v) as u64 == #a || (#v) as u64 == #b),
            Rule::NonZero => quote!((#v) as u64 != 0),
            Rule::AtMost(k) => quote!((#v) as u64 <= #k),
            Rule::PowerOfTwoPageMultiple => {
                quote!(((#v) as u64).is_power_of_two() && (#v) as u64 % 4096 == 0)
            }
        }
    }
}

/// The map-creation rules of one map type (`*_map_alloc_check` in `kernel/bpf/`).
pub(crate) struct TypeRules {
    /// Default key size when neither `key` nor `key_size` is given (`None`: required).
    pub(crate) key_default: Option<u64>,
    pub(crate) value_default: Option<u64>,
    pub(crate) key: Vec<(Rule, &'static str)>,
    pub(crate) value: Vec<(Rule, &'static str)>,
    pub(crate) max_entries: Vec<(Rule, &'static str)>,
    /// `max_entries` may be omitted (it must then be 0: local storage maps).
    pub(crate) max_entries_default: Option<u64>,
    /// `map_flags` bits the kernel accepts for this type (`None`: not checked here).
    pub(crate) flags_mask: Option<u32>,
}

pub(crate) use ebpf_dsl::spec::map_flags::{
    BPF_F_INNER_MAP, BPF_F_MMAPABLE, BPF_F_NO_COMMON_LRU, BPF_F_NO_PREALLOC, BPF_F_NO_USER_CONV,
    BPF_F_NUMA_NODE, BPF_F_RDONLY, BPF_F_RDONLY_PROG, BPF_F_SEGV_ON_FAULT, BPF_F_WRONLY,
    BPF_F_WRONLY_PROG, BPF_F_ZERO_SEED,
};
pub(crate) const ACCESS: u32 = BPF_F_RDONLY | BPF_F_WRONLY | BPF_F_RDONLY_PROG | BPF_F_WRONLY_PROG;

/// Map-creation flags by name (`BPF_MAP_CREATE`'s `map_flags`, `linux/bpf.h`): ebpf-dsl's
/// table, the one the text syntax and the verifier's messages use.
pub const MAP_FLAGS: &[(&str, u32)] = ebpf_dsl::spec::MAP_FLAG_NAMES;

pub(crate) fn flag_names(mask: u32) -> String {
    let names: Vec<&str> = MAP_FLAGS
        .iter()
        .filter(|(_, v)| mask & v != 0)
        .map(|(n, _)| *n)
        .collect();
    if names.is_empty() {
        "none".to_string()
    } else {
        names.join(", ")
    }
}

pub(crate) fn rules(t: MapType) -> TypeRules {
    use MapType as M;
    let nonzero_entries = vec![(
        Rule::NonZero,
        "`max_entries` must be at least 1: the kernel refuses a map with no entries (EINVAL)",
    )];
    let mut r = TypeRules {
        key_default: None,
        value_default: None,
        key: vec![],
        value: vec![(
            Rule::NonZero,
            "the kernel refuses a zero-sized value (EINVAL)",
        )],
        max_entries: nonzero_entries,
        max_entries_default: None,
        flags_mask: None,
    };
    let key4 = |what: &'static str| vec![(Rule::Exactly(4), what)];
    match t {
        M::Xskmap => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key =
                key4("an XSKMAP key is the RX queue index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "an XSKMAP value is an AF_XDP socket fd: the kernel requires a 4-byte value (u32)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY);
        }
        M::Devmap | M::DevmapHash => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4(if t == M::Devmap {
                "a DEVMAP key is an index: the kernel requires a 4-byte key (u32)"
            } else {
                "a DEVMAP_HASH key is an ifindex: the kernel requires a 4-byte key (u32)"
            });
            r.value = vec![(
                Rule::OneOf(4, 8),
                "a DEVMAP value is `struct bpf_devmap_val`: 4 bytes (ifindex) or 8 bytes (ifindex + \
                 program fd, Linux 5.8)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY);
            if t == M::DevmapHash {
                r.max_entries.push((
                    Rule::AtMost(1 << 31),
                    "a DEVMAP_HASH holds at most 2^31 entries",
                ));
            }
        }
        M::Cpumap => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("a CPUMAP key is a CPU number: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::OneOf(4, 8),
                "a CPUMAP value is `struct bpf_cpumap_val`: 4 bytes (queue size) or 8 bytes (queue \
                 size + program fd, Linux 5.9)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE);
        }
        M::ProgArray => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("a PROG_ARRAY key is an index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "a PROG_ARRAY value is a program fd: the kernel requires a 4-byte value (u32)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY);
        }
        M::PerfEventArray | M::CgroupArray | M::ArrayOfMaps => {
            r.key_default = Some(4);
            r.value_default = Some(4);
            r.key = key4("an array map's key is an index: the kernel requires a 4-byte key (u32)");
            r.value = vec![(
                Rule::Exactly(4),
                "this map's value is an fd: the kernel requires a 4-byte value (u32)",
            )];
        }
        M::Array | M::PercpuArray => {
            r.key_default = Some(4);
            r.key = key4("an array map's key is an index: the kernel requires a 4-byte key (u32)");
            r.flags_mask = Some(
                BPF_F_NUMA_NODE
                    | ACCESS
                    | BPF_F_INNER_MAP
                    | if t == M::Array { BPF_F_MMAPABLE } else { 0 },
            );
        }
        M::Hash | M::PercpuHash | M::LruHash | M::LruPercpuHash | M::HashOfMaps => {
            r.key = vec![(
                Rule::NonZero,
                "the kernel refuses a zero-sized key (EINVAL)",
            )];
            if t == M::HashOfMaps {
                r.value_default = Some(4);
            }
            let lru = matches!(t, M::LruHash | M::LruPercpuHash);
            r.flags_mask = Some(
                BPF_F_NUMA_NODE
                    | ACCESS
                    | BPF_F_ZERO_SEED
                    | if lru {
                        BPF_F_NO_COMMON_LRU
                    } else {
                        BPF_F_NO_PREALLOC
                    },
            );
        }
        M::Ringbuf | M::UserRingbuf => {
            r.key_default = Some(0);
            r.value_default = Some(0);
            r.key = vec![(
                Rule::Exactly(0),
                "a ring buffer has no key: remove `key`/`key_size`",
            )];
            r.value = vec![(
                Rule::Exactly(0),
                "a ring buffer has no value: remove `value`/`value_size`",
            )];
            r.max_entries = vec![(
                Rule::PowerOfTwoPageMultiple,
                "a ring buffer's `max_entries` is its size in bytes and must be a power of two and \
                 a multiple of the 4096-byte page size (e.g. `256 * 1024`)",
            )];
            r.flags_mask = Some(BPF_F_NUMA_NODE);
        }
        M::Queue | M::Stack | M::BloomFilter => {
            r.key_default = Some(0);
            r.key = vec![(
                Rule::Exactly(0),
                "queue, stack and bloom filter maps have no key: remove `key`/`key_size`",
            )];
        }
        M::Arena => {
            // `arena_map_alloc`: no key, no value, `max_entries` pages of at most 4 GiB in
            // all, and BPF_F_MMAPABLE (required there) with its two arena flags only
            r.key_default = Some(0);
            r.value_default = Some(0);
            r.key = vec![(
                Rule::Exactly(0),
                "an arena has no key: remove `key`/`key_size`",
            )];
            r.value = vec![(
                Rule::Exactly(0),
                "an arena has no value: remove `value`/`value_size`",
            )];
            r.max_entries.push((
                Rule::AtMost(1 << 20),
                "an arena's `max_entries` is its size in 4096-byte pages, at most 4 GiB in all (1 << 20; the kernel returns E2BIG)",
            ));
            r.flags_mask = Some(BPF_F_MMAPABLE | BPF_F_SEGV_ON_FAULT | BPF_F_NO_USER_CONV);
        }
        M::SkStorage
        | M::InodeStorage
        | M::TaskStorage
        | M::CgrpStorage
        | M::CgroupStorage
        | M::PercpuCgroupStorage => {
            r.max_entries_default = Some(0);
            r.max_entries = vec![(
                Rule::Exactly(0),
                "local storage maps have one value per object: `max_entries` must be 0 (omit it)",
            )];
        }
        _ => {}
    }
    r
}

/// Known sizes of primitive types, for `key = u32` and `[u8; 6]`.
pub(crate) fn primitive_size(ty: &Type) -> Option<u64> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let id = p.path.segments[0].ident.to_string();
            Some(match id.as_str() {
                "u8" | "i8" | "bool" => 1,
                "u16" | "i16" => 2,
                "u32" | "i32" | "f32" | "char" => 4,
                "u64" | "i64" | "f64" => 8,
                "u128" | "i128" => 16,
                _ => return None,
            })
        }
        Type::Array(a) => {
            let n = consteval::eval(&a.len)?;
            primitive_size(&a.elem)?.checked_mul(u64::try_from(n).ok()?)
        }
        Type::Paren(p) => primitive_size(&p.elem),
        Type::Tuple(t) if t.elems.is_empty() => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arena_rules_are_arena_map_alloc_s() {
        let r = rules(MapType::Arena);
        assert_eq!((r.key_default, r.value_default), (Some(0), Some(0)));
        let ok = |rs: &[(Rule, &str)], n: u64| rs.iter().all(|(rule, _)| rule.holds(n));
        assert!(ok(&r.key, 0) && !ok(&r.key, 4));
        assert!(ok(&r.value, 0) && !ok(&r.value, 8));
        assert!(!ok(&r.max_entries, 0));
        assert!(ok(&r.max_entries, 1) && ok(&r.max_entries, 1 << 20));
        assert!(!ok(&r.max_entries, (1 << 20) + 1));
        let mask = r.flags_mask.expect("checked");
        assert_eq!(
            flag_names(mask),
            "BPF_F_MMAPABLE, BPF_F_SEGV_ON_FAULT, BPF_F_NO_USER_CONV"
        );
        assert_eq!(mask & BPF_F_NUMA_NODE, 0);
    }
}
