/* What a configured kernel tree's headers give the programs built inside it (samples/bpf
 * style, `-I$(LINUX)/include`) and the system's UAPI headers do not: the kernel's short
 * integer types and the C99 ones it defines too, bool, NULL, likely / unlikely, READ_ONCE, GENMASK, <linux/in.h>'s IPPROTO_*,
 * <linux/pkt_cls.h>'s TC_ACT_*, the byte-order functions by their kernel names and memcpy /
 * memset as the compiler builtins. Given with `-include {wrappers}/kernel_tree.h` (bmc-cache,
 * prototype-kernel's samples, qosify). */
#ifndef REAL_PROGRAMS_KERNEL_TREE
#define REAL_PROGRAMS_KERNEL_TREE
#include <linux/types.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef __u8 uint8_t;
typedef __u16 uint16_t;
typedef __u32 uint32_t;
typedef __u64 uint64_t;
#ifndef __cplusplus
typedef _Bool bool;
#define true 1
#define false 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif
#ifndef READ_ONCE
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef GENMASK
#define GENMASK(h, l) (((~0UL) - (1UL << (l)) + 1) & (~0UL >> (63 - (h))))
#endif
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif
#ifndef htons
#define htons(x) bpf_htons(x)
#define ntohs(x) bpf_ntohs(x)
#define htonl(x) bpf_htonl(x)
#define ntohl(x) bpf_ntohl(x)
#endif
#ifndef memcpy
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#endif
#ifndef memset
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#endif
#endif
