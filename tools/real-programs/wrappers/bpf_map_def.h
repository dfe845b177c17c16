/* `struct bpf_map_def`, the legacy `maps` section's map definition that <bpf/bpf_helpers.h>
 * declared before libbpf 1.0 (five 32-bit fields: type, key and value sizes, entries, flags),
 * for the projects built against such a libbpf (NetBird, XDP-Forwarding): given with
 * `-include {wrappers}/bpf_map_def.h` where the system's libbpf headers no longer have it. */
#ifndef REAL_PROGRAMS_BPF_MAP_DEF
#define REAL_PROGRAMS_BPF_MAP_DEF
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};
#endif
