/* Test input for tests/elf_graph.rs: the declarations graph.c and graph_nested.c share (the
 * kernel's graph structs, the kfuncs of local objects, trees and lists, the helpers they use),
 * as the selftests' bpf_experimental.h gives them. */
#include "hdr.h"
#define __ksym __attribute__((section(".ksyms")))
#define __kptr __attribute__((btf_type_tag("kptr")))
#define __contains(n, f) __attribute__((btf_decl_tag("contains:" #n ":" #f)))
#define private(n) SEC(".data." #n) __attribute__((visibility("hidden"), aligned(8)))
#define container_of(p, t, m) ((t *)((void *)(p) - __builtin_offsetof(t, m)))
struct bpf_spin_lock { __u32 val; };
struct bpf_rb_root { __u64 a, b; } __attribute__((aligned(8)));
struct bpf_rb_node { __u64 a, b, c, d; } __attribute__((aligned(8)));
struct bpf_list_head { __u64 a, b; } __attribute__((aligned(8)));
struct bpf_list_node { __u64 a, b, c; } __attribute__((aligned(8)));
struct bpf_refcount { __u32 a; } __attribute__((aligned(4)));
typedef _Bool bool;

extern void *bpf_obj_new_impl(__u64 local_type_id, void *meta) __ksym;
extern void bpf_obj_drop_impl(void *kptr, void *meta) __ksym;
extern int bpf_rbtree_add_impl(struct bpf_rb_root *root, struct bpf_rb_node *node,
                               bool (less)(struct bpf_rb_node *a, const struct bpf_rb_node *b),
                               void *meta, __u64 off) __ksym;
extern struct bpf_rb_node *bpf_rbtree_remove(struct bpf_rb_root *root,
                                             struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_first(struct bpf_rb_root *root) __ksym;
extern int bpf_list_push_back_impl(struct bpf_list_head *head, struct bpf_list_node *node,
                                   void *meta, __u64 off) __ksym;
extern struct bpf_list_node *bpf_list_pop_front(struct bpf_list_head *head) __ksym;
static long (*bpf_spin_lock)(struct bpf_spin_lock *l) = (void *)93;
static long (*bpf_spin_unlock)(struct bpf_spin_lock *l) = (void *)94;
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static void *(*bpf_kptr_xchg)(void *dst, void *ptr) = (void *)194;
#define bpf_obj_new(t) ((t *)bpf_obj_new_impl(__builtin_btf_type_id(*(t *)0, 0), 0))
#define bpf_obj_drop(p) bpf_obj_drop_impl(p, 0)
extern void *bpf_refcount_acquire_impl(void *kptr, void *meta) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;
#define bpf_refcount_acquire(p) ((typeof(p))bpf_refcount_acquire_impl(p, 0))
/* Linux 6.16's peeks: non-owning references, or NULL, with the lock held. */
extern struct bpf_rb_node *bpf_rbtree_root(struct bpf_rb_root *root) __ksym;
extern struct bpf_rb_node *bpf_rbtree_left(struct bpf_rb_root *root,
                                           struct bpf_rb_node *node) __ksym;
extern struct bpf_rb_node *bpf_rbtree_right(struct bpf_rb_root *root,
                                            struct bpf_rb_node *node) __ksym;
extern struct bpf_list_node *bpf_list_front(struct bpf_list_head *head) __ksym;
extern struct bpf_list_node *bpf_list_back(struct bpf_list_head *head) __ksym;
