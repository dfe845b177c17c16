// Test input for tests/elf_real.rs: `bpf_core_type_id_local(struct meta)` (a CO-RE record of
// kind TYPE_ID_LOCAL), whose value clang writes as libbpf leaves it.
#include "hdr.h"
struct meta { __u32 a, b; };
SEC("xdp") int local_id(struct xdp_md *ctx) {
  return __builtin_btf_type_id(*(struct meta *)0, 0) ? 2 : 1;
}
char _license[] SEC("license") = "GPL";
