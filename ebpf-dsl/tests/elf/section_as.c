// Test input for ebpf-dsl/tests/elf_section_as.rs: a classifier in a section whose name is
// another program type's (`sk_skb`, as tc-ebpf-geneve-decapsulator's, which tc loads with
// `bpf da obj FILE sec sk_skb`), beside a kprobe. Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
SEC("sk_skb") int decap(struct __sk_buff *skb) {
  return skb->len > 100 ? 2 : 0;
}
SEC("kprobe/tcp_v4_connect") int probe(void *ctx) {
  return 0;
}
char _license[] SEC("license") = "GPL";
