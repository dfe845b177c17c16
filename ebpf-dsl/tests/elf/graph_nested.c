// Test input for tests/elf_graph.rs: objects the program allocates that hold a bpf_spin_lock
// and a list of other objects (struct owner, a node of the global list `gowners`): the lock of
// an owned object protects its own list (the kernel's check_reg_allocation_locked: the held
// lock and the head in the same allocation); the kernel's rules broken one per program.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "graph.h"

struct item {
  struct bpf_list_node node;
  long data;
};
struct owner {
  struct bpf_list_node node;
  struct bpf_list_head items __contains(item, node);
  struct bpf_spin_lock lock;
  long data;
};

private(A) struct bpf_spin_lock glock;
private(A) struct bpf_list_head gowners __contains(owner, node);

/* An owner with one item in its list, or NULL (nothing left owned). */
static __attribute__((always_inline)) struct owner *owner_with_item(void) {
  struct owner *o = bpf_obj_new(struct owner);
  struct item *i;
  if (!o)
    return 0;
  i = bpf_obj_new(struct item);
  if (!i) {
    bpf_obj_drop(o);
    return 0;
  }
  i->data = 7;
  bpf_spin_lock(&o->lock);
  bpf_list_push_back_impl(&o->items, &i->node, 0, 0);
  bpf_spin_unlock(&o->lock);
  return o;
}

SEC("tc") int own_lock_push_pop(struct __sk_buff *ctx) {
  struct owner *o = owner_with_item();
  struct bpf_list_node *n;
  if (!o)
    return 1;
  bpf_spin_lock(&o->lock);
  n = bpf_list_pop_front(&o->items);
  bpf_spin_unlock(&o->lock);
  if (n)
    bpf_obj_drop(container_of(n, struct item, node));
  o->data = 42;
  bpf_spin_lock(&glock);
  bpf_list_push_back_impl(&gowners, &o->node, 0, 0);
  bpf_spin_unlock(&glock);
  return 0;
}

SEC("tc") int popped_owner_own_list(struct __sk_buff *ctx) {
  struct bpf_list_node *n, *m;
  struct owner *o;
  long d = 0;
  bpf_spin_lock(&glock);
  n = bpf_list_pop_front(&gowners);
  bpf_spin_unlock(&glock);
  if (!n)
    return 0;
  o = container_of(n, struct owner, node);
  bpf_spin_lock(&o->lock);
  m = bpf_list_pop_front(&o->items);
  bpf_spin_unlock(&o->lock);
  if (m) {
    d = container_of(m, struct item, node)->data;
    bpf_obj_drop(container_of(m, struct item, node));
  }
  bpf_obj_drop(o);
  return d;
}

SEC("tc") int other_owner_lock(struct __sk_buff *ctx) {
  struct owner *a = owner_with_item(), *b;
  struct bpf_list_node *n;
  if (!a)
    return 1;
  b = owner_with_item();
  if (!b) {
    bpf_obj_drop(a);
    return 1;
  }
  bpf_spin_lock(&a->lock);
  n = bpf_list_pop_front(&b->items);
  bpf_spin_unlock(&a->lock);
  if (n)
    bpf_obj_drop(container_of(n, struct item, node));
  bpf_obj_drop(a);
  bpf_obj_drop(b);
  return 0;
}

SEC("tc") int global_lock_owner_list(struct __sk_buff *ctx) {
  struct owner *o = owner_with_item();
  struct bpf_list_node *n;
  if (!o)
    return 1;
  bpf_spin_lock(&glock);
  n = bpf_list_pop_front(&o->items);
  bpf_spin_unlock(&glock);
  if (n)
    bpf_obj_drop(container_of(n, struct item, node));
  bpf_obj_drop(o);
  return 0;
}

SEC("tc") int owner_list_without_lock(struct __sk_buff *ctx) {
  struct owner *o = owner_with_item();
  struct bpf_list_node *n;
  if (!o)
    return 1;
  n = bpf_list_pop_front(&o->items);
  if (n)
    bpf_obj_drop(container_of(n, struct item, node));
  bpf_obj_drop(o);
  return 0;
}

SEC("tc") int owner_lock_wrong_offset(struct __sk_buff *ctx) {
  struct owner *o = bpf_obj_new(struct owner);
  if (!o)
    return 1;
  bpf_spin_lock((struct bpf_spin_lock *)&o->data);
  bpf_spin_unlock((struct bpf_spin_lock *)&o->data);
  bpf_obj_drop(o);
  return 0;
}

SEC("tc") int item_has_no_lock(struct __sk_buff *ctx) {
  struct item *i = bpf_obj_new(struct item);
  if (!i)
    return 1;
  bpf_spin_lock((struct bpf_spin_lock *)&i->data);
  bpf_spin_unlock((struct bpf_spin_lock *)&i->data);
  bpf_obj_drop(i);
  return 0;
}

SEC("tc") int unlock_other_owner(struct __sk_buff *ctx) {
  struct owner *a = bpf_obj_new(struct owner), *b;
  if (!a)
    return 1;
  b = bpf_obj_new(struct owner);
  if (!b) {
    bpf_obj_drop(a);
    return 1;
  }
  bpf_spin_lock(&a->lock);
  bpf_spin_unlock(&b->lock);
  bpf_obj_drop(a);
  bpf_obj_drop(b);
  return 0;
}

SEC("tc") int drop_under_own_lock(struct __sk_buff *ctx) {
  struct owner *o = bpf_obj_new(struct owner);
  if (!o)
    return 1;
  bpf_spin_lock(&o->lock);
  bpf_obj_drop(o);
  return 0;
}

SEC("tc") int non_owning_owner_list(struct __sk_buff *ctx) {
  struct owner *o = bpf_obj_new(struct owner);
  struct bpf_list_node *n;
  if (!o)
    return 1;
  bpf_spin_lock(&glock);
  bpf_list_push_back_impl(&gowners, &o->node, 0, 0);
  n = bpf_list_pop_front(&o->items);
  bpf_spin_unlock(&glock);
  if (n)
    bpf_obj_drop(container_of(n, struct item, node));
  return 0;
}
char _license[] SEC("license") = "GPL";
