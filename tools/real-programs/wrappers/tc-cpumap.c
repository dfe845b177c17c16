/* adaricorp's tc-cpumap (bpf/cpumap.c) with its CPU maps sized for the running kernel: its
 * common/constants.h sizes the cpumap by MAX_CPUS 1024, which a kernel built with fewer
 * NR_CPUS refuses to create (E2BIG, before any program is verified; this one has
 * CONFIG_NR_CPUS=256), as LibreQoS's (wrappers/libreqos-kern.c). The header is included
 * first (it is `#pragma once`), MAX_CPUS set to 256, then the program as it is. */
#include "common/constants.h"
#undef MAX_CPUS
#define MAX_CPUS 256
#include "cpumap.c"
