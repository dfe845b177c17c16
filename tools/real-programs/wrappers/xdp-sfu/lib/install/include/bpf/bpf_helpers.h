/* The installed libbpf header XDP_SFU expects at lib/install/include/bpf (see ../../../anchor/README). */
#include <bpf/bpf_helpers.h>
