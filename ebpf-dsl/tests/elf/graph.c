// Test input for tests/elf_graph.rs: objects the program allocates (bpf_obj_new), kept in a
// red-black tree and a list of a global data section (`.data.A`, with the lock that protects
// them), in a list of the inner maps of a map of maps, or stashed in a map value's __kptr field;
// the kernel's rules broken one per program.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "graph.h"

struct node_data {
  long key;
  long data;
  struct bpf_rb_node node;
};
struct lnode_data {
  long key;
  struct bpf_list_node lnode;
};
/* Both nodes and no bpf_refcount: the kernel refuses the program's BTF (btf_parse_fields),
 * and libbpf loads the object without it, unless `bad_btf` is left out. */
#ifdef BAD_BTF
struct bad { struct bpf_rb_node r; struct bpf_list_node l; } *bad_btf;
#endif
struct stash {
  struct node_data __kptr *n;
};
struct {
  int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
  int (*max_entries)[1];
  int *key;
  struct stash *value;
} stashes SEC(".maps");

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(node_data, node);
private(A) struct bpf_list_head ghead __contains(lnode_data, lnode);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct node_data, node)->key <
         container_of(b, struct node_data, node)->key;
}

SEC("tc") int add_first_remove(struct __sk_buff *ctx) {
  struct node_data *n = bpf_obj_new(struct node_data);
  struct bpf_rb_node *res;
  if (!n)
    return 1;
  n->key = ctx->len;
  bpf_spin_lock(&glock);
  bpf_rbtree_add_impl(&groot, &n->node, less, 0, 0);
  res = bpf_rbtree_first(&groot);
  if (res)
    res = bpf_rbtree_remove(&groot, res);
  bpf_spin_unlock(&glock);
  if (res)
    bpf_obj_drop(container_of(res, struct node_data, node));
  return 0;
}

SEC("tc") int push_pop(struct __sk_buff *ctx) {
  struct lnode_data *n = bpf_obj_new(struct lnode_data);
  struct bpf_list_node *l;
  if (!n)
    return 1;
  bpf_spin_lock(&glock);
  bpf_list_push_back_impl(&ghead, &n->lnode, 0, 0);
  l = bpf_list_pop_front(&ghead);
  bpf_spin_unlock(&glock);
  if (l)
    bpf_obj_drop(container_of(l, struct lnode_data, lnode));
  return 0;
}

SEC("tc") int stash(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct node_data *n;
  if (!s)
    return 1;
  n = bpf_obj_new(struct node_data);
  if (!n)
    return 1;
  n = bpf_kptr_xchg(&s->n, n);
  if (n)
    bpf_obj_drop(n);
  return 0;
}

SEC("tc") int add_without_lock(struct __sk_buff *ctx) {
  struct node_data *n = bpf_obj_new(struct node_data);
  if (!n)
    return 1;
  bpf_rbtree_add_impl(&groot, &n->node, less, 0, 0);
  return 0;
}

SEC("tc") int use_after_unlock(struct __sk_buff *ctx) {
  struct node_data *n = bpf_obj_new(struct node_data);
  if (!n)
    return 1;
  bpf_spin_lock(&glock);
  bpf_rbtree_add_impl(&groot, &n->node, less, 0, 0);
  bpf_spin_unlock(&glock);
  return n->key;
}

SEC("tc") int leak(struct __sk_buff *ctx) {
  struct node_data *n = bpf_obj_new(struct node_data);
  if (!n)
    return 1;
  n->key = 1;
  return 0;
}

SEC("tc") int write_node(struct __sk_buff *ctx) {
  struct node_data *n = bpf_obj_new(struct node_data);
  if (!n)
    return 1;
  n->node.a = 0;
  bpf_obj_drop(n);
  return 0;
}

SEC("tc") int store_kptr(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  if (!s)
    return 1;
  *(volatile __u64 *)&s->n = 0;
  return 0;
}
/* Loads of a stashed object's kptr (Linux 6.12+): an RCU-protected non-owning reference, possibly
 * NULL (MEM_ALLOC | MEM_RCU, NON_OWN_REF for a struct with a graph node). */
SEC("tc") int peek_stash(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct node_data *n;
  if (!s)
    return 1;
  n = s->n;
  if (!n)
    return 2;
  n->data = ctx->len;
  return n->key;
}

SEC("tc") int drop_peeked(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct node_data *n;
  if (!s)
    return 1;
  n = s->n;
  if (!n)
    return 2;
  bpf_obj_drop(n);
  return 0;
}

SEC("tc") int peek_after_unlock(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  struct node_data *n;
  if (!s)
    return 1;
  n = s->n;
  if (!n)
    return 2;
  bpf_spin_lock(&glock);
  bpf_spin_unlock(&glock);
  return n->key;
}

SEC("tc") int peek_unchecked(struct __sk_buff *ctx) {
  int k = 0;
  struct stash *s = bpf_map_lookup_elem(&stashes, &k);
  if (!s)
    return 1;
  return s->n->key;
}

struct rnode {
  long key;
  struct bpf_rb_node node;
  struct bpf_refcount ref;
};
struct rstash {
  struct rnode __kptr *r;
};
struct {
  int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
  int (*max_entries)[1];
  int *key;
  struct rstash *value;
} rstashes SEC(".maps");

SEC("tc") int acquire_stashed(struct __sk_buff *ctx) {
  int k = 0;
  struct rstash *s = bpf_map_lookup_elem(&rstashes, &k);
  struct rnode *p, *q;
  if (!s)
    return 1;
  p = s->r;
  if (!p)
    return 2;
  q = bpf_refcount_acquire(p);
  if (!q)
    return 3;
  k = q->key;
  bpf_obj_drop(q);
  return k;
}

SEC("tc") int stash_rnode(struct __sk_buff *ctx) {
  int k = 0;
  struct rstash *s = bpf_map_lookup_elem(&rstashes, &k);
  struct rnode *p;
  if (!s)
    return 1;
  p = bpf_obj_new(struct rnode);
  if (!p)
    return 2;
  p = bpf_kptr_xchg(&s->r, p);
  if (p)
    bpf_obj_drop(p);
  return 0;
}

SEC("tc") int acquire_unchecked(struct __sk_buff *ctx) {
  int k = 0;
  struct rstash *s = bpf_map_lookup_elem(&rstashes, &k);
  struct rnode *q;
  if (!s)
    return 1;
  q = bpf_refcount_acquire(s->r);
  if (q)
    bpf_obj_drop(q);
  return 0;
}
/* A struct with no special field: its kptr loads as MEM_ALLOC | MEM_RCU (no NON_OWN_REF). */
struct plain {
  long key;
  long data;
};
struct pstash {
  struct plain __kptr *p;
};
struct {
  int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
  int (*max_entries)[1];
  int *key;
  struct pstash *value;
} pstashes SEC(".maps");

SEC("tc") int stash_plain(struct __sk_buff *ctx) {
  int k = 0;
  struct pstash *s = bpf_map_lookup_elem(&pstashes, &k);
  struct plain *p;
  if (!s)
    return 1;
  p = bpf_obj_new(struct plain);
  if (!p)
    return 2;
  p = bpf_kptr_xchg(&s->p, p);
  if (p)
    bpf_obj_drop(p);
  return 0;
}

SEC("tc") int peek_plain(struct __sk_buff *ctx) {
  int k = 0;
  struct pstash *s = bpf_map_lookup_elem(&pstashes, &k);
  struct plain *p;
  if (!s)
    return 1;
  p = s->p;
  if (!p)
    return 2;
  p->data = 3;
  return p->key;
}

SEC("tc") int plain_after_rcu_unlock(struct __sk_buff *ctx) {
  int k = 0;
  struct pstash *s = bpf_map_lookup_elem(&pstashes, &k);
  struct plain *p;
  if (!s)
    return 1;
  bpf_rcu_read_lock();
  p = s->p;
  if (!p) {
    bpf_rcu_read_unlock();
    return 2;
  }
  bpf_rcu_read_unlock();
  return p->key;
}
char _license[] SEC("license") = "GPL";

/* A map of maps whose inner maps' values hold a lock and the list it protects: the kernel
 * knows them from the inner template's BTF (libbpf creates it from the inner definition). */
struct ivalue {
  struct bpf_spin_lock lock;
  struct bpf_list_head head __contains(lnode_data, lnode);
};
struct inner_lists {
  int (*type)[2]; /* BPF_MAP_TYPE_ARRAY */
  int (*max_entries)[1];
  int *key;
  struct ivalue *value;
};
struct inner_lists one_list SEC(".maps"); /* clang emits struct ivalue whole only when used */
struct {
  int (*type)[12]; /* BPF_MAP_TYPE_ARRAY_OF_MAPS */
  int (*max_entries)[1];
  int *key;
  struct inner_lists *values[];
} lists_of_maps SEC(".maps");

static __attribute__((always_inline)) int inner_list(struct __sk_buff *ctx, int lock) {
  int k = 0;
  void *m = bpf_map_lookup_elem(&lists_of_maps, &k);
  struct ivalue *v;
  struct lnode_data *n;
  struct bpf_list_node *l;
  if (!m)
    return 0;
  v = bpf_map_lookup_elem(m, &k);
  if (!v)
    return 0;
  n = bpf_obj_new(struct lnode_data);
  if (!n)
    return 1;
  if (lock)
    bpf_spin_lock(&v->lock);
  bpf_list_push_back_impl(&v->head, &n->lnode, 0, 0);
  l = bpf_list_pop_front(&v->head);
  if (lock)
    bpf_spin_unlock(&v->lock);
  if (l)
    bpf_obj_drop(container_of(l, struct lnode_data, lnode));
  return 0;
}

SEC("tc") int inner_push_pop(struct __sk_buff *ctx) { return inner_list(ctx, 1); }

SEC("tc") int inner_push_without_lock(struct __sk_buff *ctx) { return inner_list(ctx, 0); }
