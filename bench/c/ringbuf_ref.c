// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * ringbuf_ref: the C side of the ring buffer benchmark, on libbpf's `ring_buffer` consumer.
 * The twin of examples/src/bin/bench-ringbuf.rs: the same XDP program (the instructions of
 * xsk-testkit/src/seqring.rs: one 16-byte record {seq, 3 * seq} per run through
 * bpf_ringbuf_output, a STATE array of [next, full]), the same 256 KiB ring, a producer thread
 * running it with BPF_PROG_TEST_RUN in calls of -r runs, the consumer (main thread) in
 * ring_buffer__poll(), checking order and content. -W N: N rounds of xorshift64* per record
 * in the consumer (the same chain as bench-ringbuf --work N). -B: the program writes with
 * BPF_RB_NO_WAKEUP (flags from STATE[2]) and the consumer spins on ring_buffer__consume()
 * instead of sleeping in ring_buffer__poll() (bench-ringbuf --busy): with -W, the
 * consumer-bound variant.
 *
 *   ringbuf_ref [-n EVENTS] [-r REPEAT] [-P PRODUCER_CPU] [-C CONSUMER_CPU] [-W WORK]
 *
 * Prints RESULT impl=c events=N full=F secs=S eps=E consumer_cpu_ns_per_event=C
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static unsigned long long events = 5000000, next_seq, bad;
static unsigned repeat = 1000;
static int prod_cpu = 0, cons_cpu = 1, prog_fd;
static volatile int producer_done, producer_err;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double thread_cpu(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void pin(int cpu)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	sched_setaffinity(0, sizeof(s), &s);
}

static void *producer(void *arg)
{
	(void)arg;
	pin(prod_cpu);
	unsigned char pkt[60] = {0};
	unsigned long long done = 0;
	while (done < events) {
		unsigned n = events - done < repeat ? (unsigned)(events - done) : repeat;
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = n);
		if (bpf_prog_test_run_opts(prog_fd, &o)) {
			producer_err = errno;
			break;
		}
		done += n;
	}
	__atomic_store_n(&producer_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static unsigned work_rounds;
static int busy;
static uint64_t acc;

/* The per-record work of -W: n rounds of xorshift64* (the same chain as bench-ringbuf's). */
static inline uint64_t work(uint64_t x, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		x *= 0x2545f4914f6cdd1dull;
	}
	return x;
}

static int on_event(void *ctx, void *data, size_t len)
{
	(void)ctx;
	uint64_t v[2];
	if (len != 16 || (memcpy(v, data, 16), v[0] != next_seq || v[1] != v[0] * 3))
		bad++;
	next_seq++;
	if (work_rounds)
		acc = work(acc ^ ((unsigned char *)data)[0], work_rounds);
	return 0;
}

#define INSN(c, d, s, o, i) { .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) }

int main(int argc, char **argv)
{
	int c;
	while ((c = getopt(argc, argv, "n:r:P:C:W:B")) != -1) {
		switch (c) {
		case 'n': events = strtoull(optarg, NULL, 10); break;
		case 'r': repeat = (unsigned)atoi(optarg); break;
		case 'P': prod_cpu = atoi(optarg); break;
		case 'C': cons_cpu = atoi(optarg); break;
		case 'W': work_rounds = (unsigned)atoi(optarg); break;
		case 'B': busy = 1; break;
		default:
			fprintf(stderr, "usage: %s [-n EVENTS] [-r REPEAT] [-P CPU] [-C CPU] [-W WORK] [-B]\n",
				argv[0]);
			return 2;
		}
	}
	if (!events || !repeat) {
		fprintf(stderr, "ringbuf_ref: -n and -r must be at least 1\n");
		return 2;
	}
	int rb_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "events", 0, 0, 262144, NULL);
	int st_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "state", 4, 24, 1, NULL);
	if (rb_fd < 0 || st_fd < 0) {
		fprintf(stderr, "ringbuf_ref: map create: %s (needs root)\n", strerror(errno));
		return 1;
	}
	struct bpf_insn insns[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0),
		INSN(BPF_STX | BPF_MEM | BPF_W, 10, 1, -4, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, st_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 19, 0),           /* -> out */
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 0, 0, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 7, 6, 0, 0),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 7, -24, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 8, 7, 0, 0),
		INSN(BPF_ALU64 | BPF_MUL | BPF_K, 8, 0, 0, 3),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 8, -16, 0),
		INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, rb_fd),
		INSN(0, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -24),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 16),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 4, 6, 16, 0),          /* flags = STATE[2] */
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_ringbuf_output),
		INSN(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 3, 0),            /* -> full */
		INSN(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, 1),
		INSN(BPF_STX | BPF_MEM | BPF_DW, 6, 7, 0, 0),
		INSN(BPF_JMP | BPF_JA, 0, 0, 2, 0),                     /* -> out */
		/* full: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 6, 1, 8, BPF_ADD),
		/* out: */
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	char log[4096];
	LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_buf = log, .log_size = sizeof(log), .log_level = 1);
	prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "seq_out", "GPL", insns,
				sizeof(insns) / sizeof(insns[0]), &lo);
	if (prog_fd < 0) {
		fprintf(stderr, "ringbuf_ref: BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
		return 1;
	}
	/* -B: the program writes with BPF_RB_NO_WAKEUP (STATE[2] = 1), the consumer spins. */
	uint64_t init[3] = {0, 0, busy ? 1 : 0};
	uint32_t key0 = 0;
	if (bpf_map_update_elem(st_fd, &key0, init, 0)) {
		fprintf(stderr, "ringbuf_ref: writing state: %s\n", strerror(errno));
		return 1;
	}
	struct ring_buffer *rb = ring_buffer__new(rb_fd, on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ringbuf_ref: ring_buffer__new: %s\n", strerror(errno));
		return 1;
	}
	pin(cons_cpu);
	double cpu0 = thread_cpu(), t0 = now();
	pthread_t th;
	pthread_create(&th, NULL, producer, NULL);
	while (!__atomic_load_n(&producer_done, __ATOMIC_ACQUIRE)) {
		int r = busy ? ring_buffer__consume(rb) : ring_buffer__poll(rb, 100);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "ringbuf_ref: ring_buffer__poll/consume: %s\n", strerror(-r));
			return 1;
		}
	}
	pthread_join(th, NULL);
	ring_buffer__consume(rb);
	double secs = now() - t0, cpu = thread_cpu() - cpu0;
	if (producer_err) {
		fprintf(stderr, "ringbuf_ref: BPF_PROG_TEST_RUN: %s\n", strerror(producer_err));
		return 1;
	}
	uint32_t key = 0;
	uint64_t st[3];
	if (bpf_map_lookup_elem(st_fd, &key, st)) {
		fprintf(stderr, "ringbuf_ref: reading state: %s\n", strerror(errno));
		return 1;
	}
	if (bad || next_seq != st[0]) {
		fprintf(stderr, "ringbuf_ref: read %llu events, %llu out of order, wrote %llu\n",
			next_seq, bad, (unsigned long long)st[0]);
		return 1;
	}
	if (work_rounds)
		fprintf(stderr, "ringbuf_ref: work result %#llx\n", (unsigned long long)acc);
	printf("RESULT impl=c events=%llu full=%llu secs=%.3f eps=%.0f consumer_cpu_ns_per_event=%.1f\n",
	       next_seq, (unsigned long long)st[1], secs, next_seq / secs,
	       next_seq ? cpu * 1e9 / next_seq : 0.0);
	ring_buffer__free(rb);
	return 0;
}
