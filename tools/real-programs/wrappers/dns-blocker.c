/* Flying-Toast's bpf_dns_blocker: its filter.bpf.c calls the kfunc bpf_dynptr_from_xdp, which
 * the vmlinux.h of a newer bpftool declares (bpftool 7.2+ dumps the kernel's kfunc
 * prototypes); the vmlinux.h the installed bpftool 7.1 dumps has none, so the declaration
 * that newer vmlinux.h would give is given here, before the program's own source. */
#define BPF_NO_GLOBAL_DATA
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
extern int bpf_dynptr_from_xdp(struct xdp_md *x, __u64 flags,
			       struct bpf_dynptr *ptr__uninit) __ksym;
#include "filter.bpf.c"
