//! Map and program specifications: what `defmap!` / `defprogram!` expand to and what the
//! runtime (`xsk-runtime`) creates and loads.
//!
//! Every type here can be built in a `const` (strings and slices are `Cow::Borrowed`), so the
//! macros expand to plain constants with no allocation at run time, and can also be built at
//! run time from data (`Cow::Owned`).

use std::borrow::Cow;

use crate::isa::insn::Insn;

macro_rules! kernel_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident : $prefix:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal, $kname:literal ; )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u32)]
        pub enum $name {
            $( $(#[$vmeta])* $variant = $value, )*
        }

        impl $name {
            /// Every value, in kernel numbering order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The kernel's numeric value.
            pub const fn as_u32(self) -> u32 {
                self as u32
            }

            /// The value for a kernel number.
            pub const fn from_u32(v: u32) -> Option<$name> {
                match v {
                    $( $value => Some($name::$variant), )*
                    _ => None,
                }
            }

            /// The short lower-case name used in `defmap!` / `defprogram!` and by bpftool
            /// (e.g. `xskmap`, `xdp`).
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $kname, )*
                }
            }

            /// The value for a short name (see [`Self::name`]); the kernel's constant name
            #[doc = concat!("(`", $prefix, "XSKMAP`-style, any case) is accepted too.")]
            pub fn from_name(s: &str) -> Option<$name> {
                let lower = s.to_ascii_lowercase();
                let short = lower.strip_prefix(&$prefix.to_ascii_lowercase()).unwrap_or(&lower);
                let short = short.replace('-', "_");
                $name::ALL.iter().copied().find(|v| v.name() == short)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

kernel_enum! {
    /// Map types (`enum bpf_map_type` in `linux/bpf.h`).
    pub enum MapType : "BPF_MAP_TYPE_" {
        /// `BPF_MAP_TYPE_HASH` (kernel 3.19).
        Hash = 1, "hash";
        /// `BPF_MAP_TYPE_ARRAY` (kernel 3.19).
        Array = 2, "array";
        /// `BPF_MAP_TYPE_PROG_ARRAY` (kernel 4.2): tail-call targets; values are program fds.
        ProgArray = 3, "prog_array";
        /// `BPF_MAP_TYPE_PERF_EVENT_ARRAY` (kernel 4.3).
        PerfEventArray = 4, "perf_event_array";
        /// `BPF_MAP_TYPE_PERCPU_HASH` (kernel 4.6).
        PercpuHash = 5, "percpu_hash";
        /// `BPF_MAP_TYPE_PERCPU_ARRAY` (kernel 4.6).
        PercpuArray = 6, "percpu_array";
        /// `BPF_MAP_TYPE_STACK_TRACE` (kernel 4.6).
        StackTrace = 7, "stack_trace";
        /// `BPF_MAP_TYPE_CGROUP_ARRAY` (kernel 4.8).
        CgroupArray = 8, "cgroup_array";
        /// `BPF_MAP_TYPE_LRU_HASH` (kernel 4.10).
        LruHash = 9, "lru_hash";
        /// `BPF_MAP_TYPE_LRU_PERCPU_HASH` (kernel 4.10).
        LruPercpuHash = 10, "lru_percpu_hash";
        /// `BPF_MAP_TYPE_LPM_TRIE` (kernel 4.11).
        LpmTrie = 11, "lpm_trie";
        /// `BPF_MAP_TYPE_ARRAY_OF_MAPS` (kernel 4.12).
        ArrayOfMaps = 12, "array_of_maps";
        /// `BPF_MAP_TYPE_HASH_OF_MAPS` (kernel 4.12).
        HashOfMaps = 13, "hash_of_maps";
        /// `BPF_MAP_TYPE_DEVMAP` (kernel 4.14): redirect targets by index; values are ifindexes.
        Devmap = 14, "devmap";
        /// `BPF_MAP_TYPE_SOCKMAP` (kernel 4.14).
        Sockmap = 15, "sockmap";
        /// `BPF_MAP_TYPE_CPUMAP` (kernel 4.15): redirect to other CPUs; values are queue sizes.
        Cpumap = 16, "cpumap";
        /// `BPF_MAP_TYPE_XSKMAP` (kernel 4.18): AF_XDP sockets by queue index; values are XSK fds.
        Xskmap = 17, "xskmap";
        /// `BPF_MAP_TYPE_SOCKHASH` (kernel 4.18).
        Sockhash = 18, "sockhash";
        /// `BPF_MAP_TYPE_CGROUP_STORAGE` (kernel 4.19).
        CgroupStorage = 19, "cgroup_storage";
        /// `BPF_MAP_TYPE_REUSEPORT_SOCKARRAY` (kernel 4.19).
        ReuseportSockarray = 20, "reuseport_sockarray";
        /// `BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE` (kernel 4.20).
        PercpuCgroupStorage = 21, "percpu_cgroup_storage";
        /// `BPF_MAP_TYPE_QUEUE` (kernel 4.20).
        Queue = 22, "queue";
        /// `BPF_MAP_TYPE_STACK` (kernel 4.20).
        Stack = 23, "stack";
        /// `BPF_MAP_TYPE_SK_STORAGE` (kernel 5.2).
        SkStorage = 24, "sk_storage";
        /// `BPF_MAP_TYPE_DEVMAP_HASH` (kernel 5.4): redirect targets by arbitrary key.
        DevmapHash = 25, "devmap_hash";
        /// `BPF_MAP_TYPE_STRUCT_OPS` (kernel 5.6).
        StructOps = 26, "struct_ops";
        /// `BPF_MAP_TYPE_RINGBUF` (kernel 5.8): `max_entries` is the size in bytes, a power-of-two
        /// multiple of the page size.
        Ringbuf = 27, "ringbuf";
        /// `BPF_MAP_TYPE_INODE_STORAGE` (kernel 5.10).
        InodeStorage = 28, "inode_storage";
        /// `BPF_MAP_TYPE_TASK_STORAGE` (kernel 5.11).
        TaskStorage = 29, "task_storage";
        /// `BPF_MAP_TYPE_BLOOM_FILTER` (kernel 5.16).
        BloomFilter = 30, "bloom_filter";
        /// `BPF_MAP_TYPE_USER_RINGBUF` (kernel 6.1).
        UserRingbuf = 31, "user_ringbuf";
        /// `BPF_MAP_TYPE_CGRP_STORAGE` (kernel 6.2).
        CgrpStorage = 32, "cgrp_storage";
        /// `BPF_MAP_TYPE_ARENA` (kernel 6.9).
        Arena = 33, "arena";
    }
}

kernel_enum! {
    /// Program types (`enum bpf_prog_type` in `linux/bpf.h`).
    pub enum ProgramType : "BPF_PROG_TYPE_" {
        /// `BPF_PROG_TYPE_SOCKET_FILTER` (kernel 3.19).
        SocketFilter = 1, "socket_filter";
        /// `BPF_PROG_TYPE_KPROBE` (kernel 4.1).
        Kprobe = 2, "kprobe";
        /// `BPF_PROG_TYPE_SCHED_CLS` (kernel 4.1): tc classifier.
        SchedCls = 3, "sched_cls";
        /// `BPF_PROG_TYPE_SCHED_ACT` (kernel 4.1): tc action.
        SchedAct = 4, "sched_act";
        /// `BPF_PROG_TYPE_TRACEPOINT` (kernel 4.7).
        Tracepoint = 5, "tracepoint";
        /// `BPF_PROG_TYPE_XDP` (kernel 4.8).
        Xdp = 6, "xdp";
        /// `BPF_PROG_TYPE_PERF_EVENT` (kernel 4.9).
        PerfEvent = 7, "perf_event";
        /// `BPF_PROG_TYPE_CGROUP_SKB` (kernel 4.10).
        CgroupSkb = 8, "cgroup_skb";
        /// `BPF_PROG_TYPE_CGROUP_SOCK` (kernel 4.10).
        CgroupSock = 9, "cgroup_sock";
        /// `BPF_PROG_TYPE_LWT_IN` (kernel 4.10).
        LwtIn = 10, "lwt_in";
        /// `BPF_PROG_TYPE_LWT_OUT` (kernel 4.10).
        LwtOut = 11, "lwt_out";
        /// `BPF_PROG_TYPE_LWT_XMIT` (kernel 4.10).
        LwtXmit = 12, "lwt_xmit";
        /// `BPF_PROG_TYPE_SOCK_OPS` (kernel 4.13).
        SockOps = 13, "sock_ops";
        /// `BPF_PROG_TYPE_SK_SKB` (kernel 4.14).
        SkSkb = 14, "sk_skb";
        /// `BPF_PROG_TYPE_CGROUP_DEVICE` (kernel 4.15).
        CgroupDevice = 15, "cgroup_device";
        /// `BPF_PROG_TYPE_SK_MSG` (kernel 4.17).
        SkMsg = 16, "sk_msg";
        /// `BPF_PROG_TYPE_RAW_TRACEPOINT` (kernel 4.17).
        RawTracepoint = 17, "raw_tracepoint";
        /// `BPF_PROG_TYPE_CGROUP_SOCK_ADDR` (kernel 4.17).
        CgroupSockAddr = 18, "cgroup_sock_addr";
        /// `BPF_PROG_TYPE_LWT_SEG6LOCAL` (kernel 4.18).
        LwtSeg6local = 19, "lwt_seg6local";
        /// `BPF_PROG_TYPE_LIRC_MODE2` (kernel 4.18).
        LircMode2 = 20, "lirc_mode2";
        /// `BPF_PROG_TYPE_SK_REUSEPORT` (kernel 4.19).
        SkReuseport = 21, "sk_reuseport";
        /// `BPF_PROG_TYPE_FLOW_DISSECTOR` (kernel 4.20).
        FlowDissector = 22, "flow_dissector";
        /// `BPF_PROG_TYPE_CGROUP_SYSCTL` (kernel 5.2).
        CgroupSysctl = 23, "cgroup_sysctl";
        /// `BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE` (kernel 5.2).
        RawTracepointWritable = 24, "raw_tracepoint_writable";
        /// `BPF_PROG_TYPE_CGROUP_SOCKOPT` (kernel 5.3).
        CgroupSockopt = 25, "cgroup_sockopt";
        /// `BPF_PROG_TYPE_TRACING` (kernel 5.5).
        Tracing = 26, "tracing";
        /// `BPF_PROG_TYPE_STRUCT_OPS` (kernel 5.6).
        StructOps = 27, "struct_ops";
        /// `BPF_PROG_TYPE_EXT` (kernel 5.6).
        Ext = 28, "ext";
        /// `BPF_PROG_TYPE_LSM` (kernel 5.7).
        Lsm = 29, "lsm";
        /// `BPF_PROG_TYPE_SK_LOOKUP` (kernel 5.9).
        SkLookup = 30, "sk_lookup";
        /// `BPF_PROG_TYPE_SYSCALL` (kernel 5.14).
        Syscall = 31, "syscall";
        /// `BPF_PROG_TYPE_NETFILTER` (kernel 6.4).
        Netfilter = 32, "netfilter";
    }
}

impl ProgramType {
    /// The name of the structure the kernel gives this program type as its context
    /// (`struct xdp_md`, `struct __sk_buff`, ...: the `prog_ctx_type` of the kernel's
    /// `bpf_types.h`), which a global function's argument points to to be the context
    /// whatever the kernel's version (`btf_get_prog_ctx_type` compares the pointee's name with
    /// it). `None` for the types whose context is not a named structure (`kprobe`'s
    /// `bpf_user_pt_regs_t`, `tracepoint`'s `__u64`, `lirc_mode2`'s `__u32`, the BTF-attached
    /// types' `void *`).
    pub fn ctx_struct(self) -> Option<&'static str> {
        use ProgramType as P;
        Some(match self {
            P::SocketFilter
            | P::SchedCls
            | P::SchedAct
            | P::CgroupSkb
            | P::LwtIn
            | P::LwtOut
            | P::LwtXmit
            | P::LwtSeg6local
            | P::SkSkb
            | P::FlowDissector => "__sk_buff",
            P::Xdp => "xdp_md",
            P::PerfEvent => "bpf_perf_event_data",
            P::CgroupSock => "bpf_sock",
            P::SockOps => "bpf_sock_ops",
            P::CgroupDevice => "bpf_cgroup_dev_ctx",
            P::SkMsg => "sk_msg_md",
            P::RawTracepoint | P::RawTracepointWritable => "bpf_raw_tracepoint_args",
            P::CgroupSockAddr => "bpf_sock_addr",
            P::SkReuseport => "sk_reuseport_md",
            P::CgroupSysctl => "bpf_sysctl",
            P::CgroupSockopt => "bpf_sockopt",
            P::SkLookup => "bpf_sk_lookup",
            P::Netfilter => "bpf_nf_ctx",
            _ => return None,
        })
    }
}

/// The most instruction slots a program may have: the kernel's limit for a privileged loader
/// (`BPF_COMPLEXITY_LIMIT_INSNS`; 4,096 without `CAP_BPF`). The assembler (checked or not), the
/// builder and the static verifier all refuse longer programs, with [`too_many_insns`]'s
/// message.
pub const MAX_INSNS: usize = 1_000_000;

/// The one message for a program of `n` slots over [`MAX_INSNS`]; `None` when it fits.
pub fn too_many_insns(n: usize) -> Option<String> {
    (n > MAX_INSNS).then(|| {
        format!(
            "the program has {n} instructions; the kernel's limit is {MAX_INSNS} (4096 without CAP_BPF)"
        )
    })
}

pub use crate::names::BPF_OBJ_NAME_MAX;

mod attach;
mod data;
mod flags;
pub mod map_flags;
mod slots;
pub use attach::{expected_attach_type_of_section, BPF_XDP_CPUMAP, BPF_XDP_DEVMAP};
pub use data::GlobalData;
pub use flags::{strict_alignment, BPF_F_ANY_ALIGNMENT, BPF_F_STRICT_ALIGNMENT};
pub use map_flags::{BPF_F_INNER_MAP, BPF_F_RDONLY_PROG};
pub use slots::{MapSlot, SlotValue};

/// A map to be created: `struct bpf_map_create_attr`'s essentials plus a kernel-visible name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MapSpec {
    /// The name the kernel shows (`bpftool map`), at most 15 characters; also the symbol that
    /// programs' relocations use to find this map.
    pub name: Cow<'static, str>,
    /// The map type.
    pub map_type: MapType,
    /// Size of a key in bytes.
    pub key_size: u32,
    /// Size of a value in bytes.
    pub value_size: u32,
    /// Capacity (for `ringbuf`: the buffer size in bytes).
    pub max_entries: u32,
    /// `map_flags` (`BPF_F_NO_PREALLOC`, `BPF_F_RDONLY_PROG`, ...).
    pub flags: u32,
    /// The BTF of the key and value types (`defmap!` fills it when both are Rust types), so the
    /// loader can create the map with `btf_key_type_id` / `btf_value_type_id`.
    pub btf: Option<crate::btf::MapBtf>,
    /// For a map of maps (`array_of_maps`, `hash_of_maps`): the maps it holds. The runtime
    /// creates a map of this shape and passes its fd as `inner_map_fd`; the kernel then takes
    /// only maps of this shape as values, and a lookup in the program gives a pointer to one.
    /// `None` for every other map type.
    pub inner: Option<InnerMap>,
}

/// The shape of the maps a map of maps holds ([`MapSpec::inner`]): what the kernel compares
/// every inserted map with (type, key and value sizes, flags; `max_entries` too unless the
/// flags include `BPF_F_INNER_MAP`). Nesting goes one level deep: an inner map cannot itself
/// hold maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InnerMap {
    /// The inner maps' type.
    pub map_type: MapType,
    /// Their key size in bytes.
    pub key_size: u32,
    /// Their value size in bytes.
    pub value_size: u32,
    /// Their capacity.
    pub max_entries: u32,
    /// Their `map_flags`.
    pub flags: u32,
}

impl InnerMap {
    /// The shape of `spec` (its name, BTF and own inner map are not part of it).
    pub const fn of(spec: &MapSpec) -> InnerMap {
        InnerMap {
            map_type: spec.map_type,
            key_size: spec.key_size,
            value_size: spec.value_size,
            max_entries: spec.max_entries,
            flags: spec.flags,
        }
    }

    /// A spec of this shape called `name`: what to create an inner map from.
    pub fn spec(&self, name: impl Into<Cow<'static, str>>) -> MapSpec {
        MapSpec {
            name: name.into(),
            map_type: self.map_type,
            key_size: self.key_size,
            value_size: self.value_size,
            max_entries: self.max_entries,
            flags: self.flags,
            btf: None,
            inner: None,
        }
    }

    /// Whether a map of this shape may be the inner map of a map of maps: not when it is a
    /// map of maps itself (the kernel's `bpf_map_meta_alloc`: "Does not support >1 level
    /// map-in-map"). The kernel refuses a few more types at creation (those it cannot compare,
    /// e.g. `struct_ops`); that error comes from the runtime.
    pub fn check(&self) -> Result<(), String> {
        match self.map_type {
            MapType::ArrayOfMaps | MapType::HashOfMaps => Err(format!(
                "an inner map cannot itself hold maps (`{}`): maps of maps nest one level",
                self.map_type
            )),
            _ => Ok(()),
        }
    }
}

/// Map-creation flags by name (`BPF_MAP_CREATE`'s `map_flags`, `enum` of `linux/bpf.h`), for
/// parsing and printing [`MapSpec::flags`].
pub const MAP_FLAG_NAMES: &[(&str, u32)] = &[
    ("BPF_F_NO_PREALLOC", map_flags::BPF_F_NO_PREALLOC),
    ("BPF_F_NO_COMMON_LRU", map_flags::BPF_F_NO_COMMON_LRU),
    ("BPF_F_NUMA_NODE", map_flags::BPF_F_NUMA_NODE),
    ("BPF_F_RDONLY", map_flags::BPF_F_RDONLY),
    ("BPF_F_WRONLY", map_flags::BPF_F_WRONLY),
    ("BPF_F_STACK_BUILD_ID", map_flags::BPF_F_STACK_BUILD_ID),
    ("BPF_F_ZERO_SEED", map_flags::BPF_F_ZERO_SEED),
    ("BPF_F_RDONLY_PROG", map_flags::BPF_F_RDONLY_PROG),
    ("BPF_F_WRONLY_PROG", map_flags::BPF_F_WRONLY_PROG),
    ("BPF_F_CLONE", map_flags::BPF_F_CLONE),
    ("BPF_F_MMAPABLE", map_flags::BPF_F_MMAPABLE),
    ("BPF_F_PRESERVE_ELEMS", map_flags::BPF_F_PRESERVE_ELEMS),
    ("BPF_F_INNER_MAP", map_flags::BPF_F_INNER_MAP),
    ("BPF_F_LINK", map_flags::BPF_F_LINK),
    ("BPF_F_PATH_FD", map_flags::BPF_F_PATH_FD),
    ("BPF_F_VTYPE_BTF_OBJ_FD", map_flags::BPF_F_VTYPE_BTF_OBJ_FD),
    ("BPF_F_TOKEN_FD", map_flags::BPF_F_TOKEN_FD),
    ("BPF_F_SEGV_ON_FAULT", map_flags::BPF_F_SEGV_ON_FAULT),
    ("BPF_F_NO_USER_CONV", map_flags::BPF_F_NO_USER_CONV),
    ("BPF_F_RB_OVERWRITE", map_flags::BPF_F_RB_OVERWRITE),
];

/// The names of the flags set in `flags` ([`MAP_FLAG_NAMES`], `BPF_F_NO_PREALLOC`, ...), in
/// that table's order, and the bits it does not name as one hexadecimal number last.
pub(crate) fn map_flag_names(flags: u32) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = flags;
    for (n, v) in MAP_FLAG_NAMES {
        if rest & v != 0 {
            parts.push(n.to_string());
            rest &= !v;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    parts
}

impl MapSpec {
    /// What this map's BTF `.maps` definition describes
    /// ([`Btf::add_map_definition`](crate::btf::Btf::add_map_definition)).
    pub fn btf_definition(&self) -> crate::btf::MapDefinition<'_> {
        crate::btf::MapDefinition {
            map_type: self.map_type.as_u32(),
            key_size: self.key_size,
            value_size: self.value_size,
            max_entries: self.max_entries,
            flags: self.flags,
            btf: self.btf.as_ref(),
            inner: self.inner.map(|i| crate::btf::InnerDefinition {
                map_type: i.map_type.as_u32(),
                key_size: i.key_size,
                value_size: i.value_size,
                max_entries: i.max_entries,
                flags: i.flags,
            }),
            prog_values: false,
        }
    }

    /// The kernel-visible name, usable in `const` contexts.
    pub const fn name_str(&self) -> &str {
        match &self.name {
            Cow::Borrowed(s) => s,
            Cow::Owned(s) => s.as_str(),
        }
    }

    /// Checks the name against the kernel's rule for object names
    /// ([`crate::names::check_obj_name`]: at most 15 characters of `[A-Za-z0-9_.]`), as
    /// `defmap!` does at compile time.
    pub fn check_name(&self) -> Result<(), String> {
        crate::names::check_obj_name(&self.name)
    }
}

/// What a [`Relocation`] asks the loader to write into an `ld_imm64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RelocKind {
    /// `BPF_PSEUDO_MAP_FD`: the map's fd (`r1 = map ll`).
    MapFd,
    /// `BPF_PSEUDO_MAP_VALUE`: the map's fd, plus `offset` into the value of key 0 in the
    /// second slot (array maps only).
    MapValue {
        /// Byte offset into the map value.
        offset: u32,
    },
}

/// A reference from an `ld_imm64` instruction to a map, to be filled with the map's fd when the
/// program is loaded.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Relocation {
    /// Index of the first slot of the `ld_imm64` in the instruction array.
    pub insn_index: usize,
    /// The map's name (its [`MapSpec::name`]).
    pub symbol: Cow<'static, str>,
    /// What to write.
    pub kind: RelocKind,
}

/// A program to be loaded: instructions, relocations, and the attributes `BPF_PROG_LOAD` needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProgramSpec {
    /// The name the kernel shows (`bpftool prog`), at most 15 characters.
    pub name: Cow<'static, str>,
    /// The program type.
    pub prog_type: ProgramType,
    /// The license string (`"GPL"` unlocks GPL-only helpers).
    pub license: Cow<'static, str>,
    /// The instructions, `ld_imm64` as two slots.
    pub insns: Cow<'static, [Insn]>,
    /// The map references to fill at load time.
    pub relocations: Cow<'static, [Relocation]>,
    /// The specs of the maps this program references, when known (the macros fill it), so a
    /// loader can create them without being told.
    pub maps: Cow<'static, [MapSpec]>,
    /// Where each instruction came from (file and line; empty when unknown), passed to the
    /// kernel as `line_info` so its verifier log and `bpftool prog dump` show the source.
    pub lines: Cow<'static, [crate::btf::SourceLine]>,
}

impl ProgramSpec {
    /// Checks the name against the kernel's rule for object names
    /// ([`crate::names::check_obj_name`]: at most 15 characters of `[A-Za-z0-9_.]`), as
    /// `defprogram!` does at compile time.
    pub fn check_name(&self) -> Result<(), String> {
        crate::names::check_obj_name(&self.name)
    }
}
