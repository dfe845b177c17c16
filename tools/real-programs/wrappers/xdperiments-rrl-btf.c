/* XDPeriments' RRL Round 3 (BTF-defined maps): its LPM tries as the project creates them.
 * Its Makefile makes them with `bpftool map create ... type lpm_trie ... flags 1` and pins
 * them for the program; the source's definitions lack the flag, and the kernel refuses an
 * LPM trie without BPF_F_NO_PREALLOC (EINVAL, before any program is verified). After
 * <linux/bpf.h> has declared the enum, each `__uint(type, BPF_MAP_TYPE_LPM_TRIE)` member is
 * followed by a `map_flags` member of BPF_F_NO_PREALLOC; the program is as it is. */
#include <linux/bpf.h>
#define BPF_MAP_TYPE_LPM_TRIE BPF_MAP_TYPE_LPM_TRIE]; int (*map_flags)[BPF_F_NO_PREALLOC
#include "RRL/Round3/xdp_rrl.c"
