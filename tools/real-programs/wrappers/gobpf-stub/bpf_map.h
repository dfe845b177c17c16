/* Stand-in for iovisor/gobpf's elf/include/bpf_map.h: its legacy map definition, one per
 * `maps/NAME` section (gobpf's ELF loader reads type, sizes, entries and flags, then its
 * pinning mode and a pinning namespace). */
#ifndef REAL_PROGRAMS_GOBPF_BPF_MAP_H
#define REAL_PROGRAMS_GOBPF_BPF_MAP_H
#define BUF_SIZE_MAP_NS 256
struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
	unsigned int pinning;
	char namespace[BUF_SIZE_MAP_NS];
};
#endif
