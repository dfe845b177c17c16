//! `map_flags` of `BPF_MAP_CREATE` (the `BPF_F_*` bits of `linux/bpf.h` a map is created with),
//! named once: the map-creation rules, the text syntax's `flags=` and the messages use these.

/// `BPF_F_NO_PREALLOC`: a hash map's elements are allocated when inserted (required by the
/// LPM trie and the local storages).
pub const BPF_F_NO_PREALLOC: u32 = 1 << 0;
/// `BPF_F_NO_COMMON_LRU`: an LRU hash keeps one LRU list per CPU.
pub const BPF_F_NO_COMMON_LRU: u32 = 1 << 1;
/// `BPF_F_NUMA_NODE`: the map is allocated on the NUMA node `numa_node` names.
pub const BPF_F_NUMA_NODE: u32 = 1 << 2;
/// `BPF_F_RDONLY`: user space may only read the map.
pub const BPF_F_RDONLY: u32 = 1 << 3;
/// `BPF_F_WRONLY`: user space may only write the map.
pub const BPF_F_WRONLY: u32 = 1 << 4;
/// `BPF_F_STACK_BUILD_ID`: a stack trace map stores build ids and offsets.
pub const BPF_F_STACK_BUILD_ID: u32 = 1 << 5;
/// `BPF_F_ZERO_SEED`: a hash map's hash seed is 0 (testing).
pub const BPF_F_ZERO_SEED: u32 = 1 << 6;
/// `BPF_F_RDONLY_PROG`: the program may only read the map (`.rodata`).
pub const BPF_F_RDONLY_PROG: u32 = 1 << 7;
/// `BPF_F_WRONLY_PROG`: the program may only write the map.
pub const BPF_F_WRONLY_PROG: u32 = 1 << 8;
/// `BPF_F_CLONE`: a socket storage is cloned to the child socket.
pub const BPF_F_CLONE: u32 = 1 << 9;
/// `BPF_F_MMAPABLE`: an array (or arena) user space may `mmap`.
pub const BPF_F_MMAPABLE: u32 = 1 << 10;
/// `BPF_F_PRESERVE_ELEMS`: a perf event array keeps its entries when its fd is closed.
pub const BPF_F_PRESERVE_ELEMS: u32 = 1 << 11;
/// `BPF_F_INNER_MAP`: the inner maps of a map of maps may differ from the template in
/// `max_entries` (array inner maps; kernel 5.10).
pub const BPF_F_INNER_MAP: u32 = 1 << 12;
/// `BPF_F_LINK`: a struct_ops map attached through a link.
pub const BPF_F_LINK: u32 = 1 << 13;
/// `BPF_F_PATH_FD`: an object pinned relative to a directory fd (not a creation flag).
pub const BPF_F_PATH_FD: u32 = 1 << 14;
/// `BPF_F_VTYPE_BTF_OBJ_FD`: the value type's BTF is a module's (struct_ops).
pub const BPF_F_VTYPE_BTF_OBJ_FD: u32 = 1 << 15;
/// `BPF_F_TOKEN_FD`: created through a BPF token (kernel 6.9).
pub const BPF_F_TOKEN_FD: u32 = 1 << 16;
/// `BPF_F_SEGV_ON_FAULT`: an arena's faults past its pages raise SIGSEGV.
pub const BPF_F_SEGV_ON_FAULT: u32 = 1 << 17;
/// `BPF_F_NO_USER_CONV`: an arena's pointers are not converted for user space.
pub const BPF_F_NO_USER_CONV: u32 = 1 << 18;
/// `BPF_F_RB_OVERWRITE`: a ring buffer overwrites its oldest records when full (kernel 7.0).
pub const BPF_F_RB_OVERWRITE: u32 = 1 << 19;
