// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * udp_echo: the kernel-socket reference of the latency benchmark: an ordinary UDP socket that
 * sends every datagram back to where it came from.
 *
 *   udp_echo [-p PORT] [-d SECONDS] [-s | -B]
 *
 *   -s  spin: non-blocking receive in a loop (as the AF_XDP echoes, which spin on their rings);
 *       default: block in recvfrom().
 *   -B  busy poll (the twin of xsk-echo --busy-poll): spin as -s, with SO_PREFER_BUSY_POLL,
 *       SO_BUSY_POLL 20 us and SO_BUSY_POLL_BUDGET 64 on the socket (the kernel polls the
 *       device queue inside recvfrom() where its driver can).
 * Stops after -d seconds (default 30) or on SIGINT/SIGTERM; prints
 *   RESULT impl=kernel mode=echo total_pkts=N
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int c, port = 7777, spin = 0, busy = 0;
	double duration = 30;
	while ((c = getopt(argc, argv, "p:d:sB")) != -1) {
		switch (c) {
		case 'p': port = atoi(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 's': spin = 1; break;
		case 'B': spin = busy = 1; break;
		default:
			fprintf(stderr, "usage: %s [-p PORT] [-d SECONDS] [-s | -B]\n", argv[0]);
			return 2;
		}
	}
	if (port < 1 || port > 65535 || duration <= 0 || duration > 3600) {
		fprintf(stderr, "udp_echo: need 1 <= -p <= 65535, 0 < -d <= 3600\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udp_echo: socket/bind");
		return 1;
	}
	if (busy) {
		int one = 1, usecs = 20, budget = 64;
		if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof(one)) ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usecs, sizeof(usecs)) ||
		    setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof(budget))) {
			perror("udp_echo: busy-poll socket options");
			return 1;
		}
	}
	struct timeval tv = { .tv_sec = 0, .tv_usec = 100000 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	double end = now() + duration;
	unsigned long long total = 0, iter = 0;
	char buf[2048];
	while (!stop) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), spin ? MSG_DONTWAIT : 0,
				     (struct sockaddr *)&from, &fl);
		if (n >= 0) {
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, fl);
			total++;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			perror("udp_echo: recvfrom");
			return 1;
		}
		if ((n < 0 || (++iter & 255) == 0) && now() >= end)
			break;
	}
	printf("RESULT impl=kernel mode=echo total_pkts=%llu\n", total);
	return 0;
}
