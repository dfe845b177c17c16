/* What Asphaltt/xdp_acl's script/compile-bpf.sh generates before each build (its
 * ebpf/headers/libxdp_generated.h): the bitmap array size, one of 8, 16, ..., 256 per build;
 * here given with -DBITMAP_ARRAY_SIZE=N on each `obj` line. */
#ifndef __LIBXDP_GENERATED_H_
#define __LIBXDP_GENERATED_H_
#ifndef BITMAP_ARRAY_SIZE
#define BITMAP_ARRAY_SIZE 8
#endif
#endif
