// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * udp_lat: the latency client of the benchmark. From an ordinary UDP socket it sends requests
 * to an echo server at a fixed rate (open loop: the send times are on a fixed schedule, not
 * waiting for answers), each carrying its sequence number and send time, and records the
 * round-trip time of each answer in a log-linear histogram (32 buckets per power of two, the
 * scheme of examples/src/histogram.rs: quantiles within ~3 %). One thread; between sends it
 * sleeps in ppoll() until an answer arrives or the next send is due, so the client's own
 * wake-up (tens of microseconds on a VM whose idle vCPU halts) is part of every measured round
 * trip, the same for every server; with -S it spins instead (non-blocking recv() in a loop,
 * one CPU at 100 %: pin it), and the figure is the server's and the network's alone.
 *
 *   udp_lat -a ADDR [-p PORT] [-r RATE] [-d SECONDS] [-w WARMUP] [-s SIZE] [-S] [-T US]
 *
 * -T US: also write to stderr, for bench/lat_attrib.py, each counted round trip over US
 * microseconds ("SLOW <send time, s CLOCK_MONOTONIC> <rtt us>") and each time the client's own
 * loop stood still for over 200 us ("CLIENTGAP <from, s> <us>"; meaningful with -S only).
 *
 * Answers to requests sent in the warm-up are not counted. Prints
 *   RESULT sent=N answered=M lost=L p50_us=.. p99_us=.. p999_us=.. max_us=.. mean_us=..
 *   HIST BUCKET:COUNT ...
 * the second line the histogram's non-empty buckets (round trips in ns, bucket() below), for
 * quantiles over several runs (bench/latency.py pools the rounds of a run).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SUB_BITS 5
#define SUB (1u << SUB_BITS)
#define BUCKETS ((64 - SUB_BITS + 1) * SUB)
static uint64_t hist[BUCKETS], count, maxv, sumv;

static unsigned bucket(uint64_t v)
{
	if (v < SUB)
		return (unsigned)v;
	unsigned lead = 63 - __builtin_clzll(v);
	unsigned shift = lead - SUB_BITS;
	return (shift + 1) * SUB + (unsigned)((v >> shift) & (SUB - 1));
}

/* The upper edge of a bucket (a quantile is reported as at most this). */
static uint64_t bucket_high(unsigned b)
{
	if (b < SUB)
		return b;
	unsigned shift = b / SUB - 1;
	uint64_t base = ((uint64_t)SUB + b % SUB) << shift;
	return base + ((1ull << shift) - 1);
}

static void record(uint64_t ns)
{
	hist[bucket(ns)]++;
	count++;
	sumv += ns;
	if (ns > maxv)
		maxv = ns;
}

static double quantile_us(double q)
{
	if (!count)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)count);
	if (rank >= count)
		rank = count - 1;
	uint64_t seen = 0;
	for (unsigned b = 0; b < BUCKETS; b++) {
		seen += hist[b];
		if (seen > rank) {
			uint64_t h = bucket_high(b);
			return (h > maxv ? maxv : h) / 1e3;
		}
	}
	return maxv / 1e3;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	int c, port = 7777, size = 64, spin = 0;
	double trace_us = 0;
	const char *addr = NULL;
	double rate = 1000, duration = 5, warmup = 1;
	while ((c = getopt(argc, argv, "a:p:r:d:w:s:ST:")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'w': warmup = atof(optarg); break;
		case 's': size = atoi(optarg); break;
		case 'S': spin = 1; break;
		case 'T': trace_us = atof(optarg); break;
		default:
			fprintf(stderr, "usage: %s -a ADDR [-p PORT] [-r RATE] [-d SECONDS] "
					"[-w WARMUP] [-s SIZE] [-S] [-T US]\n", argv[0]);
			return 2;
		}
	}
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	if (!addr || inet_pton(AF_INET, addr, &to.sin_addr) != 1 || rate < 1 || rate > 1e7 ||
	    duration <= 0 || duration > 3600 || warmup < 0 || size < 16 || size > 1400) {
		fprintf(stderr, "udp_lat: need -a IPv4, 1 <= -r <= 10^7, 0 < -d <= 3600, "
				"16 <= -s <= 1400\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		perror("udp_lat: socket/connect");
		return 1;
	}
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	char req[1500] = {0}, ans[2048];
	uint64_t interval = (uint64_t)(1e9 / rate);
	uint64_t t0 = now_ns(), t_win = t0 + (uint64_t)(warmup * 1e9);
	uint64_t t_stop = t_win + (uint64_t)(duration * 1e9), t_end = t_stop + 200000000ull;
	uint64_t next = t0, seq = 0, sent_win = 0, stale = 0, bad = 0;
	uint64_t last = now_ns();
	for (;;) {
		uint64_t t = now_ns();
		if (trace_us > 0 && t - last > 200000)
			fprintf(stderr, "CLIENTGAP %.6f %.1f\n", last / 1e9, (t - last) / 1e3);
		last = t;
		if (t >= t_end)
			break;
		if (t >= next && t < t_stop) {
			uint64_t hdr[2] = { seq, t };
			memcpy(req, hdr, sizeof(hdr));
			if (send(fd, req, size, MSG_DONTWAIT) == size) {
				seq++;
				if (t >= t_win)
					sent_win++;
			}
			next += interval;
			if (next + 1000 * interval < t) /* fell far behind: do not burst to catch up */
				next = t;
		}
		ssize_t n = recv(fd, ans, sizeof(ans), MSG_DONTWAIT);
		if (n >= 16) {
			uint64_t hdr[2];
			memcpy(hdr, ans, sizeof(hdr));
			uint64_t r = now_ns();
			if (hdr[0] >= seq || hdr[1] > r)
				bad++;
			else if (hdr[1] >= t_win) {
				record(r - hdr[1]);
				if (trace_us > 0 && r - hdr[1] > trace_us * 1e3)
					fprintf(stderr, "SLOW %.6f %.1f\n", hdr[1] / 1e9,
						(r - hdr[1]) / 1e3);
			}
			else
				stale++;
		} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED) {
			perror("udp_lat: recv");
			return 1;
		} else if (n < 0 && !spin) {
			uint64_t t2 = now_ns();
			uint64_t until = t2 < t_stop && next < t_stop ? next : t_end;
			if (until > t2) {
				struct timespec ts = { .tv_sec = (until - t2) / 1000000000ull,
						       .tv_nsec = (until - t2) % 1000000000ull };
				struct pollfd pf = { .fd = fd, .events = POLLIN };
				ppoll(&pf, 1, &ts, NULL);
			}
		}
	}
	printf("RESULT sent=%llu answered=%llu lost=%lld bad=%llu p50_us=%.2f p99_us=%.2f "
	       "p999_us=%.2f max_us=%.2f mean_us=%.2f\n",
	       (unsigned long long)sent_win, (unsigned long long)count,
	       (long long)sent_win - (long long)count, (unsigned long long)bad, quantile_us(0.5),
	       quantile_us(0.99), quantile_us(0.999), maxv / 1e3,
	       count ? sumv / 1e3 / count : 0.0);
	(void)stale;
	printf("HIST");
	for (unsigned b = 0; b < BUCKETS; b++)
		if (hist[b])
			printf(" %u:%llu", b, (unsigned long long)hist[b]);
	printf("\n");
	return 0;
}
