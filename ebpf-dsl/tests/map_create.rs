//! `MapSpec::creation_check`: the kernel's `BPF_MAP_CREATE` validation, one test per class of
//! map types (the live comparison with the running kernel over a grid of specs is
//! `tests/tests/kernel_map_create.rs`).

use std::borrow::Cow;

use ebpf_dsl::spec::InnerMap;
use ebpf_dsl::verifier::{KernelVersion, MapAttr, MapCreationError, MAP_CREATE_REFERENCE};
use ebpf_dsl::{MapSpec, MapType};

use ebpf_dsl::spec::map_flags::{
    BPF_F_CLONE as CLONE, BPF_F_INNER_MAP as INNER_MAP, BPF_F_MMAPABLE as MMAPABLE,
    BPF_F_NO_COMMON_LRU as NO_COMMON_LRU, BPF_F_NO_PREALLOC as NO_PREALLOC,
    BPF_F_NUMA_NODE as NUMA, BPF_F_PRESERVE_ELEMS as PRESERVE_ELEMS,
    BPF_F_RB_OVERWRITE as RB_OVERWRITE, BPF_F_RDONLY as RDONLY, BPF_F_RDONLY_PROG as RDONLY_PROG,
    BPF_F_SEGV_ON_FAULT as SEGV_ON_FAULT, BPF_F_STACK_BUILD_ID as STACK_BUILD_ID,
    BPF_F_TOKEN_FD as TOKEN_FD, BPF_F_WRONLY as WRONLY, BPF_F_WRONLY_PROG as WRONLY_PROG,
    BPF_F_ZERO_SEED as ZERO_SEED,
};

fn spec(t: MapType, k: u32, v: u32, m: u32, f: u32) -> MapSpec {
    MapSpec {
        name: Cow::Borrowed("m"),
        map_type: t,
        key_size: k,
        value_size: v,
        max_entries: m,
        flags: f,
        btf: None,
        inner: None,
    }
}

/// The error for the reference kernel, `None` when created.
fn err(t: MapType, k: u32, v: u32, m: u32, f: u32) -> Option<MapCreationError> {
    spec(t, k, v, m, f)
        .creation_check(MAP_CREATE_REFERENCE)
        .err()
}

fn ok(t: MapType, k: u32, v: u32, m: u32, f: u32) {
    if let Some(e) = err(t, k, v, m, f) {
        panic!("{t} {k}/{v}/{m}/{f:#x} refused: {e}");
    }
}

/// Refused, on `attr`, with `errno`.
fn bad(t: MapType, k: u32, v: u32, m: u32, f: u32, attr: MapAttr, errno: &str) -> String {
    let e = err(t, k, v, m, f).unwrap_or_else(|| panic!("{t} {k}/{v}/{m}/{f:#x} accepted"));
    assert_eq!(
        (e.attr, e.errno),
        (attr, errno),
        "{t} {k}/{v}/{m}/{f:#x}: {e}"
    );
    e.message
}

#[test]
fn generic_flags_of_map_create() {
    use MapType as M;
    // `bpf_get_file_flag`: user space read-only and write-only at once.
    let m = bad(M::Hash, 4, 4, 1, RDONLY | WRONLY, MapAttr::Flags, "EINVAL");
    assert!(
        m.contains("hash map `m` with BPF_F_RDONLY | BPF_F_WRONLY"),
        "{m}"
    );
    // A token fd a spec cannot carry.
    let m = bad(M::Array, 4, 4, 1, TOKEN_FD, MapAttr::Flags, "EINVAL");
    assert!(
        m.contains("BPF_F_TOKEN_FD") && m.contains("bpf_token_get_from_fd"),
        "{m}"
    );
    // Before 6.9 the bit is unknown: the type's mask.
    let e = spec(M::Array, 4, 4, 1, TOKEN_FD)
        .creation_check(KernelVersion::new(6, 6))
        .unwrap_err();
    assert_eq!(e.kernel_fn, "array_map_alloc_check", "{e}");
    // The name, checked after the type's allocation: its length (the runtime replaces the
    // characters the kernel refuses).
    let mut s = spec(M::Array, 4, 4, 1, 0);
    s.name = Cow::Borrowed("sixteen_chars_xx");
    let e = s.creation_check(MAP_CREATE_REFERENCE).unwrap_err();
    assert_eq!(
        (e.attr, e.kernel_fn),
        (MapAttr::Name, "bpf_obj_name_cpy"),
        "{e}"
    );
    s.name = Cow::Borrowed("bad-name");
    assert!(s.creation_check(MAP_CREATE_REFERENCE).is_ok());
    // Map types newer than the target.
    let e = spec(M::CgrpStorage, 4, 8, 0, NO_PREALLOC)
        .creation_check(KernelVersion::new(6, 1))
        .unwrap_err();
    assert_eq!(e.attr, MapAttr::Type, "{e}");
    assert!(e.message.contains("new in Linux 6.2"), "{e}");
    assert!(spec(M::CgrpStorage, 4, 8, 0, NO_PREALLOC)
        .creation_check(KernelVersion::new(6, 6))
        .is_ok());
    let e = spec(M::Arena, 0, 0, 1, MMAPABLE)
        .creation_check(KernelVersion::new(6, 6))
        .unwrap_err();
    assert_eq!(e.attr, MapAttr::Type, "{e}");
    ok(M::Arena, 0, 0, 1, MMAPABLE);
    // The old entry point: the reference kernel's message.
    assert!(spec(M::Hash, 4, 0, 1, 0)
        .creation_error()
        .is_some_and(|m| m.contains("value_size 0")));
    assert_eq!(spec(M::Hash, 4, 8, 1, 0).creation_error(), None);
}

#[test]
fn arrays() {
    use MapType as M;
    for t in [M::Array, M::PercpuArray] {
        ok(t, 4, 8, 1, 0);
        ok(t, 4, 1, u32::MAX, 0);
        bad(t, 4, 8, 0, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 8, 8, 1, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 4, 0, 1, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 4, 8, 1, NO_PREALLOC, MapAttr::Flags, "EINVAL");
        bad(t, 4, 8, 1, ZERO_SEED, MapAttr::Flags, "EINVAL");
        bad(
            t,
            4,
            8,
            1,
            RDONLY_PROG | WRONLY_PROG,
            MapAttr::Flags,
            "EINVAL",
        );
        bad(t, 4, 8, 1, PRESERVE_ELEMS, MapAttr::Flags, "EINVAL");
        ok(t, 4, 8, 1, RDONLY | RDONLY_PROG);
    }
    ok(M::Array, 4, 8, 1, MMAPABLE | INNER_MAP | NUMA);
    ok(M::Array, 4, i32::MAX as u32, 1, 0);
    bad(
        M::Array,
        4,
        i32::MAX as u32 + 1,
        1,
        0,
        MapAttr::ValueSize,
        "E2BIG",
    );
    bad(M::PercpuArray, 4, 8, 1, NUMA, MapAttr::Flags, "EINVAL");
    bad(M::PercpuArray, 4, 8, 1, MMAPABLE, MapAttr::Flags, "EINVAL");
    ok(M::PercpuArray, 4, 32768, 1, 0);
    ok(M::PercpuArray, 4, 32761, 1, 0);
    bad(M::PercpuArray, 4, 32769, 1, 0, MapAttr::ValueSize, "E2BIG");
}

#[test]
fn fd_arrays_and_reuseport() {
    use MapType as M;
    for t in [M::ProgArray, M::PerfEventArray, M::CgroupArray] {
        ok(t, 4, 4, 1, 0);
        ok(t, 4, 4, 1, RDONLY | NUMA);
        bad(t, 4, 8, 1, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 8, 4, 1, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 4, 4, 0, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 4, 4, 1, RDONLY_PROG, MapAttr::Flags, "EINVAL");
        bad(t, 4, 4, 1, WRONLY_PROG, MapAttr::Flags, "EINVAL");
        bad(t, 4, 4, 1, INNER_MAP, MapAttr::Flags, "EINVAL");
        bad(t, 4, 4, 1, MMAPABLE, MapAttr::Flags, "EINVAL");
    }
    ok(M::PerfEventArray, 4, 4, 1, PRESERVE_ELEMS);
    bad(
        M::ProgArray,
        4,
        4,
        1,
        PRESERVE_ELEMS,
        MapAttr::Flags,
        "EINVAL",
    );
    ok(M::ReuseportSockarray, 4, 8, 1, RDONLY_PROG);
    ok(M::ReuseportSockarray, 4, 4, 1, 0);
    bad(
        M::ReuseportSockarray,
        4,
        16,
        1,
        0,
        MapAttr::ValueSize,
        "EINVAL",
    );
    bad(
        M::ReuseportSockarray,
        4,
        8,
        1,
        PRESERVE_ELEMS,
        MapAttr::Flags,
        "EINVAL",
    );
}

#[test]
fn hashes() {
    use MapType as M;
    for t in [M::Hash, M::PercpuHash, M::LruHash, M::LruPercpuHash] {
        ok(t, 1, 1, 1, 0);
        ok(t, 4, 8, 1 << 27, ZERO_SEED | RDONLY);
        bad(t, 4, 8, (1 << 27) + 1, 0, MapAttr::MaxEntries, "E2BIG");
        bad(t, 0, 8, 1, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 4, 0, 1, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 4, 8, 0, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 4, 8, 1, MMAPABLE, MapAttr::Flags, "EINVAL");
        bad(t, 4, 8, 1, INNER_MAP, MapAttr::Flags, "EINVAL");
    }
    // Key and value together under KMALLOC_MAX_SIZE less the 48-byte element.
    ok(M::Hash, 4, (4 << 20) - 48 - 5, 1, NO_PREALLOC);
    bad(
        M::Hash,
        4,
        (4 << 20) - 48 - 4,
        1,
        NO_PREALLOC,
        MapAttr::ValueSize,
        "E2BIG",
    );
    bad(M::PercpuHash, 4, 32769, 1, 0, MapAttr::ValueSize, "E2BIG");
    // LRU: always preallocated, its own flag.
    ok(M::Hash, 4, 8, 1, NO_PREALLOC | NUMA);
    bad(M::LruHash, 4, 8, 1, NO_PREALLOC, MapAttr::Flags, "ENOTSUPP");
    ok(M::LruHash, 4, 8, 1, NO_COMMON_LRU);
    bad(M::Hash, 4, 8, 1, NO_COMMON_LRU, MapAttr::Flags, "EINVAL");
    bad(
        M::LruHash,
        4,
        8,
        1,
        NO_COMMON_LRU | NUMA,
        MapAttr::Flags,
        "EINVAL",
    );
    bad(M::PercpuHash, 4, 8, 1, NUMA, MapAttr::Flags, "EINVAL");
    ok(M::LruHash, 4, 8, 1, NUMA);
}

#[test]
fn maps_of_maps() {
    use MapType as M;
    let with = |t: MapType, v: u32, inner: InnerMap| MapSpec {
        inner: Some(inner),
        ..spec(t, 4, v, 4, 0)
    };
    let array = InnerMap::of(&spec(M::Array, 4, 8, 1, 0));
    for t in [M::ArrayOfMaps, M::HashOfMaps] {
        assert!(with(t, 4, array)
            .creation_check(MAP_CREATE_REFERENCE)
            .is_ok());
        let e = with(t, 8, array)
            .creation_check(MAP_CREATE_REFERENCE)
            .unwrap_err();
        assert_eq!(e.attr, MapAttr::ValueSize, "{e}");
        // A template the kernel refuses: refused first, as the inner map.
        let e = with(t, 4, InnerMap::of(&spec(M::Array, 4, 0, 1, 0)))
            .creation_check(MAP_CREATE_REFERENCE)
            .unwrap_err();
        assert_eq!(e.attr, MapAttr::Inner, "{e}");
        assert!(
            e.message
                .contains("inner array map of `m` with value_size 0"),
            "{e}"
        );
        // Types the kernel cannot compare, and nesting.
        let e = with(t, 4, InnerMap::of(&spec(M::ProgArray, 4, 4, 1, 0)))
            .creation_check(MAP_CREATE_REFERENCE)
            .unwrap_err();
        assert_eq!((e.attr, e.errno), (MapAttr::Inner, "ENOTSUPP"), "{e}");
        let e = with(t, 4, InnerMap::of(&spec(M::HashOfMaps, 4, 4, 1, 0)))
            .creation_check(MAP_CREATE_REFERENCE)
            .unwrap_err();
        assert_eq!(e.attr, MapAttr::Inner, "{e}");
        // None declared: user space gives one at run time; not checked.
        assert!(spec(t, 4, 4, 4, 0)
            .creation_check(MAP_CREATE_REFERENCE)
            .is_ok());
    }
    let e = with(M::ArrayOfMaps, 4, array);
    assert!(MapSpec {
        flags: RDONLY_PROG,
        ..e
    }
    .creation_check(MAP_CREATE_REFERENCE)
    .is_err());
}

#[test]
fn lpm_trie() {
    use MapType as M;
    ok(M::LpmTrie, 8, 8, 1, NO_PREALLOC);
    let m = bad(M::LpmTrie, 8, 8, 1, 0, MapAttr::Flags, "EINVAL");
    assert!(m.contains("without BPF_F_NO_PREALLOC"), "{m}");
    ok(M::LpmTrie, 5, 1, 1, NO_PREALLOC | RDONLY_PROG);
    ok(M::LpmTrie, 260, 1, 1, NO_PREALLOC);
    bad(M::LpmTrie, 4, 8, 1, NO_PREALLOC, MapAttr::KeySize, "EINVAL");
    bad(
        M::LpmTrie,
        261,
        8,
        1,
        NO_PREALLOC,
        MapAttr::KeySize,
        "EINVAL",
    );
    bad(
        M::LpmTrie,
        8,
        0,
        1,
        NO_PREALLOC,
        MapAttr::ValueSize,
        "EINVAL",
    );
    bad(
        M::LpmTrie,
        8,
        8,
        0,
        NO_PREALLOC,
        MapAttr::MaxEntries,
        "EINVAL",
    );
    bad(
        M::LpmTrie,
        8,
        8,
        1,
        NO_PREALLOC | ZERO_SEED,
        MapAttr::Flags,
        "EINVAL",
    );
    // The value limit: the node header is 24 bytes on 6.18, 40 before.
    let max = (4 << 20) - 256 - 24;
    ok(M::LpmTrie, 8, max, 1, NO_PREALLOC);
    bad(
        M::LpmTrie,
        8,
        max + 1,
        1,
        NO_PREALLOC,
        MapAttr::ValueSize,
        "EINVAL",
    );
    assert!(spec(M::LpmTrie, 8, max, 1, NO_PREALLOC)
        .creation_check(KernelVersion::new(6, 12))
        .is_err());
}

#[test]
fn bloom_queue_stack() {
    use MapType as M;
    ok(M::BloomFilter, 0, 8, 1, ZERO_SEED | NUMA | RDONLY_PROG);
    bad(M::BloomFilter, 4, 8, 1, 0, MapAttr::KeySize, "EINVAL");
    bad(M::BloomFilter, 0, 0, 1, 0, MapAttr::ValueSize, "EINVAL");
    bad(M::BloomFilter, 0, 8, 0, 0, MapAttr::MaxEntries, "EINVAL");
    bad(
        M::BloomFilter,
        0,
        8,
        1,
        NO_PREALLOC,
        MapAttr::Flags,
        "EINVAL",
    );
    ok(M::BloomFilter, 0, 4 << 20, 1, 0);
    bad(
        M::BloomFilter,
        0,
        (4 << 20) + 1,
        1,
        0,
        MapAttr::ValueSize,
        "E2BIG",
    );
    for t in [M::Queue, M::Stack] {
        ok(t, 0, 8, 1, NUMA | RDONLY_PROG);
        bad(t, 4, 8, 1, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 0, 0, 1, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 0, 8, 0, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 0, 8, 1, ZERO_SEED, MapAttr::Flags, "EINVAL");
        bad(t, 0, (4 << 20) + 1, 1, 0, MapAttr::ValueSize, "E2BIG");
        // max_entries × value_size under U32_MAX: 6.12's rule, not 6.18's.
        ok(t, 0, 4096, 1 << 20, 0);
        assert!(spec(t, 0, 4096, 1 << 20, 0)
            .creation_check(KernelVersion::new(6, 12))
            .is_err());
        assert!(spec(t, 0, 4096, 1 << 20, 0)
            .creation_check(KernelVersion::new(6, 1))
            .is_ok());
    }
}

#[test]
fn ring_buffers() {
    use MapType as M;
    for t in [M::Ringbuf, M::UserRingbuf] {
        ok(t, 0, 0, 4096, 0);
        ok(t, 0, 0, 1 << 31, NUMA);
        bad(t, 0, 0, 4096 * 3, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 0, 0, 2048, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 0, 0, 0, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 4, 0, 4096, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 0, 8, 4096, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 0, 0, 4096, RDONLY, MapAttr::Flags, "EINVAL");
        bad(t, 0, 0, 4096, RB_OVERWRITE, MapAttr::Flags, "EINVAL");
    }
}

#[test]
fn redirect_maps() {
    use MapType as M;
    for t in [M::Devmap, M::DevmapHash] {
        ok(t, 4, 4, 1, RDONLY | NUMA);
        ok(t, 4, 8, 1, WRONLY);
        bad(t, 4, 12, 1, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 8, 4, 1, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 4, 4, 0, 0, MapAttr::MaxEntries, "EINVAL");
        let m = bad(t, 4, 4, 1, RDONLY_PROG, MapAttr::Flags, "EINVAL");
        assert!(
            m.contains("BPF_F_NUMA_NODE | BPF_F_RDONLY | BPF_F_WRONLY only"),
            "{m}"
        );
    }
    ok(M::DevmapHash, 4, 4, 1 << 31, 0);
    bad(
        M::DevmapHash,
        4,
        4,
        (1 << 31) + 1,
        0,
        MapAttr::MaxEntries,
        "EINVAL",
    );
    ok(M::Cpumap, 4, 8, 64, NUMA);
    bad(M::Cpumap, 4, 4, 1, RDONLY, MapAttr::Flags, "EINVAL");
    bad(M::Cpumap, 4, 12, 1, 0, MapAttr::ValueSize, "EINVAL");
    bad(M::Cpumap, 4, 4, 8193, 0, MapAttr::MaxEntries, "E2BIG");
    ok(M::Xskmap, 4, 4, 64, RDONLY | NUMA);
    bad(M::Xskmap, 4, 8, 64, 0, MapAttr::ValueSize, "EINVAL");
    bad(M::Xskmap, 4, 4, 64, RDONLY_PROG, MapAttr::Flags, "EINVAL");
}

#[test]
fn socket_maps() {
    use MapType as M;
    ok(M::Sockmap, 4, 8, 1, RDONLY);
    bad(
        M::Sockmap,
        4,
        8,
        i32::MAX as u32 + 1,
        0,
        MapAttr::MaxEntries,
        "EINVAL",
    );
    bad(M::Sockmap, 8, 8, 1, 0, MapAttr::KeySize, "EINVAL");
    bad(M::Sockmap, 4, 2, 1, 0, MapAttr::ValueSize, "EINVAL");
    bad(M::Sockmap, 4, 4, 1, NO_PREALLOC, MapAttr::Flags, "EINVAL");
    ok(M::Sockhash, 512, 4, 1 << 27, 0);
    bad(M::Sockhash, 513, 4, 1, 0, MapAttr::KeySize, "E2BIG");
    bad(M::Sockhash, 0, 4, 1, 0, MapAttr::KeySize, "EINVAL");
    bad(
        M::Sockhash,
        4,
        4,
        (1 << 27) + 1,
        0,
        MapAttr::MaxEntries,
        "EINVAL",
    );
}

#[test]
fn stack_trace() {
    use MapType as M;
    ok(M::StackTrace, 4, 8, 1, 0);
    ok(M::StackTrace, 4, 127 * 8, 1, RDONLY);
    bad(
        M::StackTrace,
        4,
        128 * 8,
        1,
        0,
        MapAttr::ValueSize,
        "EINVAL",
    );
    bad(M::StackTrace, 4, 12, 1, 0, MapAttr::ValueSize, "EINVAL");
    ok(M::StackTrace, 4, 32 * 127, 1, STACK_BUILD_ID);
    bad(
        M::StackTrace,
        4,
        40,
        1,
        STACK_BUILD_ID,
        MapAttr::ValueSize,
        "EINVAL",
    );
    bad(
        M::StackTrace,
        4,
        8,
        (1 << 31) + 1,
        0,
        MapAttr::MaxEntries,
        "E2BIG",
    );
    bad(
        M::StackTrace,
        4,
        8,
        1,
        RDONLY_PROG,
        MapAttr::Flags,
        "EINVAL",
    );
}

#[test]
fn local_storage() {
    use MapType as M;
    for t in [M::CgroupStorage, M::PercpuCgroupStorage] {
        ok(t, 8, 8, 0, RDONLY_PROG | NUMA);
        ok(t, 16, 8, 0, 0);
        bad(t, 4, 8, 0, 0, MapAttr::KeySize, "EINVAL");
        bad(t, 8, 0, 0, 0, MapAttr::ValueSize, "EINVAL");
        bad(t, 8, 8, 1, 0, MapAttr::MaxEntries, "EINVAL");
        bad(t, 8, 8, 0, NO_PREALLOC, MapAttr::Flags, "EINVAL");
    }
    ok(M::CgroupStorage, 8, 65407, 0, 0);
    bad(
        M::CgroupStorage,
        8,
        65408,
        0,
        0,
        MapAttr::ValueSize,
        "E2BIG",
    );
    ok(M::PercpuCgroupStorage, 8, 32768, 0, 0);
    bad(
        M::PercpuCgroupStorage,
        8,
        32769,
        0,
        0,
        MapAttr::ValueSize,
        "E2BIG",
    );
    for t in [
        M::SkStorage,
        M::InodeStorage,
        M::TaskStorage,
        M::CgrpStorage,
    ] {
        ok(t, 4, 8, 0, NO_PREALLOC | CLONE);
        let m = bad(t, 4, 8, 0, 0, MapAttr::Flags, "EINVAL");
        assert!(m.contains("without BPF_F_NO_PREALLOC"), "{m}");
        bad(t, 4, 8, 1, NO_PREALLOC, MapAttr::MaxEntries, "EINVAL");
        bad(t, 8, 8, 0, NO_PREALLOC, MapAttr::KeySize, "EINVAL");
        bad(t, 4, 0, 0, NO_PREALLOC, MapAttr::ValueSize, "EINVAL");
        ok(t, 4, 65407, 0, NO_PREALLOC);
        bad(t, 4, 65408, 0, NO_PREALLOC, MapAttr::ValueSize, "E2BIG");
        bad(t, 4, 8, 0, NO_PREALLOC | NUMA, MapAttr::Flags, "EINVAL");
    }
}

#[test]
fn struct_ops_and_arena() {
    use MapType as M;
    // Never from a spec: the kernel's BTF id of the struct is not in it.
    let m = bad(M::StructOps, 4, 64, 1, 0, MapAttr::Type, "EINVAL");
    assert!(m.contains("btf_vmlinux_value_type_id"), "{m}");
    bad(M::StructOps, 4, 64, 2, 0, MapAttr::MaxEntries, "EINVAL");
    ok(M::Arena, 0, 0, 1 << 20, MMAPABLE | SEGV_ON_FAULT);
    let m = bad(M::Arena, 0, 0, 1, 0, MapAttr::Flags, "EINVAL");
    assert!(m.contains("without BPF_F_MMAPABLE"), "{m}");
    bad(M::Arena, 0, 0, 1, MMAPABLE | NUMA, MapAttr::Flags, "EINVAL");
    bad(M::Arena, 4, 0, 1, MMAPABLE, MapAttr::KeySize, "EINVAL");
    bad(M::Arena, 0, 8, 1, MMAPABLE, MapAttr::ValueSize, "EINVAL");
    bad(M::Arena, 0, 0, 0, MMAPABLE, MapAttr::MaxEntries, "EINVAL");
    bad(
        M::Arena,
        0,
        0,
        (1 << 20) + 1,
        MMAPABLE,
        MapAttr::MaxEntries,
        "E2BIG",
    );
}
