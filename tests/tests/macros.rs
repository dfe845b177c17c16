//! `defmap!` and `defprogram!` expansions checked value by value.

use ebpf_dsl::{MapSpec, MapType};
use ebpf_dsl_macros::defmap;

const QUEUES: u32 = 8;

#[repr(C)]
#[allow(dead_code)]
struct Flow {
    saddr: u32,
    daddr: u32,
    ports: u32,
}

defmap! {
    /// AF_XDP sockets by RX queue.
    pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
    /// Defaults: key and value 4 bytes.
    pub(crate) XSKS2: xskmap(max_entries = QUEUES, name = "xsks_by_q");
    FLOWS: lru_hash(key = Flow, value = [u64; 2], max_entries = 1 << 16, flags = BPF_F_NO_COMMON_LRU);
    EVENTS: ringbuf(max_entries = 256 * 1024);
    STATS: percpu_array(key_size = 4, value = u64, max_entries = 4, flags = BPF_F_RDONLY_PROG | BPF_F_RDONLY);
    DEVS: devmap(value = [u32; 2], max_entries = 16);
    /// A BPF arena of two pages: no key, no value.
    ARENA: arena(max_entries = 2, flags = BPF_F_MMAPABLE | BPF_F_NO_USER_CONV);
}

#[test]
fn defmap_arena_has_no_key_and_no_value() {
    assert_eq!(
        (
            ARENA.map_type,
            ARENA.key_size,
            ARENA.value_size,
            ARENA.max_entries,
            ARENA.flags
        ),
        (MapType::Arena, 0, 0, 2, (1 << 10) | (1 << 18))
    );
    assert_eq!(ARENA.name_str(), "arena");
}

const NAME: &str = XSKS.name_str();

#[test]
fn defmap_expands_to_const_specs() {
    assert_eq!(
        XSKS,
        MapSpec {
            name: "xsks".into(),
            map_type: MapType::Xskmap,
            key_size: 4,
            value_size: 4,
            max_entries: 64,
            flags: 0,
            // `key = u32, value = u32`: both described in BTF.
            btf: Some(ebpf_dsl::btf::MapBtf {
                key: |b| Some(<u32 as ebpf_dsl::btf::BtfType>::btf_type(b)),
                value: |b| Some(<u32 as ebpf_dsl::btf::BtfType>::btf_type(b)),
            }),
            inner: None,
        }
    );
    // A key type without BTF (`Flow` has no `#[derive(Btf)]`): the map has none.
    assert!(FLOWS.btf.is_some_and(|b| b.build().is_none()));
    // Sizes instead of types: no BTF.
    assert!(STATS.btf.is_none() && XSKS2.btf.is_none());
    assert_eq!(NAME, "xsks");
    assert_eq!(XSKS2.name_str(), "xsks_by_q");
    assert_eq!(XSKS2.max_entries, 8);
    assert_eq!(FLOWS.key_size, 12);
    assert_eq!(FLOWS.value_size, 16);
    assert_eq!(FLOWS.max_entries, 65536);
    assert_eq!(FLOWS.flags, 2);
    assert_eq!(FLOWS.map_type, MapType::LruHash);
    assert_eq!(
        (EVENTS.key_size, EVENTS.value_size, EVENTS.max_entries),
        (0, 0, 262144)
    );
    assert_eq!(
        (STATS.key_size, STATS.value_size, STATS.flags),
        (4, 8, 128 | 8)
    );
    assert_eq!(DEVS.value_size, 8);
}

#[test]
fn maps_and_programs_inside_a_function_body() {
    use ebpf_dsl_macros::defprogram;

    defmap! {
        LOCAL_XSKS: xskmap(max_entries = 4, name = "local_xsks");
    }
    defprogram! {
        LOCAL: xdp {
            r2 = *(u32 *)(r1 + 16);
            r1 = LOCAL_XSKS ll;
            r3 = XDP_PASS;
            call bpf_redirect_map;
            exit;
        }
    }
    assert_eq!(LOCAL.relocations[0].symbol, "local_xsks");
    assert_eq!(LOCAL.maps.as_ref(), &[LOCAL_XSKS]);
}

#[repr(C)]
#[allow(dead_code)]
struct Pair {
    a: u32,
    b: u32,
}

defmap! {
    /// The type documents the key; the literal size lets `defprogram!` verify its users.
    PAIRS: hash(key = Pair, key_size = 8, value = u64, max_entries = 64);
    /// Compiled out: neither the const nor its facts exist.
    #[cfg(any())]
    GONE: array(value = u64, max_entries = 1);
}

#[test]
fn typed_key_with_literal_size_is_checked_and_verified() {
    use ebpf_dsl_macros::defprogram;

    // With the facts known, the verifier runs (a lookup with an 8-byte key on the stack).
    defprogram! {
        LOOKUP: xdp {
            *(u64 *)(r10 - 8) = 0;
            r2 = r10;
            r2 += -8;
            r1 = PAIRS ll;
            call bpf_map_lookup_elem;
            r0 = XDP_PASS;
            exit;
        }
    }
    assert_eq!(PAIRS.key_size, 8);
    assert_eq!(LOOKUP.maps.as_ref(), &[PAIRS]);
}

mod order {
    use ebpf_dsl_macros::{defmap, defprogram};

    // The program comes first; the map it names is declared below.
    defprogram! {
        pub EARLY: xdp {
            r2 = 0;
            r1 = LATE_XSKS ll;
            r3 = XDP_PASS;
            call bpf_redirect_map;
            exit;
        }
    }

    defmap! {
        pub LATE_XSKS: xskmap(max_entries = 4);
    }
}

#[test]
fn a_program_may_precede_its_maps() {
    assert_eq!(order::EARLY.maps.as_ref(), &[order::LATE_XSKS]);
}

mod const_data {
    use ebpf_dsl_macros::defprogram;

    defprogram! {
        /// A tc classifier that lets everything through (TC_ACT_OK).
        pub TC_OK: sched_cls(license = "Dual BSD/GPL", name = "tc_ok") {
            r0 = 0;
            exit;
        }
    }
}

/// The expansion is `const` data: it initialises a `static`, its instruction array can be
/// read during const evaluation, and every part is borrowed (no allocation, no parsing at run
/// time).
#[test]
fn programs_are_const_data() {
    use ebpf_dsl::{Insn, ProgramSpec, ProgramType};
    use std::borrow::Cow;

    static IN_STATIC: ProgramSpec = const_data::TC_OK;
    const SPEC: &ProgramSpec = &const_data::TC_OK;
    const INSNS: &[Insn] = match &SPEC.insns {
        Cow::Borrowed(s) => s,
        Cow::Owned(_) => &[],
    };
    const _: () = assert!(INSNS.len() == 2);

    assert!(matches!(IN_STATIC.insns, Cow::Borrowed(_)));
    assert!(matches!(IN_STATIC.relocations, Cow::Borrowed(_)));
    assert!(matches!(IN_STATIC.maps, Cow::Borrowed(_)));
    assert!(matches!(IN_STATIC.name, Cow::Borrowed("tc_ok")));
    assert!(matches!(IN_STATIC.license, Cow::Borrowed("Dual BSD/GPL")));
    assert_eq!(IN_STATIC.prog_type, ProgramType::SchedCls);
    assert_eq!(
        INSNS,
        &[Insn::new(0xb7, 0, 0, 0, 0), Insn::new(0x95, 0, 0, 0, 0)]
    );
}

/// A callback is a label: `r2 = cb ll` loads its address (`BPF_PSEUDO_FUNC`), and the
/// disassembler names it back.
#[test]
fn callbacks_are_labels() {
    use ebpf_dsl_macros::defprogram;

    defprogram! {
        LOOP3: xdp {
            r1 = 3;
            r2 = count_cb ll;
            r3 = 0;
            r4 = 0;
            call bpf_loop;
            exit;
          count_cb:
            r0 = 0;
            exit;
        }
    }
    assert_eq!((LOOP3.insns[1].src(), LOOP3.insns[1].imm), (4, 5));
    assert!(LOOP3.relocations.is_empty());
    let text = ebpf_dsl::disasm::disassemble(&LOOP3.insns).unwrap();
    assert!(text.contains("\tr2 = L7 ll\n"), "{text}");
    assert_eq!(
        ebpf_dsl::assemble(&text).unwrap().insns,
        LOOP3.insns.to_vec()
    );
}

defmap! {
    /// Maps of maps: the shape of the maps they hold.
    ROUTES: hash_of_maps(key = u32, max_entries = 16, inner = array(value = u64, max_entries = 8));
    SLOTS: array_of_maps(max_entries = 4, inner = hash(key = u64, value = [u8; 6], max_entries = 32, flags = BPF_F_NO_PREALLOC));
}

#[test]
fn maps_of_maps_carry_their_inner_shape() {
    use ebpf_dsl::spec::InnerMap;

    assert_eq!(
        (ROUTES.map_type, ROUTES.key_size, ROUTES.value_size),
        (MapType::HashOfMaps, 4, 4)
    );
    assert_eq!(
        ROUTES.inner,
        Some(InnerMap {
            map_type: MapType::Array,
            key_size: 4,
            value_size: 8,
            max_entries: 8,
            flags: 0,
        })
    );
    assert_eq!(
        SLOTS.inner,
        Some(InnerMap {
            map_type: MapType::Hash,
            key_size: 8,
            value_size: 6,
            max_entries: 32,
            flags: 1,
        })
    );
    assert_eq!((SLOTS.key_size, SLOTS.value_size), (4, 4));
    assert_eq!(XSKS.inner, None);
}

/// `xsk-runtime` loads a `defprogram!` with its source lines, hence with BTF function info, with
/// which the kernel allows `bpf_tail_call` in a subprogram: the compile-time verifier judges it
/// so (it refused it before, as for a load without BTF).
#[test]
fn a_subprograms_tail_call_is_verified_as_the_runtime_loads_it() {
    use ebpf_dsl_macros::defprogram;

    defmap! {
        SUB_JUMPS: prog_array(max_entries = 4, name = "sub_jumps");
    }
    defprogram! {
        SUB_TAIL: sched_cls {
            call sub;
            r0 = 0;
            exit;
        sub:
            r2 = SUB_JUMPS ll;
            r3 = 0;
            call bpf_tail_call;
            r0 = 0;
            exit;
        }
    }
    assert_eq!(SUB_TAIL.insns.len(), 9);
    assert_eq!(SUB_TAIL.maps.as_ref(), &[SUB_JUMPS]);
}

/// Likewise a legacy packet load (LD_ABS) in a subprogram, which the kernel allows only with
/// BTF function info ("LD_ABS is not allowed in subprogs without BTF").
#[test]
fn a_subprograms_legacy_packet_load_is_verified_as_the_runtime_loads_it() {
    use ebpf_dsl_macros::defprogram;

    defprogram! {
        SUB_LD_ABS: socket_filter {
            call sub;
            exit;
        sub:
            r6 = r1;
            r0 = *(u8 *)skb[12];
            r0 &= 1;
            exit;
        }
    }
    assert_eq!(SUB_LD_ABS.insns.len(), 6);
}
