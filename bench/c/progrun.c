// SPDX-License-Identifier: MIT OR Apache-2.0
/*
 * progrun: loads one XDP program and measures it in the kernel, the same way for the C
 * reference (an ELF object from clang) and for ours (raw instruction slots dumped by the Rust
 * side), so both sides are measured by identical code.
 *
 *   progrun obj FILE.o PROGRAM [-r REPEAT] [-k K]  load with libbpf (its maps created by libbpf)
 *   progrun raw FILE.insns [-r REPEAT] [-k K]      8-byte instruction slots; every ld_imm64 whose
 *                                            src_reg is BPF_PSEUDO_MAP_FD (1) gets the fd of
 *                                            a fresh 64-entry XSKMAP (all bench programs use
 *                                            exactly one map: the XSKMAP)
 *   progrun verify FILE.insns [-k K]        BPF_PROG_LOAD with log level BPF_LOG_STATS, K times;
 *                                            prints the best of the kernel's own "verification
 *                                            time" figures
 *
 * Test runs use K (-k, default 20) calls of BPF_PROG_TEST_RUN with REPEAT repetitions each
 * (default 10^6), reporting the mean of the kernel's ns/run, on a 64-byte IPv4
 * UDP packet to port 4791 (every bench program takes its longest path on it; with an empty
 * XSKMAP bpf_redirect_map returns its XDP_PASS fallback) and print
 *   RESULT bench=prog insns=I xlated_insns=X jited_bytes=J ns_per_run=T retval=R
 * and for verify
 *   RESULT bench=verify insns=I processed_insns=P kernel_verify_us=U load_us=L
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned char pkt[64];

static void build_pkt(void)
{
	static const unsigned char hdr[] = {
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x08, 0x00,           /* Ethernet */
		0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0, 0, 10, 77, 0, 1, 10, 77, 0, 2, /* IPv4 */
		0x30, 0x39, 0x12, 0xb7, 0, 30, 0, 0,                           /* UDP -> 4791 */
	};
	memcpy(pkt, hdr, sizeof(hdr));
}

static int read_insns(const char *path, struct bpf_insn **out, size_t *cnt)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (len <= 0 || len % 8 || len > 8 * 1000000) {
		fclose(f);
		return -EINVAL;
	}
	*out = malloc((size_t)len);
	*cnt = (size_t)len / 8;
	size_t got = fread(*out, 1, (size_t)len, f);
	fclose(f);
	return got == (size_t)len ? 0 : -EIO;
}

static int patch_maps(struct bpf_insn *insns, size_t cnt)
{
	int map_fd = -1;
	for (size_t i = 0; i + 1 < cnt; i++) {
		if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) && insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
			if (map_fd < 0) {
				map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "xsks", 4, 4, 64, NULL);
				if (map_fd < 0)
					return -errno;
			}
			insns[i].imm = map_fd;
			i++;
		}
	}
	return 0;
}

static double mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static unsigned runs = 20;

static int test_run(int fd, size_t insns, unsigned repeat)
{
	struct bpf_prog_info info = {0};
	__u32 info_len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len)) {
		fprintf(stderr, "progrun: BPF_OBJ_GET_INFO_BY_FD: %s\n", strerror(errno));
		return 1;
	}
	/* The kernel reports a whole number of ns per run; the mean of `runs` calls resolves
	 * differences below 1 ns (the noise between calls dithers the rounding). */
	double sum = 0;
	__u32 retval = 0;
	for (unsigned k = 0; k < runs; k++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt),
			    .repeat = repeat);
		if (bpf_prog_test_run_opts(fd, &o)) {
			fprintf(stderr, "progrun: BPF_PROG_TEST_RUN: %s\n", strerror(errno));
			return 1;
		}
		sum += o.duration;
		retval = o.retval;
	}
	printf("RESULT bench=prog insns=%zu xlated_insns=%u jited_bytes=%u ns_per_run=%.2f retval=%u\n",
	       insns, info.xlated_prog_len / 8, info.jited_prog_len, sum / runs, retval);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: progrun obj FILE.o PROGRAM [-r REPEAT] | raw FILE.insns [-r REPEAT] "
				"| verify FILE.insns\n");
		return 2;
	}
	unsigned repeat = 1000000;
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "-r"))
			repeat = (unsigned)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "-k"))
			runs = (unsigned)strtoul(argv[i + 1], NULL, 0);
	if (!repeat || repeat > 100000000 || !runs || runs > 1000) {
		fprintf(stderr, "progrun: -r must be in 1..10^8, -k in 1..1000\n");
		return 2;
	}
	build_pkt();
	libbpf_set_strict_mode(LIBBPF_STRICT_ALL);

	if (!strcmp(argv[1], "obj")) {
		if (argc < 4)
			return 2;
		struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
		if (!obj) {
			fprintf(stderr, "progrun: open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		struct bpf_program *p, *want = NULL;
		bpf_object__for_each_program(p, obj) {
			int me = !strcmp(bpf_program__name(p), argv[3]);
			bpf_program__set_autoload(p, me);
			if (me)
				want = p;
		}
		if (!want) {
			fprintf(stderr, "progrun: no program %s in %s\n", argv[3], argv[2]);
			return 1;
		}
		size_t n = bpf_program__insn_cnt(want);
		if (bpf_object__load(obj)) {
			fprintf(stderr, "progrun: load %s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		return test_run(bpf_program__fd(want), n, repeat);
	}

	struct bpf_insn *insns = NULL;
	size_t cnt = 0;
	int err = read_insns(argv[2], &insns, &cnt);
	if (err) {
		fprintf(stderr, "progrun: read %s: %s\n", argv[2], strerror(-err));
		return 1;
	}
	if ((err = patch_maps(insns, cnt))) {
		fprintf(stderr, "progrun: create XSKMAP: %s\n", strerror(-err));
		return 1;
	}
	if (!strcmp(argv[1], "raw")) {
		int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_ours", "GPL", insns, cnt, NULL);
		if (fd < 0) {
			fprintf(stderr, "progrun: BPF_PROG_LOAD: %s\n", strerror(errno));
			return 1;
		}
		return test_run(fd, cnt, repeat);
	}
	if (!strcmp(argv[1], "verify")) {
		/* The best of `runs` loads (-k, here default 20: use -k 5 for big programs). */
		size_t log_size = 16 << 20;
		char *log = calloc(1, log_size);
		long best_v = -1, processed = -1;
		double best_load = -1;
		for (unsigned k = 0; k < runs; k++) {
			LIBBPF_OPTS(bpf_prog_load_opts, lo, .log_level = 4 /* BPF_LOG_STATS */,
				    .log_buf = log, .log_size = (__u32)log_size);
			log[0] = 0;
			double t0 = mono_us();
			int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "bench_verify", "GPL", insns, cnt, &lo);
			double t1 = mono_us();
			if (fd < 0) {
				fprintf(stderr, "progrun: BPF_PROG_LOAD: %s\n%s\n", strerror(errno), log);
				return 1;
			}
			close(fd);
			const char *v = strstr(log, "verification time ");
			const char *pr = strstr(log, "processed ");
			long vt = v ? strtol(v + 18, NULL, 10) : -1L;
			if (pr)
				processed = strtol(pr + 10, NULL, 10);
			if (best_v < 0 || (vt >= 0 && vt < best_v))
				best_v = vt;
			if (best_load < 0 || t1 - t0 < best_load)
				best_load = t1 - t0;
		}
		printf("RESULT bench=verify insns=%zu processed_insns=%ld kernel_verify_us=%ld load_us=%.0f\n",
		       cnt, processed, best_v, best_load);
		return 0;
	}
	fprintf(stderr, "progrun: unknown mode %s\n", argv[1]);
	return 2;
}
