/* fchrgrib's tc_bpf_lb_least_connection: its tc.bpf.c declares `struct bpf_ct_opts` itself (for
 * the conntrack kfuncs bpf_skb_ct_lookup / bpf_ct_release), as the vmlinux.h of its author's
 * kernel lacked it; the running kernel's vmlinux.h has it. Its definition there is renamed so
 * that the program's own (the older 12-byte layout, without the conntrack zone fields, which
 * the kfuncs still take: `opts__sz` 12) is the one the kfunc declarations name. */
#define bpf_ct_opts bpf_ct_opts___vmlinux
#include "vmlinux.h"
#undef bpf_ct_opts
#include "tc.bpf.c"
