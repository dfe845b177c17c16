// Test input for ebpf-dsl-cli/tests/cli_elf.rs: a program the verifier rejects (the map key
// is the context pointer, not memory on the stack).
#include "hdr.h"
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };
struct bpf_map_def SEC("maps") tbl = { 1, 4, 16, 128, 0 };
SEC("tc") int bad(struct __sk_buff *skb) {
  return bpf_map_lookup_elem(&tbl, &skb->len) ? 1 : 2;
}
char _license[] SEC("license") = "GPL";
