// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * ring_ref: the AF_XDP ring protocol alone, no kernel. A producer thread and a consumer thread
 * (pinned to two different CPUs) pass descriptors through one single-producer/single-consumer
 * ring in ordinary memory, using libxdp's own inline functions (xsk_ring_prod__reserve/submit,
 * xsk_ring_cons__peek/release from xdp/xsk.h) on `struct xsk_ring_prod/cons` values that we
 * point at our memory the way xsk_socket__create points them at the kernel's mmap'd ring.
 * The layout copies the kernel's: producer index, consumer index and the descriptors in
 * separate cache lines.
 *
 *   ring_ref [-n DESCRIPTORS] [-b BATCH] [-r RING_SIZE] [-P PRODUCER_CPU] [-C CONSUMER_CPU]
 *
 * Prints `RESULT impl=c bench=ring descs=N batch=B secs=S ns_per_desc=X`. The consumer checks
 * that it sees every descriptor exactly once and in order (exit 1 otherwise).
 */
#define _GNU_SOURCE
#include <linux/if_xdp.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xdp/xsk.h>

struct shared {
	_Alignas(64) __u32 producer;
	_Alignas(64) __u32 consumer;
	_Alignas(64) __u32 flags;
	_Alignas(64) struct xdp_desc descs[];
};

static uint64_t n_descs = 100000000;
static unsigned batch = 64, ring_size = 2048;
static int cpu_p = 0, cpu_c = 1;
static struct xsk_ring_prod prod;
static struct xsk_ring_cons cons;
static int bad;

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

static void *producer(void *arg)
{
	(void)arg;
	pin(cpu_p);
	uint64_t sent = 0;
	while (sent < n_descs) {
		__u32 idx;
		unsigned want = n_descs - sent < batch ? (unsigned)(n_descs - sent) : batch;
		unsigned n = xsk_ring_prod__reserve(&prod, want, &idx);
		if (!n)
			continue;
		for (unsigned i = 0; i < n; i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&prod, idx + i);
			d->addr = sent + i;
			d->len = 60;
			d->options = 0;
		}
		xsk_ring_prod__submit(&prod, n);
		sent += n;
	}
	return NULL;
}

static void *consumer(void *arg)
{
	(void)arg;
	pin(cpu_c);
	uint64_t got = 0;
	/* The order check accumulates without branches, the same expression as the Rust side's,
	 * so that both consumers pay the same for it and the ring code is what differs. */
	uint64_t acc = 0;
	while (got < n_descs) {
		__u32 idx;
		unsigned n = xsk_ring_cons__peek(&cons, batch, &idx);
		if (!n)
			continue;
		for (unsigned i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&cons, idx + i);
			acc |= (d->addr ^ (got + i)) | (uint64_t)(d->len ^ 60);
		}
		xsk_ring_cons__release(&cons, n);
		got += n;
	}
	if (acc)
		bad = 1;
	return NULL;
}

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "n:b:r:P:C:h")) != -1) {
		switch (c) {
		case 'n': n_descs = strtoull(optarg, NULL, 0); break;
		case 'b': batch = (unsigned)atoi(optarg); break;
		case 'r': ring_size = (unsigned)atoi(optarg); break;
		case 'P': cpu_p = atoi(optarg); break;
		case 'C': cpu_c = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: %s [-n DESCRIPTORS] [-b BATCH] [-r RING_SIZE] "
					"[-P PRODUCER_CPU] [-C CONSUMER_CPU]\n", argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	if (!batch || batch > ring_size || !ring_size || (ring_size & (ring_size - 1)) ||
	    !n_descs || n_descs > (1ull << 40)) {
		fprintf(stderr, "ring_ref: need 0 < -b <= -r, -r a power of two, 0 < -n <= 2^40\n");
		return 2;
	}
	struct shared *sh = aligned_alloc(4096, (sizeof(*sh) + ring_size * sizeof(struct xdp_desc)
						  + 4095) / 4096 * 4096);
	memset(sh, 0, sizeof(*sh) + ring_size * sizeof(struct xdp_desc));
	/* As xsk_socket__create does: the producer starts with `size` free entries cached. */
	prod.mask = cons.mask = ring_size - 1;
	prod.size = cons.size = ring_size;
	prod.producer = cons.producer = &sh->producer;
	prod.consumer = cons.consumer = &sh->consumer;
	prod.flags = cons.flags = &sh->flags;
	prod.ring = cons.ring = sh->descs;
	prod.cached_prod = 0;
	prod.cached_cons = ring_size;
	cons.cached_prod = cons.cached_cons = 0;

	struct timespec t0, t1;
	pthread_t tp, tc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&tc, NULL, consumer, NULL);
	pthread_create(&tp, NULL, producer, NULL);
	pthread_join(tp, NULL);
	pthread_join(tc, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (bad) {
		fprintf(stderr, "ring_ref: consumer saw descriptors out of order\n");
		return 1;
	}
	printf("RESULT impl=c bench=ring descs=%llu batch=%u secs=%.3f ns_per_desc=%.3f\n",
	       (unsigned long long)n_descs, batch, secs, secs * 1e9 / n_descs);
	return 0;
}
