// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * pktgen: the benchmark's bring-up traffic generator (the C stand-in for the examples'
 * xsk-pktgen). Loads the two-instruction XDP program `r0 = XDP_TX; exit` and runs it with
 * BPF_PROG_TEST_RUN in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES, kernel 5.18+): every
 * repetition turns the test packet into a real xdp_frame that XDP_TX sends out of the
 * interface named by ingress_ifindex. One long call carries up to 2^32-1 packets; a timer
 * signal interrupts it (the kernel returns EINTR between batches) so the run is bounded
 * in time.
 *
 *   pktgen -i IFNAME [-d SECONDS] [-s FRAME_LEN] [-D DST_MAC] [-S SRC_MAC] [-q QUEUE] [-r PPS]
 *
 * With -r the program paces itself: it keeps the time the next frame is due in an array map
 * and returns XDP_TX only when bpf_ktime_get_ns() has reached it (XDP_DROP, which just recycles
 * the test frame, otherwise), so frames leave at PPS, evenly spaced, from the same one long
 * call. (Pacing by many short calls does not work: every live-frames call costs ~50 ms of
 * setup and teardown, so at most ~30 calls a second get through.) Without -r: as fast as the
 * kernel can.
 *
 * Prints `RESULT tool=pktgen secs=S calls=N` on exit. Run it inside the sending namespace.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int parse_mac(const char *s, unsigned char *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4],
		      &m[5]) == 6 ? 0 : -1;
}

static uint16_t csum16(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	double duration = 10;
	int len = 60, queue = 0, opt;
	double rate = 0;
	unsigned char dst[6] = {0x02, 0, 0, 0, 0, 2}, src[6] = {0x02, 0, 0, 0, 0, 1};

	while ((opt = getopt(argc, argv, "i:d:s:D:S:q:r:h")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'd': duration = atof(optarg); break;
		case 's': len = atoi(optarg); break;
		case 'q': queue = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		case 'D': if (parse_mac(optarg, dst)) { fprintf(stderr, "bad -D MAC\n"); return 2; } break;
		case 'S': if (parse_mac(optarg, src)) { fprintf(stderr, "bad -S MAC\n"); return 2; } break;
		default:
			fprintf(stderr, "usage: %s -i IFNAME [-d SECONDS] [-s FRAME_LEN] [-D DST_MAC] "
					"[-S SRC_MAC] [-q QUEUE] [-r PPS]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (!ifname || len < 42 || len > 1500 || duration <= 0 || duration > 3600 || rate < 0 ||
	    rate > 1e8 || (rate > 0 && rate < 1)) {
		fprintf(stderr, "pktgen: need -i IFNAME, 42 <= -s <= 1500, 0 < -d <= 3600, 1 <= -r <= 1e8\n");
		return 2;
	}
	int ifindex = if_nametoindex(ifname);
	if (!ifindex) {
		fprintf(stderr, "pktgen: no interface %s in this namespace\n", ifname);
		return 1;
	}

	/* Ethernet + IPv4 + UDP, 10.77.0.1:9 -> 10.77.0.2:9 (addresses of the bench sandbox). */
	unsigned char pkt[1500] = {0};
	memcpy(pkt, dst, 6);
	memcpy(pkt + 6, src, 6);
	pkt[12] = 0x08; pkt[13] = 0x00;
	unsigned char *ip = pkt + 14;
	int ip_len = len - 14;
	ip[0] = 0x45; ip[2] = ip_len >> 8; ip[3] = ip_len & 0xff; ip[8] = 64; ip[9] = 17;
	ip[12] = 10; ip[13] = 77; ip[14] = 0; ip[15] = 1;
	ip[16] = 10; ip[17] = 77; ip[18] = 0; ip[19] = 2;
	uint16_t c = csum16(ip, 20);
	memcpy(ip + 10, &c, 2);
	unsigned char *udp = ip + 20;
	int udp_len = ip_len - 20;
	udp[1] = 9; udp[3] = 9; udp[4] = udp_len >> 8; udp[5] = udp_len & 0xff; /* csum 0: none */

	struct bpf_insn fast[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_TX },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int map_fd = -1;
	if (rate > 0) {
		map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "gen_next", 4, 8, 1, NULL);
		if (map_fd < 0) {
			fprintf(stderr, "pktgen: BPF_MAP_CREATE: %s (needs root)\n", strerror(errno));
			return 1;
		}
	}
	int interval = rate > 0 ? (int)(1e9 / rate) : 0;
	struct bpf_insn paced[] = {
		/* r7 = now */
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_ktime_get_ns },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 7, .src_reg = 0 },
		/* r0 = &map[0] */
		{ .code = BPF_ST | BPF_MEM | BPF_W, .dst_reg = 10, .off = -4, .imm = 0 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2, .src_reg = 10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -4 },
		{ .code = BPF_LD | BPF_DW | BPF_IMM, .dst_reg = 1, .src_reg = BPF_PSEUDO_MAP_FD, .imm = map_fd },
		{ 0 },
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_map_lookup_elem },
		{ .code = BPF_JMP | BPF_JEQ | BPF_K, .dst_reg = 0, .off = 10, .imm = 0 }, /* -> drop */
		/* r1 = next; if now < next: drop */
		{ .code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 1, .src_reg = 0 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 1, .src_reg = 7, .off = 8 }, /* -> drop */
		/* next += interval; if next <= now - 1 ms (a pause): next = now */
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 1, .imm = interval },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 2, .src_reg = 7 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = 2, .imm = -1000000 },
		{ .code = BPF_JMP | BPF_JGT | BPF_X, .dst_reg = 1, .src_reg = 2, .off = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = 1, .src_reg = 7 },
		{ .code = BPF_STX | BPF_MEM | BPF_DW, .dst_reg = 0, .src_reg = 1 },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_TX },
		{ .code = BPF_JMP | BPF_EXIT },
		/* drop: */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_DROP },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int prog_fd = rate > 0
		? bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_gen_paced", "GPL", paced,
				sizeof(paced) / sizeof(paced[0]), NULL)
		: bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_gen", "GPL", fast, 2, NULL);
	if (prog_fd < 0) {
		fprintf(stderr, "pktgen: BPF_PROG_LOAD: %s (needs root)\n", strerror(errno));
		return 1;
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct itimerval it = { .it_value = { .tv_sec = (time_t)duration,
					      .tv_usec = (suseconds_t)((duration - (time_t)duration) * 1e6) } };
	setitimer(ITIMER_REAL, &it, NULL);

	struct xdp_md ctx = { .data = 0, .data_end = (__u32)len, .ingress_ifindex = (__u32)ifindex,
			      .rx_queue_index = (__u32)queue };
	double t0 = now();
	long calls = 0;
	int err = 0;
	while (!stop && now() - t0 < duration + 1) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = (__u32)len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 0xffffffffu,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);
		calls++;
		if (bpf_prog_test_run_opts(prog_fd, &o) && errno != EINTR) {
			err = errno;
			break;
		}
	}
	if (err) {
		fprintf(stderr, "pktgen: BPF_PROG_TEST_RUN (live frames): %s\n", strerror(err));
		return 1;
	}
	printf("RESULT tool=pktgen secs=%.3f calls=%ld\n", now() - t0, calls);
	return 0;
}
