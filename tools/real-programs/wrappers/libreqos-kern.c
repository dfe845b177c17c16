/* LibreQoS's lqos_kern.c with its CPU maps sized for the running kernel: its maximums.h sizes
 * the cpumap by MAX_CPUS 1024, which a kernel built with fewer NR_CPUS refuses to create (E2BIG,
 * before any program is verified; this one has CONFIG_NR_CPUS=256). The header is included
 * first (it is `#pragma once`), MAX_CPUS set to 256, then the program as it is. */
#include "common/maximums.h"
#undef MAX_CPUS
#define MAX_CPUS 256
#include "lqos_kern.c"
