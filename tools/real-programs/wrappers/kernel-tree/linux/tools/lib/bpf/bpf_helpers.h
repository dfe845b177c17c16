/* A configured kernel tree's tools/lib/bpf/bpf_helpers.h, included by that path from the
 * tree's root (Electrode's xdp-handler, `-I$(LINUX_PATH)`): the system's libbpf one stands in. */
#include <bpf/bpf_helpers.h>
