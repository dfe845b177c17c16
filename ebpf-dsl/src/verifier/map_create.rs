//! The kernel's `BPF_MAP_CREATE` validation, written from its source: which [`MapSpec`]s the
//! kernel refuses to create ([`MapSpec::creation_check`]), with the function that refuses
//! and the errno.
//!
//! Read in Linux 6.1.192 and 6.12.118 (Debian's `linux-source`) and a 7.2 tree, and measured
//! on the 6.18.44 reference kernel (`tests/tests/kernel_map_create.rs` compares every rule
//! here with the running kernel over a grid of specs): `map_create` in `kernel/bpf/syscall.c`
//! (the flags it handles itself, the map type, the name), then each type's `map_alloc_check`
//! and `map_alloc`. Where a rule changed inside 6.x it is gated by the target
//! ([`KernelVersion`]). The sizes that depend on the kernel's build are those of x86-64 and
//! arm64 with 4 KiB pages (`PAGE_SIZE` 4096, `KMALLOC_MAX_SIZE` 4 MiB); the limits a running
//! system sets (`NR_CPUS`, `kernel.perf_event_max_stack`) take their defaults (8192 at most,
//! 127); memory (`ENOMEM`, the memlock and memcg limits) and privileges are not modelled.
//!
//! Not checked, because a [`MapSpec`] does not say it: the BTF the loader passes (the local
//! storage maps need `btf_key_type_id` / `btf_value_type_id`: `defmap!` gives them from Rust
//! types, an ELF object's loader from the object's BTF), `map_extra`, `numa_node` (the
//! runtime passes node 0 with `BPF_F_NUMA_NODE`, which is always online), `map_ifindex`.

use super::KernelVersion;
use crate::spec::{map_flag_names, MapSpec, MapType};

use crate::spec::map_flags::{
    BPF_F_CLONE as CLONE, BPF_F_INNER_MAP as INNER_MAP, BPF_F_LINK as LINK,
    BPF_F_MMAPABLE as MMAPABLE, BPF_F_NO_COMMON_LRU as NO_COMMON_LRU,
    BPF_F_NO_PREALLOC as NO_PREALLOC, BPF_F_NO_USER_CONV as NO_USER_CONV,
    BPF_F_NUMA_NODE as NUMA_NODE, BPF_F_PRESERVE_ELEMS as PRESERVE_ELEMS,
    BPF_F_RB_OVERWRITE as RB_OVERWRITE, BPF_F_RDONLY as RDONLY, BPF_F_RDONLY_PROG as RDONLY_PROG,
    BPF_F_SEGV_ON_FAULT as SEGV_ON_FAULT, BPF_F_STACK_BUILD_ID as STACK_BUILD_ID,
    BPF_F_TOKEN_FD as TOKEN_FD, BPF_F_VTYPE_BTF_OBJ_FD as VTYPE_BTF_OBJ_FD, BPF_F_WRONLY as WRONLY,
    BPF_F_WRONLY_PROG as WRONLY_PROG, BPF_F_ZERO_SEED as ZERO_SEED,
};
/// `BPF_F_ACCESS_MASK` (`include/linux/bpf.h`).
const ACCESS: u32 = RDONLY | RDONLY_PROG | WRONLY | WRONLY_PROG;

/// `PAGE_SIZE` of x86-64 (and arm64 with 4 KiB pages).
const PAGE_SIZE: u64 = 4096;
/// `KMALLOC_MAX_SIZE` with 4 KiB pages: `1 << (MAX_PAGE_ORDER + PAGE_SHIFT)`, 4 MiB (6.1's
/// `MAX_ORDER - 1 + PAGE_SHIFT` is the same).
const KMALLOC_MAX_SIZE: u64 = 4 << 20;
/// `PCPU_MIN_UNIT_SIZE`: the most a per-CPU value may take, 32 KiB.
const PCPU_MIN_UNIT_SIZE: u64 = 32 << 10;
/// `sizeof(struct htab_elem)` on 64-bit builds (measured on 6.18.44: key + value of
/// 4,194,255 bytes is the most a hash takes).
const HTAB_ELEM_SIZE: u64 = 48;
/// `BPF_LOCAL_STORAGE_MAX_VALUE_SIZE`: `U16_MAX - sizeof(struct bpf_local_storage_elem)`
/// (128 bytes, the element cache-line aligned; measured on 6.18.44: 65,407).
const LOCAL_STORAGE_MAX_VALUE: u64 = u16::MAX as u64 - 128;
/// `LPM_DATA_SIZE_MAX`: an LPM key's data is at most 256 bytes.
const LPM_DATA_SIZE_MAX: u64 = 256;
/// `sizeof(struct bpf_lpm_trie_key_u8)`: the prefix length before the data.
const LPM_KEY_HEADER: u64 = 4;
/// `sizeof(struct bpf_stack_build_id)`.
const STACK_BUILD_ID_SIZE: u64 = 32;
/// `kernel.perf_event_max_stack`'s default (`PERF_MAX_STACK_DEPTH`): a stack trace map
/// holds at most this many frames per value.
const PERF_MAX_STACK_DEPTH: u64 = 127;
/// The largest `NR_CPUS` of the 64-bit architectures (x86-64's `MAXSMP`): a `cpumap` with
/// more entries is refused on every build (a kernel built for fewer CPUs refuses fewer).
const NR_CPUS_MAX: u64 = 8192;

/// The attribute of a [`MapSpec`] the kernel refuses (what `defmap!` points at).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapAttr {
    /// The map type (not known to the target kernel, or not creatable from a spec).
    Type,
    /// The name.
    Name,
    /// `key_size`.
    KeySize,
    /// `value_size`.
    ValueSize,
    /// `max_entries`.
    MaxEntries,
    /// `map_flags`.
    Flags,
    /// The inner map of a map of maps (missing, misplaced, or of a shape the kernel refuses).
    Inner,
}

/// Why the kernel refuses to create a map ([`MapSpec::creation_check`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapCreationError {
    /// The attribute at fault.
    pub attr: MapAttr,
    /// The errno `BPF_MAP_CREATE` fails with (`"EINVAL"`, `"E2BIG"`, `"ENOTSUPP"`, ...).
    pub errno: &'static str,
    /// The kernel function that refuses (`htab_map_alloc_check`, ...).
    pub kernel_fn: &'static str,
    /// The whole message: the map, its type, what is wrong and what the kernel takes.
    pub message: String,
}

impl core::fmt::Display for MapCreationError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MapCreationError {}

/// The kernel [`MapSpec::creation_error`] checks for: the 6.18 reference kernel.
pub const MAP_CREATE_REFERENCE: KernelVersion = KernelVersion::new(6, 18);

/// The first release that knows each map type newer than 6.1 (`bpf_map_types` in
/// `include/linux/bpf_types.h`); the older ones are in every supported target.
fn since(t: MapType) -> Option<KernelVersion> {
    match t {
        MapType::CgrpStorage => Some(KernelVersion::since(6, 2)),
        MapType::Arena => Some(KernelVersion::since(6, 9)),
        _ => None,
    }
}

/// `"A | B"` for the flags in `bits`, `"none"` for 0.
fn names(bits: u32) -> String {
    if bits == 0 {
        "none".to_string()
    } else {
        map_flag_names(bits).join(" | ")
    }
}

/// The checks on one spec; `fail` builds the error.
struct Check<'a> {
    spec: &'a MapSpec,
    /// What the map is called in messages (`the hash map `x``, `the inner array map of `x``).
    what: String,
}

type Res = Result<(), MapCreationError>;

impl Check<'_> {
    fn fail(
        &self,
        attr: MapAttr,
        errno: &'static str,
        kernel_fn: &'static str,
        wrong: String,
        takes: &str,
    ) -> Res {
        Err(MapCreationError {
            attr,
            errno,
            kernel_fn,
            message: format!(
                "the kernel refuses to create {} {wrong} ({takes}: BPF_MAP_CREATE fails with {errno} in `{kernel_fn}`, so no program using it loads)",
                self.what
            ),
        })
    }

    /// A rule on one size attribute: refused (`errno`, in `f`) unless `ok`.
    fn size(
        &self,
        attr: MapAttr,
        ok: bool,
        errno: &'static str,
        f: &'static str,
        takes: &str,
    ) -> Res {
        if ok {
            return Ok(());
        }
        let (name, value) = match attr {
            MapAttr::KeySize => ("key_size", self.spec.key_size),
            MapAttr::ValueSize => ("value_size", self.spec.value_size),
            _ => ("max_entries", self.spec.max_entries),
        };
        self.fail(attr, errno, f, format!("with {name} {value}"), takes)
    }

    fn key(&self, ok: bool, errno: &'static str, f: &'static str, takes: &str) -> Res {
        self.size(MapAttr::KeySize, ok, errno, f, takes)
    }

    fn value(&self, ok: bool, errno: &'static str, f: &'static str, takes: &str) -> Res {
        self.size(MapAttr::ValueSize, ok, errno, f, takes)
    }

    fn entries(&self, ok: bool, errno: &'static str, f: &'static str, takes: &str) -> Res {
        self.size(MapAttr::MaxEntries, ok, errno, f, takes)
    }

    /// A per-CPU value, rounded up to 8 bytes, fits the per-CPU allocator's unit.
    fn percpu_value(&self, f: &'static str) -> Res {
        self.value(
            u64::from(self.spec.value_size).next_multiple_of(8) <= PCPU_MIN_UNIT_SIZE,
            "E2BIG",
            f,
            "a per-CPU value of at most 32768 bytes (PCPU_MIN_UNIT_SIZE)",
        )
    }

    /// The type's flag mask: `flags` outside `allowed` are refused.
    fn mask(&self, flags: u32, allowed: u32, f: &'static str) -> Res {
        self.mask_shown(flags, allowed, allowed, f)
    }

    /// [`Check::mask`] of a mask several types share, naming the flags this type takes
    /// (`shown`: the mask less what a later rule refuses for the type).
    fn mask_shown(&self, flags: u32, allowed: u32, shown: u32, f: &'static str) -> Res {
        let bad = flags & !allowed;
        if bad == 0 {
            return Ok(());
        }
        self.fail(
            MapAttr::Flags,
            "EINVAL",
            f,
            format!("with {}", names(bad)),
            &format!("it takes {} only", names(shown)),
        )
    }

    /// A flag rule other than the mask: `bits` are refused together or in this type.
    fn flags(&self, ok: bool, bits: u32, errno: &'static str, f: &'static str, why: &str) -> Res {
        if ok {
            return Ok(());
        }
        self.fail(
            MapAttr::Flags,
            errno,
            f,
            format!("with {}", names(bits)),
            why,
        )
    }

    /// A flag the type requires: refused without `bit`.
    fn requires(&self, flags: u32, bit: u32, f: &'static str, why: &str) -> Res {
        if flags & bit != 0 {
            return Ok(());
        }
        self.fail(
            MapAttr::Flags,
            "EINVAL",
            f,
            format!("without {}", names(bit)),
            why,
        )
    }

    /// `bpf_map_flags_access_ok`: not both `BPF_F_RDONLY_PROG` and `BPF_F_WRONLY_PROG`.
    fn access_ok(&self, flags: u32, f: &'static str) -> Res {
        self.flags(
            flags & (RDONLY_PROG | WRONLY_PROG) != RDONLY_PROG | WRONLY_PROG,
            RDONLY_PROG | WRONLY_PROG,
            "EINVAL",
            f,
            "a program may not be denied both reading and writing it",
        )
    }
}

impl MapSpec {
    /// Why the kernel refuses to create this map, for the 6.18 reference kernel
    /// ([`MapSpec::creation_check`]'s message): `BPF_MAP_CREATE` fails, so no program using it
    /// loads. `None` when the kernel's checks accept it.
    pub fn creation_error(&self) -> Option<String> {
        self.creation_check(MAP_CREATE_REFERENCE)
            .err()
            .map(|e| e.message)
    }

    /// Whether `kernel` creates this map: the checks of its `BPF_MAP_CREATE` (`map_create` in
    /// `kernel/bpf/syscall.c`, then the type's `map_alloc_check` and `map_alloc`), in the
    /// kernel's order, so that the error names the first attribute the kernel refuses, the
    /// function and the errno. See the module `verifier::map_create` for what is not checked (BTF,
    /// memory, privileges).
    pub fn creation_check(&self, kernel: KernelVersion) -> Result<(), MapCreationError> {
        let c = Check {
            spec: self,
            what: format!("the {} map `{}`", self.map_type, self.name),
        };
        c.template(kernel)?;
        c.check(kernel)?;
        // `map_create` copies the name after the type's allocation (`bpf_obj_name_cpy`: at
        // most 15 characters of `[A-Za-z0-9_.]`). xsk-runtime refuses a longer name before
        // `BPF_MAP_CREATE` and replaces other characters by `_` (`defmap!` and the text
        // syntax refuse them), so only the length is a refusal here.
        let chars = self.name.chars().count();
        if chars > crate::spec::BPF_OBJ_NAME_MAX {
            return c.fail(
                MapAttr::Name,
                "EINVAL",
                "bpf_obj_name_cpy",
                format!("with the name `{}` of {chars} characters", self.name),
                "a name has at most 15 characters (BPF_OBJ_NAME_LEN less its NUL)",
            );
        }
        Ok(())
    }
}

impl Check<'_> {
    fn check(&self, kernel: KernelVersion) -> Res {
        let s = self.spec;
        let t = s.map_type;
        if let Some(v) = since(t).filter(|v| kernel < *v) {
            return self.fail(
                MapAttr::Type,
                "EINVAL",
                "map_create",
                format!("on the target Linux {}.{}", kernel.major, kernel.minor),
                &format!(
                    "{t} maps are new in Linux {}.{}: an older kernel does not know the type",
                    v.major, v.minor
                ),
            );
        }
        // `map_create`: `BPF_F_TOKEN_FD` (6.9) is taken out before the type's checks and
        // needs `map_token_fd`, which a spec does not carry; before 6.9 it is an unknown bit,
        // which every type's mask refuses.
        let token = kernel >= KernelVersion::since(6, 9);
        let flags = if token { s.flags & !TOKEN_FD } else { s.flags };
        // `bpf_get_file_flag` (before the type's checks in 6.1 and 6.12).
        self.flags(
            flags & (RDONLY | WRONLY) != RDONLY | WRONLY,
            RDONLY | WRONLY,
            "EINVAL",
            "bpf_get_file_flag",
            "user space may not be denied both reading and writing it",
        )?;
        self.by_type(kernel, flags)?;
        if token && s.flags & TOKEN_FD != 0 {
            return self.flags(
                false,
                TOKEN_FD,
                "EINVAL",
                "bpf_token_get_from_fd",
                "the flag says `map_token_fd` holds a BPF token, which a map spec does not carry",
            );
        }
        Ok(())
    }

    fn by_type(&self, kernel: KernelVersion, flags: u32) -> Res {
        use MapType as M;
        let s = self.spec;
        let t = s.map_type;
        match t {
            M::Array | M::PercpuArray => self.array(t, flags, "array_map_alloc_check"),
            M::ProgArray | M::PerfEventArray | M::CgroupArray | M::ArrayOfMaps => {
                let f = "fd_array_map_alloc_check";
                self.value(
                    s.value_size == 4,
                    "EINVAL",
                    f,
                    "its values are fds: 4 bytes",
                )?;
                self.flags(
                    flags & (RDONLY_PROG | WRONLY_PROG) == 0,
                    flags & (RDONLY_PROG | WRONLY_PROG),
                    "EINVAL",
                    f,
                    "a map of fds takes neither BPF_F_RDONLY_PROG nor BPF_F_WRONLY_PROG",
                )?;
                self.array(t, flags, "array_map_alloc_check")?;
                if t == M::ArrayOfMaps {
                    self.inner_meta()?;
                }
                Ok(())
            }
            M::ReuseportSockarray => {
                self.value(
                    matches!(s.value_size, 4 | 8),
                    "EINVAL",
                    "reuseport_array_alloc_check",
                    "its values are socket fds or cookies: 4 or 8 bytes",
                )?;
                self.array(t, flags, "array_map_alloc_check")
            }
            M::Hash | M::PercpuHash | M::LruHash | M::LruPercpuHash | M::HashOfMaps => {
                if t == M::HashOfMaps {
                    self.value(
                        s.value_size == 4,
                        "EINVAL",
                        "fd_htab_map_alloc_check",
                        "its values are map fds: 4 bytes",
                    )?;
                }
                self.hash(t, flags)?;
                if t == M::HashOfMaps {
                    self.inner_meta()?;
                }
                self.hash_alloc()
            }
            M::LpmTrie => self.lpm(kernel, flags),
            M::BloomFilter => {
                let f = "bloom_map_alloc";
                self.value(
                    u64::from(s.value_size) <= KMALLOC_MAX_SIZE,
                    "E2BIG",
                    "bloom_map_alloc_check",
                    "at most KMALLOC_MAX_SIZE, 4194304 bytes",
                )?;
                self.key(s.key_size == 0, "EINVAL", f, "a bloom filter has no key: 0")?;
                self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.mask(flags, NUMA_NODE | ZERO_SEED | ACCESS, f)?;
                self.access_ok(flags, f)
            }
            M::Queue | M::Stack => {
                let f = "queue_stack_map_alloc_check";
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(
                    s.key_size == 0,
                    "EINVAL",
                    f,
                    "a queue or stack has no key: 0",
                )?;
                self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
                self.mask(flags, NUMA_NODE | ACCESS, f)?;
                self.access_ok(flags, f)?;
                self.value(
                    u64::from(s.value_size) <= KMALLOC_MAX_SIZE,
                    "E2BIG",
                    f,
                    "at most KMALLOC_MAX_SIZE, 4194304 bytes",
                )?;
                // In 6.12.118's check, not in 6.1.192's nor the 6.18 reference kernel's (which
                // creates a queue of u32::MAX one-byte values): gated to the releases between
                // (the first and the last with it not pinned down).
                if kernel >= KernelVersion::since(6, 2) && kernel < KernelVersion::since(6, 18) {
                    self.entries(
                        u64::from(s.max_entries) < u64::from(u32::MAX) / u64::from(s.value_size),
                        "E2BIG",
                        f,
                        "max_entries × value_size under U32_MAX in Linux 6.12",
                    )?;
                }
                Ok(())
            }
            M::Ringbuf | M::UserRingbuf => {
                let f = "ringbuf_map_alloc";
                // `BPF_F_RB_OVERWRITE` (ringbuf only) is after 6.18 (refused by 6.18.44):
                // gated at 7.0.
                let overwrite = t == M::Ringbuf && kernel >= KernelVersion::since(7, 0);
                self.mask(
                    flags,
                    NUMA_NODE | if overwrite { RB_OVERWRITE } else { 0 },
                    f,
                )?;
                self.key(s.key_size == 0, "EINVAL", f, "a ring buffer has no key: 0")?;
                self.value(
                    s.value_size == 0,
                    "EINVAL",
                    f,
                    "a ring buffer has no value: 0",
                )?;
                let m = u64::from(s.max_entries);
                self.entries(
                    m.is_power_of_two() && m % PAGE_SIZE == 0,
                    "EINVAL",
                    f,
                    "its size in bytes: a power of two and a multiple of the 4096-byte page",
                )
            }
            M::Devmap | M::DevmapHash => {
                let f = "dev_map_alloc_check";
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(
                    s.key_size == 4,
                    "EINVAL",
                    f,
                    "4 bytes (an index or ifindex)",
                )?;
                self.value(
                    matches!(s.value_size, 4 | 8),
                    "EINVAL",
                    f,
                    "`struct bpf_devmap_val`: 4 bytes (ifindex) or 8 (ifindex and program fd)",
                )?;
                self.mask(flags, NUMA_NODE | RDONLY | WRONLY, f)?;
                if t == M::DevmapHash {
                    self.entries(
                        s.max_entries <= 1 << 31,
                        "EINVAL",
                        f,
                        "at most 2^31 (its buckets are a power of two)",
                    )?;
                }
                Ok(())
            }
            M::Cpumap => {
                let f = "cpu_map_alloc";
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes (a CPU number)")?;
                self.value(
                    matches!(s.value_size, 4 | 8),
                    "EINVAL",
                    f,
                    "`struct bpf_cpumap_val`: 4 bytes (queue size) or 8 (queue size and program fd)",
                )?;
                self.mask(flags, NUMA_NODE, f)?;
                self.entries(
                    u64::from(s.max_entries) <= NR_CPUS_MAX,
                    "E2BIG",
                    f,
                    "at most NR_CPUS, the kernel's build setting: 8192 at most",
                )
            }
            M::Xskmap => {
                let f = "xsk_map_alloc";
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes (a queue index)")?;
                self.value(
                    s.value_size == 4,
                    "EINVAL",
                    f,
                    "4 bytes (an AF_XDP socket fd)",
                )?;
                self.mask(flags, NUMA_NODE | RDONLY | WRONLY, f)
            }
            M::Sockmap => {
                let f = "sock_map_alloc";
                self.entries(
                    s.max_entries != 0 && s.max_entries <= i32::MAX as u32,
                    "EINVAL",
                    f,
                    "from 1 to INT_MAX",
                )?;
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes (an index)")?;
                self.value(
                    matches!(s.value_size, 4 | 8),
                    "EINVAL",
                    f,
                    "a socket fd or cookie: 4 or 8 bytes",
                )?;
                self.mask(flags, NUMA_NODE | RDONLY | WRONLY, f)
            }
            M::Sockhash => {
                let f = "sock_hash_alloc";
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(s.key_size != 0, "EINVAL", f, "at least 1 byte")?;
                self.value(
                    matches!(s.value_size, 4 | 8),
                    "EINVAL",
                    f,
                    "a socket fd or cookie: 4 or 8 bytes",
                )?;
                self.mask(flags, NUMA_NODE | RDONLY | WRONLY, f)?;
                self.key(
                    s.key_size <= 512,
                    "E2BIG",
                    f,
                    "at most MAX_BPF_STACK, 512 bytes",
                )?;
                // The buckets (a power of two of 16-byte `bpf_shtab_bucket`s) must number at
                // most U32_MAX / 16.
                self.entries(
                    s.max_entries <= 1 << 27,
                    "EINVAL",
                    f,
                    "at most 2^27 (its power-of-two buckets of 16 bytes must fit in U32_MAX bytes)",
                )
            }
            M::StackTrace => {
                let f = "stack_map_alloc";
                self.mask(flags, NUMA_NODE | RDONLY | WRONLY | STACK_BUILD_ID, f)?;
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes (a stack id)")?;
                let v = u64::from(s.value_size);
                self.value(
                    v >= 8 && v % 8 == 0,
                    "EINVAL",
                    f,
                    "a multiple of 8 bytes (one u64 per frame), at least 8",
                )?;
                if flags & STACK_BUILD_ID != 0 {
                    self.value(
                        v % STACK_BUILD_ID_SIZE == 0 && v / STACK_BUILD_ID_SIZE <= PERF_MAX_STACK_DEPTH,
                        "EINVAL",
                        f,
                        "with BPF_F_STACK_BUILD_ID, 32-byte `struct bpf_stack_build_id`s, at most kernel.perf_event_max_stack (127 by default)",
                    )?;
                } else {
                    self.value(
                        v / 8 <= PERF_MAX_STACK_DEPTH,
                        "EINVAL",
                        f,
                        "at most kernel.perf_event_max_stack frames (127 by default): 1016 bytes",
                    )?;
                }
                self.entries(s.max_entries <= 1 << 31, "E2BIG", f, "at most 2^31")
            }
            M::CgroupStorage | M::PercpuCgroupStorage => {
                let f = "cgroup_storage_map_alloc";
                let max = if t == M::PercpuCgroupStorage {
                    LOCAL_STORAGE_MAX_VALUE.min(PCPU_MIN_UNIT_SIZE)
                } else {
                    LOCAL_STORAGE_MAX_VALUE
                };
                self.key(
                    matches!(s.key_size, 8 | 16),
                    "EINVAL",
                    f,
                    "a cgroup id (8 bytes) or `struct bpf_cgroup_storage_key` (16 bytes)",
                )?;
                self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
                self.value(
                    u64::from(s.value_size) <= max,
                    "E2BIG",
                    f,
                    &format!("at most {max} bytes"),
                )?;
                self.mask(flags, NUMA_NODE | ACCESS, f)?;
                self.access_ok(flags, f)?;
                self.entries(
                    s.max_entries == 0,
                    "EINVAL",
                    f,
                    "one value per cgroup: max_entries 0",
                )
            }
            M::SkStorage | M::InodeStorage | M::TaskStorage | M::CgrpStorage => {
                let f = "bpf_local_storage_map_alloc_check";
                self.mask(flags, NO_PREALLOC | CLONE, f)?;
                self.requires(
                    flags,
                    NO_PREALLOC,
                    f,
                    "local storage is allocated per object: BPF_F_NO_PREALLOC is required",
                )?;
                self.entries(
                    s.max_entries == 0,
                    "EINVAL",
                    f,
                    "one value per object: max_entries 0",
                )?;
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes (an fd)")?;
                self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
                self.value(
                    u64::from(s.value_size) <= LOCAL_STORAGE_MAX_VALUE,
                    "E2BIG",
                    f,
                    &format!("at most {LOCAL_STORAGE_MAX_VALUE} bytes"),
                )
            }
            M::StructOps => {
                let f = "bpf_struct_ops_map_alloc_check";
                self.key(s.key_size == 4, "EINVAL", f, "4 bytes")?;
                self.entries(s.max_entries == 1, "EINVAL", f, "exactly 1")?;
                self.mask(flags, LINK | VTYPE_BTF_OBJ_FD, f)?;
                self.fail(
                    MapAttr::Type,
                    "EINVAL",
                    f,
                    "without `btf_vmlinux_value_type_id`".to_string(),
                    "a struct_ops map is created with the kernel's BTF id of its struct, which a map spec does not carry",
                )
            }
            M::Arena => {
                let f = "arena_map_alloc";
                self.key(s.key_size == 0, "EINVAL", f, "an arena has no key: 0")?;
                self.value(s.value_size == 0, "EINVAL", f, "an arena has no value: 0")?;
                self.entries(s.max_entries != 0, "EINVAL", f, "at least 1 page")?;
                self.requires(
                    flags,
                    MMAPABLE,
                    f,
                    "an arena is mapped into user space: BPF_F_MMAPABLE is required",
                )?;
                self.mask(flags, MMAPABLE | SEGV_ON_FAULT | NO_USER_CONV, f)?;
                self.entries(
                    u64::from(s.max_entries) * PAGE_SIZE <= 1 << 32,
                    "E2BIG",
                    f,
                    "its size in 4096-byte pages, at most 4 GiB in all: 1048576",
                )
            }
        }
    }

    /// `array_map_alloc_check` (array, per-CPU array, and through `fd_array_map_alloc_check`
    /// and `reuseport_array_alloc_check` the fd arrays).
    fn array(&self, t: MapType, flags: u32, f: &'static str) -> Res {
        let s = self.spec;
        let percpu = t == MapType::PercpuArray;
        self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
        self.key(s.key_size == 4, "EINVAL", f, "4 bytes (an index)")?;
        self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
        let shown = match t {
            MapType::Array => NUMA_NODE | MMAPABLE | ACCESS | INNER_MAP,
            MapType::PercpuArray => ACCESS,
            MapType::PerfEventArray => NUMA_NODE | RDONLY | WRONLY | PRESERVE_ELEMS,
            MapType::ReuseportSockarray => NUMA_NODE | ACCESS,
            _ => NUMA_NODE | RDONLY | WRONLY,
        };
        self.mask_shown(
            flags,
            NUMA_NODE | MMAPABLE | ACCESS | PRESERVE_ELEMS | INNER_MAP,
            shown,
            f,
        )?;
        self.access_ok(flags, f)?;
        self.flags(
            !(percpu && flags & NUMA_NODE != 0),
            NUMA_NODE,
            "EINVAL",
            f,
            "a per-CPU array is on every node",
        )?;
        self.flags(
            t == MapType::Array || flags & (MMAPABLE | INNER_MAP) == 0,
            flags & (MMAPABLE | INNER_MAP),
            "EINVAL",
            f,
            "only a plain array takes BPF_F_MMAPABLE and BPF_F_INNER_MAP",
        )?;
        self.flags(
            t == MapType::PerfEventArray || flags & PRESERVE_ELEMS == 0,
            PRESERVE_ELEMS,
            "EINVAL",
            f,
            "only a perf_event_array takes BPF_F_PRESERVE_ELEMS",
        )?;
        self.value(
            s.value_size <= i32::MAX as u32,
            "E2BIG",
            f,
            "at most INT_MAX bytes",
        )?;
        if percpu {
            self.percpu_value(f)?;
        }
        Ok(())
    }

    /// `htab_map_alloc_check` (the hashes, and the hash of maps after its value check).
    fn hash(&self, t: MapType, flags: u32) -> Res {
        use MapType as M;
        let s = self.spec;
        let f = "htab_map_alloc_check";
        let percpu = matches!(t, M::PercpuHash | M::LruPercpuHash);
        let lru = matches!(t, M::LruHash | M::LruPercpuHash);
        let shown = ACCESS
            | ZERO_SEED
            | if lru { NO_COMMON_LRU } else { NO_PREALLOC }
            | if percpu { 0 } else { NUMA_NODE };
        self.mask_shown(
            flags,
            NO_PREALLOC | NO_COMMON_LRU | NUMA_NODE | ACCESS | ZERO_SEED,
            shown,
            f,
        )?;
        self.access_ok(flags, f)?;
        self.flags(
            lru || flags & NO_COMMON_LRU == 0,
            NO_COMMON_LRU,
            "EINVAL",
            f,
            "only the LRU hashes take BPF_F_NO_COMMON_LRU",
        )?;
        self.flags(
            !(lru && flags & NO_PREALLOC != 0),
            NO_PREALLOC,
            "ENOTSUPP",
            f,
            "an LRU hash is always preallocated",
        )?;
        self.flags(
            !(flags & NUMA_NODE != 0 && (percpu || flags & NO_COMMON_LRU != 0)),
            NUMA_NODE,
            "EINVAL",
            f,
            "per-CPU values or LRU lists are on every node",
        )?;
        self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
        self.key(s.key_size != 0, "EINVAL", f, "at least 1 byte")?;
        self.value(s.value_size != 0, "EINVAL", f, "at least 1 byte")?;
        let limit = KMALLOC_MAX_SIZE - HTAB_ELEM_SIZE;
        if u64::from(s.key_size) + u64::from(s.value_size) >= limit {
            return self.fail(
                MapAttr::ValueSize,
                "E2BIG",
                f,
                format!("with key_size {} and value_size {}", s.key_size, s.value_size),
                &format!(
                    "key and value together under KMALLOC_MAX_SIZE less the element header: at most {} bytes",
                    limit - 1
                ),
            );
        }
        if percpu {
            self.percpu_value(f)?;
        }
        Ok(())
    }

    /// `htab_map_alloc`'s limits on `max_entries`.
    fn hash_alloc(&self) -> Res {
        let f = "htab_map_alloc";
        // The buckets, a power of two of 16-byte `struct bucket`s, must number at most
        // U32_MAX / 16 (`n_buckets > U32_MAX / sizeof(struct bucket)`; the 2^31 check before
        // it is weaker).
        self.entries(
            self.spec.max_entries <= 1 << 27,
            "E2BIG",
            f,
            "at most 2^27 (its power-of-two buckets of 16 bytes must fit in U32_MAX bytes)",
        )
    }

    /// `trie_alloc`.
    fn lpm(&self, kernel: KernelVersion, flags: u32) -> Res {
        let s = self.spec;
        let f = "trie_alloc";
        self.entries(s.max_entries != 0, "EINVAL", f, "at least 1")?;
        self.requires(
            flags,
            NO_PREALLOC,
            f,
            "an LPM trie allocates its nodes as they come: BPF_F_NO_PREALLOC is required",
        )?;
        self.mask(flags, NO_PREALLOC | NUMA_NODE | ACCESS, f)?;
        self.access_ok(flags, f)?;
        let k = u64::from(s.key_size);
        self.key(
            (LPM_KEY_HEADER + 1..=LPM_KEY_HEADER + LPM_DATA_SIZE_MAX).contains(&k),
            "EINVAL",
            f,
            "a 4-byte prefix length and 1 to 256 bytes of data: 5 to 260 bytes",
        )?;
        // `LPM_VAL_SIZE_MAX`: KMALLOC_MAX_SIZE less the largest data and the node header, 40
        // bytes until the trie's nodes came from the BPF memory allocator (24 on 6.18.44,
        // measured; 6.12.118 has the RCU head): the older limit below 6.18.
        let node = if kernel >= KernelVersion::since(6, 18) {
            24
        } else {
            40
        };
        let max = KMALLOC_MAX_SIZE - LPM_DATA_SIZE_MAX - node;
        self.value(
            s.value_size != 0 && u64::from(s.value_size) <= max,
            "EINVAL",
            f,
            &format!("1 to {max} bytes"),
        )
    }

    /// A map of maps' template (`inner_map_fd`): the runtime creates it first, so its
    /// refusal comes first. A map of maps that declares none (an ELF object's whose user
    /// space gives the kernel one at run time) is not checked here.
    fn template(&self, kernel: KernelVersion) -> Res {
        let s = self.spec;
        let Some(inner) = s.inner else {
            return Ok(());
        };
        if let Err(why) = inner.check() {
            return self.fail(
                MapAttr::Inner,
                "EINVAL",
                "bpf_map_meta_alloc",
                format!("with inner {} maps", inner.map_type),
                &why,
            );
        }
        let spec = inner.spec(s.name.clone());
        let c = Check {
            spec: &spec,
            what: format!("the inner {} map of `{}`", inner.map_type, s.name),
        };
        c.check(kernel).map_err(|mut e| {
            e.attr = MapAttr::Inner;
            e
        })
    }

    /// `bpf_map_meta_alloc`: the inner map's type must be one the kernel can compare.
    fn inner_meta(&self) -> Res {
        use MapType as M;
        let Some(inner) = self.spec.inner else {
            return Ok(());
        };
        match inner.map_type {
            M::ProgArray | M::CgroupStorage | M::PercpuCgroupStorage | M::StructOps => self.fail(
                MapAttr::Inner,
                "ENOTSUPP",
                "bpf_map_meta_alloc",
                format!("with inner {} maps", inner.map_type),
                "the kernel cannot compare maps of this type (no `map_meta_equal`)",
            ),
            _ => Ok(()),
        }
    }
}
