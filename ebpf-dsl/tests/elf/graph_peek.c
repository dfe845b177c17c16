// Test input for tests/elf_graph.rs: Linux 6.16's peeks into a tree and a list of a global
// data section (`.data.A`): bpf_rbtree_root / bpf_rbtree_left / bpf_rbtree_right and
// bpf_list_front / bpf_list_back give non-owning references, or NULL, valid until the lock is
// released; bpf_rbtree_remove (and left / right) also take an object the program owns; the
// kernel's rules broken one per program.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "graph.h"

struct tnode {
  long key;
  struct bpf_rb_node rb;
};
struct lnode {
  struct bpf_list_node l;
  long key;
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_rb_root groot __contains(tnode, rb);
private(A) struct bpf_list_head glist __contains(lnode, l);

static bool less(struct bpf_rb_node *a, const struct bpf_rb_node *b) {
  return container_of(a, struct tnode, rb)->key < container_of(b, struct tnode, rb)->key;
}

/* Walks down from the root towards `key` (at most 4 steps); the key found, or -1. */
SEC("tc") int tree_walk(struct __sk_buff *ctx) {
  struct tnode *t = bpf_obj_new(struct tnode);
  struct bpf_rb_node *n;
  long key = ctx->len, found = -1;
  int i;
  if (!t)
    return 0;
  t->key = key;
  bpf_spin_lock(&glock);
  bpf_rbtree_add_impl(&groot, &t->rb, less, 0, 0);
  n = bpf_rbtree_root(&groot);
  for (i = 0; i < 4 && n; i++) {
    long k = container_of(n, struct tnode, rb)->key;
    if (k == key) {
      found = k;
      break;
    }
    n = k < key ? bpf_rbtree_right(&groot, n) : bpf_rbtree_left(&groot, n);
  }
  bpf_spin_unlock(&glock);
  return found;
}

SEC("tc") int tree_remove_child(struct __sk_buff *ctx) {
  struct bpf_rb_node *n;
  bpf_spin_lock(&glock);
  n = bpf_rbtree_root(&groot);
  if (n)
    n = bpf_rbtree_left(&groot, n);
  if (n)
    n = bpf_rbtree_remove(&groot, n);
  bpf_spin_unlock(&glock);
  if (n)
    bpf_obj_drop(container_of(n, struct tnode, rb));
  return 0;
}

SEC("tc") int list_peek(struct __sk_buff *ctx) {
  struct lnode *n = bpf_obj_new(struct lnode);
  struct bpf_list_node *f, *b;
  long k = 0;
  if (!n)
    return 0;
  bpf_spin_lock(&glock);
  bpf_list_push_back_impl(&glist, &n->l, 0, 0);
  f = bpf_list_front(&glist);
  b = bpf_list_back(&glist);
  if (f)
    k += container_of(f, struct lnode, l)->key;
  if (b) {
    container_of(b, struct lnode, l)->key = 1;
    k += 1;
  }
  bpf_spin_unlock(&glock);
  return k;
}

/* An owned object that was never added: the 6.16 kernel takes it, the run time finds it in no
 * tree (NULL). */
SEC("tc") int remove_owned(struct __sk_buff *ctx) {
  struct tnode *t = bpf_obj_new(struct tnode);
  struct bpf_rb_node *n, *l;
  if (!t)
    return 0;
  bpf_spin_lock(&glock);
  l = bpf_rbtree_left(&groot, &t->rb);
  n = bpf_rbtree_remove(&groot, &t->rb);
  bpf_spin_unlock(&glock);
  if (n)
    bpf_obj_drop(container_of(n, struct tnode, rb));
  bpf_obj_drop(t);
  return l != 0;
}

SEC("tc") int front_without_lock(struct __sk_buff *ctx) {
  struct bpf_list_node *f = bpf_list_front(&glist);
  return f != 0;
}

SEC("tc") int root_after_unlock(struct __sk_buff *ctx) {
  struct bpf_rb_node *n;
  bpf_spin_lock(&glock);
  n = bpf_rbtree_root(&groot);
  bpf_spin_unlock(&glock);
  if (!n)
    return 0;
  return container_of(n, struct tnode, rb)->key;
}

SEC("tc") int left_of_maybe_null(struct __sk_buff *ctx) {
  struct bpf_rb_node *n;
  bpf_spin_lock(&glock);
  n = bpf_rbtree_root(&groot);
  n = bpf_rbtree_left(&groot, n);
  bpf_spin_unlock(&glock);
  return n != 0;
}

SEC("tc") int back_not_owned(struct __sk_buff *ctx) {
  struct bpf_list_node *b;
  bpf_spin_lock(&glock);
  b = bpf_list_back(&glist);
  bpf_spin_unlock(&glock);
  if (b)
    bpf_obj_drop(container_of(b, struct lnode, l));
  return 0;
}

SEC("tc") int right_of_list_node(struct __sk_buff *ctx) {
  struct bpf_list_node *f;
  struct bpf_rb_node *n = 0;
  bpf_spin_lock(&glock);
  f = bpf_list_front(&glist);
  if (f)
    n = bpf_rbtree_right(&groot, (struct bpf_rb_node *)f);
  bpf_spin_unlock(&glock);
  return n != 0;
}
char _license[] SEC("license") = "GPL";
