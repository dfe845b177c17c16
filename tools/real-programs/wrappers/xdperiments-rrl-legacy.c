/* XDPeriments' RRL Round 2 (legacy `maps` section): its LPM tries as the project creates them.
 * Its Makefile makes them with `bpftool map create ... type lpm_trie ... flags 1` and pins
 * them for the program; the source's definitions lack the flag, and the kernel refuses an
 * LPM trie without BPF_F_NO_PREALLOC (EINVAL, before any program is verified). After
 * <linux/bpf.h> has declared the enum, each `.type = BPF_MAP_TYPE_LPM_TRIE` initializer
 * gets `.map_flags = BPF_F_NO_PREALLOC` as well; the program is as it is. */
#include <linux/bpf.h>
#define BPF_MAP_TYPE_LPM_TRIE BPF_MAP_TYPE_LPM_TRIE, .map_flags = BPF_F_NO_PREALLOC
#include "RRL/Round2/xdp_rrl_VIP_list.c"
