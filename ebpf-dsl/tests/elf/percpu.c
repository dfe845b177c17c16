// Test input for tests/elf_rcu.rs: per-CPU objects of the program's types
// (bpf_percpu_obj_new_impl / bpf_percpu_obj_drop_impl) in tc, XDP and socket-filter programs:
// structs of numbers allocated and freed; the kernel's rules broken one per program (a direct
// read or write, a leak, the wrong drop, a pointer member, a lock, 600 bytes, an offset, a
// maybe-NULL pointer, a socket filter).
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
#define __ksym __attribute__((section(".ksyms")))
extern void *bpf_percpu_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_percpu_obj_drop_impl(void *kptr, void *meta) __ksym;
extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
#define pc_new(t) ((t *)bpf_percpu_obj_new_impl(__builtin_btf_type_id(*(t *)0, 0), 0))
#define pc_drop(p) bpf_percpu_obj_drop_impl(p, 0)
#define obj_new(t) ((t *)bpf_obj_new_impl(__builtin_btf_type_id(*(t *)0, 0), 0))
struct bpf_spin_lock { __u32 val; };
struct pv { long a; long b; };
struct pptr { long a; struct pv *p; };
struct plock { long a; struct bpf_spin_lock l; };
struct pbig { long a[75]; };
struct pnest { long a; struct pv in; int arr[4]; };
SEC("tc") int pc_new_drop(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_nested(struct __sk_buff *c) { struct pnest *p = pc_new(struct pnest); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_read(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); long r; if (!p) return 0; r = *(volatile long *)&p->a; pc_drop(p); return r; }
SEC("tc") int pc_write(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); if (!p) return 0; *(volatile long *)&p->b = 1; pc_drop(p); return 0; }
SEC("tc") int pc_leak(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); return p != 0; }
SEC("tc") int pc_obj_drop(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); if (!p) return 0; bpf_obj_drop_impl(p, 0); return 0; }
SEC("tc") int obj_pc_drop(struct __sk_buff *c) { struct pv *p = obj_new(struct pv); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_ptr_member(struct __sk_buff *c) { struct pptr *p = pc_new(struct pptr); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_special(struct __sk_buff *c) { struct plock *p = pc_new(struct plock); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_big(struct __sk_buff *c) { struct pbig *p = pc_new(struct pbig); if (!p) return 0; pc_drop(p); return 0; }
SEC("tc") int pc_arith(struct __sk_buff *c) { char *p = (char *)pc_new(struct pv); if (!p) return 0; p += 8; asm volatile("" : "+r"(p)); p -= 8; pc_drop(p); return 0; }
SEC("tc") int pc_off_drop(struct __sk_buff *c) { char *p = (char *)pc_new(struct pv); if (!p) return 0; pc_drop(p + 8); return 0; }
SEC("tc") int pc_null_drop(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); pc_drop(p); return 0; }
SEC("xdp") int pc_xdp(struct xdp_md *c) { struct pv *p = pc_new(struct pv); if (!p) return 0; pc_drop(p); return 2; }
SEC("socket") int pc_sock(struct __sk_buff *c) { struct pv *p = pc_new(struct pv); if (!p) return 0; pc_drop(p); return 0; }
char _license[] SEC("license") = "GPL";
