// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * xsk_ref: the C reference AF_XDP program of the benchmark, written against Debian's libxdp
 * (xdp/xsk.h: xsk_umem__create, xsk_socket__create and the inline ring functions), with the
 * same options as our examples xsk-rxdrop / xsk-txonly / xsk-l2fwd.
 *
 *   xsk_ref -m rxdrop|txonly|l2fwd|echo -i IFNAME [-q QUEUE] [-b BATCH] [-N] [-p|-B] [-d SECONDS]
 *           [-w WARMUP] [-F FRAMES] [-R RING] [-s TXLEN] [-o XDP_OBJ] [-z] [-Q QUEUES] [-C CPUS]
 *
 *   -N  no need_wakeup (default: XDP_USE_NEED_WAKEUP)   -p  poll() while the RX ring is empty
 *   -B  busy poll (the twin of xsk-echo --busy-poll, libxdp's xdpsock -B): never sleep;
 *       SO_PREFER_BUSY_POLL, SO_BUSY_POLL 20 us, SO_BUSY_POLL_BUDGET 64 on the socket and a
 *       non-blocking recvfrom() whenever the RX ring is empty (the kernel polls the device
 *       queue there where its driver can); not with -p
 *   -z  zero-copy (default copy mode; veth has no zero-copy)
 *   -o  ELF object with the `xsk_all` program and `xsks` XSKMAP (xdp_progs.bpf.o); rx modes
 *       only. libxdp's own program loading is inhibited (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD:
 *       its dispatcher cannot load on this kernel); we attach the program with a bpf_link, so
 *       it goes away with the process.
 *
 * -Q N / -C CPU,CPU,...: queues -q .. -q+N-1, one thread per queue (each with its own UMEM
 * and socket, pinned to its CPU of -C, default queue i on CPU i), the main thread keeping the
 * clock on the summed counts (the twin of our examples' --queues/--cpus with Workers). The
 * single-queue loop without them is unchanged.
 *
 * -m echo: the C twin of our xsk-echo: attaches `xsk_echo` (IPv4 UDP to port 7777 -> XSK) and
 * answers each request in place: MACs, IPv4 addresses and UDP ports swapped, TTL reset to 64,
 * IPv4 and UDP checksums computed afresh (as xsk-echo does: a veth sender with checksum
 * offload leaves only the pseudo-header sum in the UDP checksum field, so it cannot be kept).
 *
 * Prints one machine-readable line on exit:
 *   RESULT impl=c mode=M pkts=N secs=S pps=P cpu_ns_per_pkt=C total_pkts=T
 * pkts/secs/pps/cpu_ns_per_pkt cover the measured window (after the warm-up); CPU is user +
 * system time of this process (getrusage) divided by the packets of the window;
 * total_pkts counts the whole life of the process.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <xdp/xsk.h>

enum mode { RXDROP, TXONLY, L2FWD, ECHO };

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static struct {
	enum mode mode;
	const char *ifname, *obj;
	int queue, batch, need_wakeup, poll, busy_poll, zerocopy, txlen;
	unsigned frames, ring;
	double duration, warmup;
} opt = { .mode = RXDROP, .queue = 0, .batch = 64, .need_wakeup = 1, .txlen = 60,
	  .frames = 4096, .ring = 2048, .duration = 10, .warmup = 1 };

#define FRAME_SIZE 4096u

#define MAX_QUEUES 64

/* One queue: its own UMEM, socket and rings (each worker thread owns one). */
struct xq {
	struct xsk_ring_prod fq, tx;
	struct xsk_ring_cons cq, rx;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	void *umem_area;
	uint64_t total; /* written by the owning thread only (relaxed stores), read by main */
	unsigned tx_outstanding, tx_next;
	int queue, cpu;
	pthread_t thread;
};
static struct xq qs[MAX_QUEUES];
static int nqueues = 1, threaded;
static volatile int workers_done;

static inline void add_total(struct xq *q, unsigned n)
{
	__atomic_store_n(&q->total, q->total + n, __ATOMIC_RELAXED);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void die(const char *what, int err)
{
	fprintf(stderr, "xsk_ref: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static void kick_tx(struct xq *q)
{
	if (sendto(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOBUFS && errno != ENETDOWN)
		die("sendto (TX kick)", errno);
}

static void wake_fill(struct xq *q)
{
	if (opt.busy_poll || (opt.need_wakeup && xsk_ring_prod__needs_wakeup(&q->fq)))
		recvfrom(xsk_socket__fd(q->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* Poll mode: sleep in poll() only while the RX ring is empty (as our examples do). */
static void wait_rx(struct xq *q)
{
	if (opt.poll && !xsk_cons_nb_avail(&q->rx, 1)) {
		struct pollfd p = { .fd = xsk_socket__fd(q->xsk), .events = POLLIN };
		poll(&p, 1, 100);
	}
}

/* rxdrop: receive a batch, put the frames straight back on the fill ring. */
static unsigned rxdrop_step(struct xq *q)
{
	__u32 idx_rx = 0, idx_fq = 0;
	wait_rx(q);
	unsigned n = xsk_ring_cons__peek(&q->rx, opt.batch, &idx_rx);
	if (!n) {
		wake_fill(q);
		return 0;
	}
	while (xsk_ring_prod__reserve(&q->fq, n, &idx_fq) != n) {
		if (stop)
			return 0;
		wake_fill(q);
	}
	for (unsigned i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fq, idx_fq + i) =
			xsk_ring_cons__rx_desc(&q->rx, idx_rx + i)->addr;
	xsk_ring_prod__submit(&q->fq, n);
	xsk_ring_cons__release(&q->rx, n);
	add_total(q, n);
	return n;
}

/* txonly: all frames hold the same packet; send them round robin, count completions. */
static unsigned txonly_step(struct xq *q)
{
	__u32 idx = 0;
	unsigned n = xsk_ring_cons__peek(&q->cq, opt.batch, &idx);
	if (n) {
		xsk_ring_cons__release(&q->cq, n);
		q->tx_outstanding -= n;
		add_total(q, n);
	}
	if (q->tx_outstanding + opt.batch <= opt.ring &&
	    xsk_ring_prod__reserve(&q->tx, opt.batch, &idx) == (unsigned)opt.batch) {
		for (int i = 0; i < opt.batch; i++) {
			struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx + i);
			d->addr = (uint64_t)(q->tx_next++ % opt.frames) * FRAME_SIZE;
			d->len = opt.txlen;
		}
		xsk_ring_prod__submit(&q->tx, opt.batch);
		q->tx_outstanding += opt.batch;
	}
	if (!opt.need_wakeup || xsk_ring_prod__needs_wakeup(&q->tx))
		kick_tx(q);
	return n;
}

static uint32_t sum16(const unsigned char *p, unsigned n, uint32_t sum)
{
	for (unsigned i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* echo: turn a request frame into its answer in place (see the header comment). */
static void echo_frame(unsigned char *p, unsigned len)
{
	unsigned char t[6];
	if (len < 42)
		return;
	memcpy(t, p, 6); memcpy(p, p + 6, 6); memcpy(p + 6, t, 6);
	unsigned char *ip = p + 14;
	unsigned ihl = (ip[0] & 15) * 4;
	if (ihl < 20 || 14 + ihl + 8 > len)
		return;
	memcpy(t, ip + 12, 4); memcpy(ip + 12, ip + 16, 4); memcpy(ip + 16, t, 4);
	unsigned char *udp = ip + ihl;
	memcpy(t, udp, 2); memcpy(udp, udp + 2, 2); memcpy(udp + 2, t, 2);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	uint16_t c = fold(sum16(ip, ihl, 0));
	ip[10] = c >> 8;
	ip[11] = c & 0xff;
	unsigned ulen = (unsigned)udp[4] << 8 | udp[5];
	if (ulen < 8 || 14 + ihl + ulen > len)
		return;
	udp[6] = udp[7] = 0;
	uint32_t pseudo = sum16(ip + 12, 8, 0) + 17 + ulen;
	c = fold(sum16(udp, ulen, pseudo));
	if (c == 0)
		c = 0xffff;
	udp[6] = c >> 8;
	udp[7] = c & 0xff;
}

/* l2fwd: recycle completions to the fill ring, receive, swap MACs, transmit. */
static unsigned l2fwd_step(struct xq *q)
{
	__u32 idx_cq = 0, idx_fq = 0, idx_rx = 0, idx_tx = 0;
	if (q->tx_outstanding) {
		if (!opt.need_wakeup || xsk_ring_prod__needs_wakeup(&q->tx))
			kick_tx(q);
		unsigned c = xsk_ring_cons__peek(&q->cq, opt.batch, &idx_cq);
		if (c) {
			while (xsk_ring_prod__reserve(&q->fq, c, &idx_fq) != c) {
				if (stop)
					return 0;
				wake_fill(q);
			}
			for (unsigned i = 0; i < c; i++)
				*xsk_ring_prod__fill_addr(&q->fq, idx_fq + i) =
					*xsk_ring_cons__comp_addr(&q->cq, idx_cq + i);
			xsk_ring_prod__submit(&q->fq, c);
			xsk_ring_cons__release(&q->cq, c);
			q->tx_outstanding -= c;
		}
	}
	wait_rx(q);
	unsigned n = xsk_ring_cons__peek(&q->rx, opt.batch, &idx_rx);
	if (!n) {
		wake_fill(q);
		return 0;
	}
	while (xsk_ring_prod__reserve(&q->tx, n, &idx_tx) != n) {
		if (stop)
			return 0;
		kick_tx(q);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *r = xsk_ring_cons__rx_desc(&q->rx, idx_rx + i);
		struct xdp_desc *t = xsk_ring_prod__tx_desc(&q->tx, idx_tx + i);
		unsigned char *p = xsk_umem__get_data(q->umem_area, r->addr), m[6];
		if (opt.mode == ECHO) {
			echo_frame(p, r->len);
		} else {
			memcpy(m, p, 6);
			memcpy(p, p + 6, 6);
			memcpy(p + 6, m, 6);
		}
		t->addr = r->addr;
		t->len = r->len;
	}
	xsk_ring_prod__submit(&q->tx, n);
	xsk_ring_cons__release(&q->rx, n);
	q->tx_outstanding += n;
	add_total(q, n);
	return n;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s -m rxdrop|txonly|l2fwd|echo -i IFNAME [-q QUEUE] [-b BATCH] [-N] [-p|-B]\n"
		"          [-d SECONDS] [-w WARMUP] [-F FRAMES] [-R RING] [-s TXLEN] [-o XDP_OBJ] [-z]\n"
		"          [-Q QUEUES] [-C CPU,CPU,...]\n",
		argv0);
}

/* Creates queue q's UMEM and socket (bound to queue `index`). */
static void setup_queue(struct xq *q, int index)
{
	q->queue = index;
	size_t size = (size_t)opt.frames * FRAME_SIZE;
	q->umem_area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->umem_area == MAP_FAILED)
		die("mmap UMEM", errno);
	struct xsk_umem_config ucfg = { .fill_size = opt.ring * 2, .comp_size = opt.ring,
					.frame_size = FRAME_SIZE, .frame_headroom = 0 };
	int err = xsk_umem__create(&q->umem, q->umem_area, size, &q->fq, &q->cq, &ucfg);
	if (err)
		die("xsk_umem__create", err);

	struct xsk_socket_config scfg = {
		.rx_size = opt.ring, .tx_size = opt.ring,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.xdp_flags = XDP_FLAGS_DRV_MODE,
		.bind_flags = (opt.zerocopy ? XDP_ZEROCOPY : XDP_COPY) |
			      (opt.need_wakeup ? XDP_USE_NEED_WAKEUP : 0),
	};
	err = xsk_socket__create(&q->xsk, opt.ifname, index, q->umem,
				 opt.mode == TXONLY ? NULL : &q->rx, &q->tx, &scfg);
	if (err)
		die("xsk_socket__create", err);
	if (opt.busy_poll) {
		int fd = xsk_socket__fd(q->xsk), one = 1, usecs = 20, budget = 64;
		if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget)))
			die("setting the busy-poll socket options", errno);
	}
}

/* Rx modes: gives the kernel every frame the fill ring can hold. */
static void prefill(struct xq *q)
{
	__u32 idx;
	unsigned n = opt.ring * 2 < opt.frames ? opt.ring * 2 : opt.frames;
	if (xsk_ring_prod__reserve(&q->fq, n, &idx) != n)
		die("fill ring reserve", ENOSPC);
	for (unsigned i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&q->fq, idx + i) = (uint64_t)i * FRAME_SIZE;
	xsk_ring_prod__submit(&q->fq, n);
}

/* Txonly: Ethernet + IPv4 + UDP 10.77.0.2:9 -> 10.77.0.1:9, the same bytes in every frame. */
static void fill_tx_frames(struct xq *q)
{
	unsigned char pkt[FRAME_SIZE] = {0};
	const unsigned char dst[6] = {0x02, 0, 0, 0, 0, 1}, src[6] = {0x02, 0, 0, 0, 0, 2};
	memcpy(pkt, dst, 6); memcpy(pkt + 6, src, 6);
	pkt[12] = 0x08; pkt[14] = 0x45; pkt[16] = (opt.txlen - 14) >> 8;
	pkt[17] = (opt.txlen - 14) & 0xff; pkt[22] = 64; pkt[23] = 17;
	pkt[26] = 10; pkt[27] = 77; pkt[29] = 2; pkt[30] = 10; pkt[31] = 77; pkt[33] = 1;
	pkt[35] = 9; pkt[37] = 9; pkt[38] = (opt.txlen - 34) >> 8; pkt[39] = (opt.txlen - 34) & 0xff;
	for (unsigned i = 0; i < opt.frames; i++)
		memcpy((char *)q->umem_area + (size_t)i * FRAME_SIZE, pkt, opt.txlen);
}

static unsigned (*step)(struct xq *q);

/* -Q/-C: one thread per queue, pinned, stepping until the main thread says done. */
static void *worker(void *arg)
{
	struct xq *q = arg;
	if (q->cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(q->cpu, &set);
		int err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
		if (err)
			die("pinning a worker thread", err);
	}
	while (!stop && !workers_done)
		step(q);
	return NULL;
}

static uint64_t sum_totals(void)
{
	uint64_t t = 0;
	for (int i = 0; i < nqueues; i++)
		t += __atomic_load_n(&qs[i].total, __ATOMIC_RELAXED);
	return t;
}

int main(int argc, char **argv)
{
	int c, ncpus = 0, cpus[MAX_QUEUES];
	while ((c = getopt(argc, argv, "m:i:q:b:NpBd:w:F:R:s:o:zQ:C:h")) != -1) {
		switch (c) {
		case 'm':
			opt.mode = !strcmp(optarg, "rxdrop") ? RXDROP
				 : !strcmp(optarg, "txonly") ? TXONLY
				 : !strcmp(optarg, "l2fwd")  ? L2FWD
				 : !strcmp(optarg, "echo")   ? ECHO : (usage(argv[0]), exit(2), RXDROP);
			break;
		case 'i': opt.ifname = optarg; break;
		case 'q': opt.queue = atoi(optarg); break;
		case 'b': opt.batch = atoi(optarg); break;
		case 'N': opt.need_wakeup = 0; break;
		case 'p': opt.poll = 1; break;
		case 'B': opt.busy_poll = 1; break;
		case 'd': opt.duration = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'F': opt.frames = (unsigned)atoi(optarg); break;
		case 'R': opt.ring = (unsigned)atoi(optarg); break;
		case 's': opt.txlen = atoi(optarg); break;
		case 'o': opt.obj = optarg; break;
		case 'z': opt.zerocopy = 1; break;
		case 'Q': nqueues = atoi(optarg); threaded = 1; break;
		case 'C':
			threaded = 1;
			for (char *t = strtok(optarg, ","); t && ncpus < MAX_QUEUES; t = strtok(NULL, ","))
				cpus[ncpus++] = atoi(t);
			break;
		case 'h': usage(argv[0]); return 0;
		default: usage(argv[0]); return 2;
		}
	}
	if (!opt.ifname || opt.batch < 1 || opt.batch > 1024 || opt.frames < 2 * opt.ring ||
	    (opt.ring & (opt.ring - 1)) || opt.duration <= 0 || opt.duration > 3600 ||
	    opt.warmup < 0 || opt.txlen < 14 || opt.txlen > (int)FRAME_SIZE ||
	    (opt.mode != TXONLY && !opt.obj) || nqueues < 1 || nqueues > MAX_QUEUES ||
	    (ncpus && ncpus != nqueues) || (opt.poll && opt.busy_poll)) {
		fprintf(stderr, "xsk_ref: need -i, 1 <= -b <= 1024, -R a power of two, -F >= 2*R, "
				"0 < -d <= 3600, 1 <= -Q <= 64, one -C CPU per queue, not -p with -B; "
				"rx modes need -o XDP_OBJ\n");
		return 2;
	}
	int ifindex = if_nametoindex(opt.ifname);
	if (!ifindex)
		die(opt.ifname, ENODEV);

	for (int i = 0; i < nqueues; i++) {
		setup_queue(&qs[i], opt.queue + i);
		qs[i].cpu = ncpus ? cpus[i] : (threaded ? i % (int)sysconf(_SC_NPROCESSORS_ONLN) : -1);
	}

	struct bpf_link *link = NULL;
	if (opt.mode != TXONLY) {
		struct bpf_object *obj = bpf_object__open_file(opt.obj, NULL);
		if (!obj)
			die(opt.obj, errno);
		const char *pname = opt.mode == ECHO ? "xsk_echo" : "xsk_all";
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), pname));
		int err;
		if ((err = bpf_object__load(obj)))
			die("loading the XDP object", err);
		struct bpf_program *prog = bpf_object__find_program_by_name(obj, pname);
		struct bpf_map *map = bpf_object__find_map_by_name(obj, "xsks");
		if (!prog || !map)
			die("object lacks the program or xsks", ENOENT);
		link = bpf_program__attach_xdp(prog, ifindex);
		if (!link)
			die("attaching the program (bpf_link)", errno);
		for (int i = 0; i < nqueues; i++) {
			if ((err = xsk_socket__update_xskmap(qs[i].xsk, bpf_map__fd(map))))
				die("xsk_socket__update_xskmap", err);
			prefill(&qs[i]);
		}
	} else {
		for (int i = 0; i < nqueues; i++)
			fill_tx_frames(&qs[i]);
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	step = opt.mode == RXDROP ? rxdrop_step : opt.mode == TXONLY ? txonly_step
								     : l2fwd_step; /* l2fwd, echo */
	double t_start = now(), t_win = t_start + opt.warmup, t_end = t_win + opt.duration;
	double cpu0 = 0, w0 = 0;
	uint64_t p0 = 0;
	int in_window = opt.warmup == 0;
	if (in_window) { cpu0 = cpu_now(); w0 = now(); }
	if (threaded) {
		/* The workers step; this thread keeps the clock on their summed counts. */
		for (int i = 0; i < nqueues; i++)
			if ((errno = pthread_create(&qs[i].thread, NULL, worker, &qs[i])))
				die("pthread_create", errno);
		while (!stop) {
			usleep(5000);
			double t = now();
			if (!in_window && t >= t_win) {
				in_window = 1; cpu0 = cpu_now(); w0 = t; p0 = sum_totals();
			}
			if (t >= t_end)
				break;
		}
	} else {
		struct xq *q = &qs[0];
		unsigned long iter = 0;
		while (!stop) {
			/* Look at the clock every 256 steps, and in poll mode on every idle one. */
			unsigned got = step(q);
			if ((opt.poll && got == 0) || (++iter & 255) == 0) {
				double t = now();
				if (!in_window && t >= t_win) {
					in_window = 1; cpu0 = cpu_now(); w0 = t; p0 = q->total;
				}
				if (t >= t_end)
					break;
			}
		}
	}
	uint64_t total = sum_totals();
	double secs = now() - w0, cpu = cpu_now() - cpu0;
	if (threaded) {
		workers_done = 1;
		for (int i = 0; i < nqueues; i++)
			pthread_join(qs[i].thread, NULL);
	}
	uint64_t pkts = in_window ? total - p0 : 0;
	const char *mname[] = {"rxdrop", "txonly", "l2fwd", "echo"};
	printf("RESULT impl=c mode=%s pkts=%llu secs=%.3f pps=%.0f cpu_ns_per_pkt=%.1f total_pkts=%llu\n",
	       mname[opt.mode], (unsigned long long)pkts, secs, pkts / secs,
	       pkts ? cpu * 1e9 / pkts : 0.0, (unsigned long long)sum_totals());
	if (threaded)
		for (int i = 0; i < nqueues; i++)
			fprintf(stderr, "xsk_ref: queue %d (CPU %d): %llu packets\n", qs[i].queue,
				qs[i].cpu, (unsigned long long)qs[i].total);
	fflush(stdout);
	if (link)
		bpf_link__destroy(link);
	for (int i = 0; i < nqueues; i++) {
		xsk_socket__delete(qs[i].xsk);
		xsk_umem__delete(qs[i].umem);
	}
	return 0;
}
