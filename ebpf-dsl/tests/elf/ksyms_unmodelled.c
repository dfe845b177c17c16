// Test input for tests/elf_ksyms.rs: a strong kfunc this crate does not model. Where the target
// kernel lacks it the object is refused (libbpf's verdict); where it has it, the program calling
// it is the reader's unexpressed one, naming it as not modelled, and the other program reads.
// Compiled with clang-19 -O2 -g -target bpf -c.
#include "hdr.h"
extern int bpf_unmodelled_kfunc(struct __sk_buff *skb, int flags) __attribute__((section(".ksyms")));
SEC("tc") int unmodelled(struct __sk_buff *skb) { return bpf_unmodelled_kfunc(skb, 0); }
SEC("tc") int plain(struct __sk_buff *skb) { return 0; }
char _license[] SEC("license") = "GPL";
