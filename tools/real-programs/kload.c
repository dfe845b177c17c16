// SPDX-License-Identifier: MIT OR Apache-2.0
// The kernel's verdict on one entry point of a clang-compiled eBPF object, through libbpf
// (the reference loader, independent of ebpf-dsl's ELF reader):
//
//   kload OBJ.o                  list the entry points: SECTION<TAB>FUNCTION<TAB>TYPE
//   kload OBJ.o FUNCTION TYPE    load only FUNCTION (every map it needs is created), print
//                                "accept <processed insns> <verification time in us>",
//                                "reject <last verifier log
//                                line>" or "error <what failed before the verifier>"; a
//                                kfunc or typed __ksym variable the running kernel lacks
//                                (libbpf's "not found in kernel or module BTFs", "not found
//                                in kernel BTF") or whose type libbpf finds incompatible is a
//                                "reject"
//
// A prog array with initial contents (`.values = { [1] = &tail_1 }`): libbpf fills its slots
// once the programs are loaded and fails the whole load when a slot names a program not
// loaded (bpf_program__fd = -ENOENT, the update EBADF) after FUNCTION was verified. So the
// programs such slots name are loaded too, as the selftests' loader does (their `__auxiliary`
// programs): a load that fails only on a slot of a program not loaded ("failed to initialize
// slot [I] to prog 'P' fd=-2") is retried with P loaded as well, until the slots fill. The
// verdict stays FUNCTION's own (its log); a slot program the kernel refuses makes it an
// "error" naming the programs loaded, and a slot update the kernel refuses (a program of
// another type than the prog array's owner; an inner map of another shape than a map of
// maps' template) an "error" with libbpf's message.
//
// TYPE (xdp, sched_cls, sched_act, socket_filter) applies when libbpf does not know the
// section name. KLOAD_STATS_ONLY=1 loads with log level BPF_LOG_STATS alone (the verifier then
// writes no per-instruction log, so its time is its own: bench/verify_real.py); a rejection
// then prints the last statistics-free line, which may be empty. A level-1 log too large for
// the buffer (the kernel then fails the load with ENOSPC) is retried with BPF_LOG_STATS.
// KLOAD_PROG_FLAGS=N ors N into FUNCTION's prog_flags (1: BPF_F_STRICT_ALIGNMENT).
// Storage maps (cgroup, socket, inode, task) keep their 0 entries, as the kernel requires.
// KLOAD_LOG2=FILE loads with BPF_LOG_LEVEL2 | BPF_LOG_STATS into a buffer of almost 1 GiB (the
// kernel's limit) and writes the whole log to FILE (every instruction and state, "from X to Y:
// safe" where the kernel prunes: the state-by-state comparison with `ebpf-dsl check
// --trace-prune`). Maps are never pinned; a map of 0 entries (sized by the project's loader)
// gets one per possible CPU. Built at run time by run.sh with `cc ... -lbpf`.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

static char log_buf[4 << 20];

/* libbpf's message when it cannot resolve a `.ksyms` extern against the running kernel's BTF
 * (vmlinux's and the loaded modules'): a kfunc or typed `__ksym` variable the kernel lacks, or
 * whose type is incompatible with the kernel's. The kernel cannot load the program (a
 * rejection for this kernel, reported as such). */
static char missing_kfunc[256];

/* The program named by the first prog-array slot libbpf failed to fill because the program
 * was not loaded ("map 'M': failed to initialize slot [I] to prog 'P' fd=-2: ..."), and the
 * whole message of a slot failure of another kind (the kernel refused the update of a prog
 * array's or a map of maps' slot). */
static char slot_prog[256];
static char slot_failure[512];

/* Records libbpf's warning `msg` when it is a failure to fill a prog array's slot. */
static void note_slot_failure(const char *msg)
{
	const char *p = strstr(msg, "failed to initialize slot [");
	if (strncmp(msg, "libbpf: map '", 13) || !p || slot_prog[0] || slot_failure[0])
		return;
	const char *q = strstr(p, "to prog '");
	const char *end = q ? strchr(q + 9, '\'') : NULL;
	if (q && end && !strncmp(end, "' fd=-", 6) && (size_t)(end - q - 9) < sizeof(slot_prog)) {
		memcpy(slot_prog, q + 9, end - q - 9);
		slot_prog[end - q - 9] = 0;
		return;
	}
	size_t n = strcspn(msg, "\n");
	if (n >= sizeof(slot_failure))
		n = sizeof(slot_failure) - 1;
	memcpy(slot_failure, msg, n);
	slot_failure[n] = 0;
}

/* Whether libbpf's warning `msg` is one of those refusals. */
static int is_ksym_refusal(const char *msg)
{
	if (strncmp(msg, "libbpf: extern (func ksym) ", 27) &&
	    strncmp(msg, "libbpf: extern (var ksym) ", 26))
		return 0;
	return strstr(msg, "not found in kernel or module BTFs") ||
	       strstr(msg, "not found in kernel BTF") || strstr(msg, "incompatible");
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char msg[512];
	va_list copy;
	va_copy(copy, ap);
	vsnprintf(msg, sizeof(msg), fmt, copy);
	va_end(copy);
	note_slot_failure(msg);
	if (is_ksym_refusal(msg) && !missing_kfunc[0]) {
		size_t n = strcspn(msg, "\n");
		if (n >= sizeof(missing_kfunc))
			n = sizeof(missing_kfunc) - 1;
		memcpy(missing_kfunc, msg, n);
		missing_kfunc[n] = 0;
	}
	if (getenv("KLOAD_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static enum bpf_prog_type type_of(const char *t)
{
	if (!strcmp(t, "xdp"))
		return BPF_PROG_TYPE_XDP;
	if (!strcmp(t, "sched_cls"))
		return BPF_PROG_TYPE_SCHED_CLS;
	if (!strcmp(t, "sched_act"))
		return BPF_PROG_TYPE_SCHED_ACT;
	if (!strcmp(t, "socket_filter"))
		return BPF_PROG_TYPE_SOCKET_FILTER;
	return BPF_PROG_TYPE_UNSPEC;
}

/* Whether a map of type T is created with 0 entries: a perf event array (sized by libbpf)
 * and the storage maps, which the kernel refuses with any other count (EINVAL before the
 * verifier runs: the cgroup storage of the selftests' test_spin_lock). */
static int zero_entries(enum bpf_map_type t)
{
	switch (t) {
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
	case BPF_MAP_TYPE_CGROUP_STORAGE:
	case BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE:
	case BPF_MAP_TYPE_SK_STORAGE:
	case BPF_MAP_TYPE_INODE_STORAGE:
	case BPF_MAP_TYPE_TASK_STORAGE:
		return 1;
	default:
		/* BPF_MAP_TYPE_CGRP_STORAGE (32), which older headers lack. */
		return t == 32;
	}
}

/* The last non-empty line of the verifier log that is not a statistics line. */
static void last_line(const char *log, char *out, size_t n)
{
	const char *end = log + strlen(log);
	out[0] = 0;
	while (end > log) {
		const char *e = end;
		while (e > log && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		const char *s = e;
		while (s > log && s[-1] != '\n')
			s--;
		if (e > s && strncmp(s, "processed ", 10) && strncmp(s, "verification time", 17) &&
		    strncmp(s, "stack depth", 11)) {
			size_t len = (size_t)(e - s) < n - 1 ? (size_t)(e - s) : n - 1;
			memcpy(out, s, len);
			out[len] = 0;
			return;
		}
		end = s;
	}
}

/* The programs loaded besides FUNCTION because a prog array's slot names them. */
#define MAX_EXTRA 64
static const char *extra[MAX_EXTRA];
static char extra_names[MAX_EXTRA][256];
static int n_extra;

/* Whether program NAME is FUNCTION or one of the extra programs. */
static int wanted(const char *name, const char *func)
{
	if (!strcmp(name, func))
		return 1;
	for (int i = 0; i < n_extra; i++)
		if (!strcmp(name, extra[i]))
			return 1;
	return 0;
}

/* Loads FUNCTION of OBJ (and the extra programs) with verifier log level LEVEL and prints the
 * verdict; returns 1 (having printed nothing) when the kernel refused only because the log did
 * not fit (-ENOSPC: since 6.4 a truncated log fails the load even when the program verifies),
 * 2 (printing nothing) when libbpf failed only to fill a prog array's slot with a program not
 * loaded (named in slot_prog: load it too), 0 otherwise. */
static int load(const char *path, const char *func, const char *type, int level)
{
	slot_prog[0] = slot_failure[0] = 0;
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("error libbpf cannot open the object: %s\n", strerror(errno));
		return 0;
	}
	struct bpf_program *p, *want = NULL;
	bpf_object__for_each_program(p, obj) {
		int me = !strcmp(bpf_program__name(p), func);
		bpf_program__set_autoload(p, wanted(bpf_program__name(p), func));
		if (wanted(bpf_program__name(p), func) && bpf_program__type(p) == BPF_PROG_TYPE_UNSPEC)
			bpf_program__set_type(p, type_of(type));
		if (me)
			want = p;
	}
	if (!want) {
		printf("error no program %s\n", func);
		bpf_object__close(obj);
		return 0;
	}
	if (bpf_program__type(want) == BPF_PROG_TYPE_UNSPEC)
		bpf_program__set_type(want, type_of(type));
	const char *log2 = getenv("KLOAD_LOG2");
	char *log = log_buf;
	size_t log_size = sizeof(log_buf);
	if (log2) {
		log_size = (1UL << 30) - 4096; /* the kernel's limit: UINT_MAX >> 2 */
		log = calloc(1, log_size);
		if (!log) {
			printf("error no memory for the level-2 log\n");
			bpf_object__close(obj);
			return 0;
		}
		level = 2 | 4;
	}
	log[0] = 0;
	const char *extra_flags = getenv("KLOAD_PROG_FLAGS");
	if (extra_flags)
		bpf_program__set_flags(want, bpf_program__flags(want) |
					     (__u32)strtoul(extra_flags, NULL, 0));
	bpf_program__set_log_buf(want, log, log_size);
	bpf_program__set_log_level(want, level);
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj) {
		bpf_map__set_pin_path(m, NULL);
		/* Sized by the project's loader at run time (xdp-bench's per-CPU counters): one
		 * entry per possible CPU, as it does. */
		if (bpf_map__max_entries(m) == 0 && !zero_entries(bpf_map__type(m)))
			bpf_map__set_max_entries(m, libbpf_num_possible_cpus());
		/* A perf event array declared with its type and size alone (retina's
		 * packetparser): cilium/ebpf, those projects' loader, gives it 4-byte keys and
		 * values (the only sizes the kernel takes); libbpf would pass 0 and fail. */
		if (bpf_map__type(m) == BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
			if (bpf_map__key_size(m) == 0)
				bpf_map__set_key_size(m, 4);
			if (bpf_map__value_size(m) == 0)
				bpf_map__set_value_size(m, 4);
		}
		/* A ring buffer declared with a value type (`__type(value, struct event)`, for
		 * bpf2go's -type: vortex-agent): cilium/ebpf creates it with a 0-byte value, the
		 * only size the kernel takes; libbpf would pass the type's size and fail. */
		if (bpf_map__type(m) == BPF_MAP_TYPE_RINGBUF && bpf_map__value_size(m) != 0)
			bpf_map__set_value_size(m, 0);
	}
	int err = bpf_object__load(obj);
	char line[512];
	int again = err == -ENOSPC && level != 4 ? 1 : 0;
	/* A slot of a program not loaded yet (and not already retried). */
	if (err && !again && slot_prog[0] && !wanted(slot_prog, func) && n_extra < MAX_EXTRA)
		again = 2;
	if (again) {
		if (log != log_buf)
			free(log);
		bpf_object__close(obj);
		return again;
	}
	if (log2) {
		FILE *f = fopen(log2, "w");
		if (!f || fputs(log, f) < 0 || fclose(f)) {
			printf("error cannot write %s: %s\n", log2, strerror(errno));
			free(log);
			bpf_object__close(obj);
			return 0;
		}
	}
	/* The statistics are at the end of the log. */
	const char *stats = log + strlen(log);
	for (int n = 0; stats > log && n < 4096; n++)
		stats--;
	if (!err) {
		const char *pr = strstr(stats, "processed ");
		const char *vt = strstr(stats, "verification time ");
		printf("accept %ld %ld\n", pr ? strtol(pr + 10, NULL, 10) : -1L,
		       vt ? strtol(vt + 18, NULL, 10) : -1L);
	} else if (slot_failure[0] || slot_prog[0]) {
		/* The kernel refused a slot's update: an inner map of another shape than the
		 * template (when the maps are created, before any program loads), a program of
		 * another type than the prog array's owner (after every program loaded), ... */
		printf("error %s (filling an initial slot of a prog array or a map of maps)\n",
		       slot_failure[0] ? slot_failure : slot_prog);
	} else if (log[0] && (last_line(log, line, sizeof(line)), line[0])) {
		printf("reject %s\n", line);
	} else if (n_extra) {
		printf("error %s (loading the programs of prog-array slots too:", strerror(-err));
		for (int i = 0; i < n_extra; i++)
			printf(" %s", extra[i]);
		printf("; one of them failed)\n");
	} else if (log[0]) {
		printf("reject \n");
	} else if (missing_kfunc[0]) {
		printf("reject %s (libbpf cannot resolve the extern against the running kernel)\n",
		       missing_kfunc);
	} else {
		printf("error %s\n", strerror(-err));
	}
	if (log != log_buf)
		free(log);
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: kload OBJ.o [FUNCTION TYPE]\n");
		return 2;
	}
	libbpf_set_print(quiet);
	if (argc == 2) {
		struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
		if (!obj) {
			printf("error libbpf cannot open the object: %s\n", strerror(errno));
			return 0;
		}
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj)
			printf("%s\t%s\t%d\n", bpf_program__section_name(p), bpf_program__name(p),
			       bpf_program__type(p));
		bpf_object__close(obj);
		return 0;
	}
	/* BPF_LOG_LEVEL1 | BPF_LOG_STATS (the last line of a rejection is the error in its
	 * context), or BPF_LOG_STATS alone; a program whose level-1 log overflows the buffer
	 * (hundreds of thousands of instructions processed) is loaded again with BPF_LOG_STATS
	 * alone, which still carries the error message of a rejection. */
	int level = getenv("KLOAD_STATS_ONLY") ? 4 : 1 | 4;
	for (;;) {
		int r = load(argv[1], argv[2], argv[3], level);
		if (r == 1 && level != 4)
			level = 4;
		else if (r == 2) {
			snprintf(extra_names[n_extra], sizeof(extra_names[0]), "%s", slot_prog);
			extra[n_extra] = extra_names[n_extra];
			n_extra++;
		} else
			break;
	}
	return 0;
}
