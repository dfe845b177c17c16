/*
 * Prints every test of the kernel's test_verifier (tools/testing/selftests/bpf/verifier/*.c)
 * as one JSON object a line. Compiled at run time by legacy.py after the head of the tree's
 * test_verifier.c (its includes, `struct bpf_test`, the macros and fill helpers the tests
 * use: everything before its `tests[]` array) and one array `legacy_NAME[]` per
 * verifier/NAME.c (`#include`d), with LEGACY_FILES defined as `LEGACY_FILE(NAME) ...`.
 * Nothing of the tree is copied here.
 */

static void legacy_str(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void legacy_fixup(const char *name, const int *idx, int *first)
{
	if (!idx[0])
		return;
	printf("%s\"%s\":[", *first ? "" : ",", name);
	*first = 0;
	for (int i = 0; i < MAX_FIXUPS && idx[i]; i++)
		printf("%s%d", i ? "," : "", idx[i]);
	putchar(']');
}

static void legacy_dump(const char *file, int index, struct bpf_test *t)
{
	struct bpf_insn *prog = t->insns;
	int len;
	int first = 1;

	if (t->fill_helper) {
		t->fill_insns = calloc(MAX_TEST_INSNS, sizeof(struct bpf_insn));
		t->fill_helper(t);
		prog = t->fill_insns;
		len = t->prog_len;
	} else {
		/* the program ends after its last instruction with a code or an immediate */
		for (len = MAX_INSNS; len > 0; len--)
			if (prog[len - 1].code != 0 || prog[len - 1].imm != 0)
				break;
	}
	printf("{\"file\":\"%s\",\"index\":%d,\"descr\":", file, index);
	legacy_str(t->descr);
	printf(",\"prog_type\":%d,\"result\":%d,\"result_unpriv\":%d,\"flags\":%u",
	       (int)t->prog_type, (int)t->result, (int)t->result_unpriv, (unsigned)t->flags);
	printf(",\"errstr\":");
	legacy_str(t->errstr);
	printf(",\"errstr_unpriv\":");
	legacy_str(t->errstr_unpriv);
	printf(",\"expected_attach_type\":%d,\"kfunc\":", (int)t->expected_attach_type);
	legacy_str(t->kfunc);
	printf(",\"fill\":%d,\"btf_types\":%d,\"func_info_cnt\":%d", t->fill_helper != NULL,
	       t->btf_types[0] != 0, t->func_info_cnt);
	printf(",\"kfunc_fixups\":[");
	for (int i = 0; i < MAX_FIXUPS && t->fixup_kfunc_btf_id[i].kfunc; i++)
		printf("%s\"%s\"", i ? "," : "", t->fixup_kfunc_btf_id[i].kfunc);
	printf("],\"fixups\":{");
#define LEGACY_FIXUP(f) legacy_fixup(#f, t->fixup_##f, &first)
	LEGACY_FIXUP(map_hash_8b);
	LEGACY_FIXUP(map_hash_48b);
	LEGACY_FIXUP(map_hash_16b);
	LEGACY_FIXUP(map_array_48b);
	LEGACY_FIXUP(map_sockmap);
	LEGACY_FIXUP(map_sockhash);
	LEGACY_FIXUP(map_xskmap);
	LEGACY_FIXUP(map_stacktrace);
	LEGACY_FIXUP(prog1);
	LEGACY_FIXUP(prog2);
	LEGACY_FIXUP(map_in_map);
	LEGACY_FIXUP(cgroup_storage);
	LEGACY_FIXUP(percpu_cgroup_storage);
	LEGACY_FIXUP(map_spin_lock);
	LEGACY_FIXUP(map_array_ro);
	LEGACY_FIXUP(map_array_wo);
	LEGACY_FIXUP(map_array_small);
	LEGACY_FIXUP(sk_storage_map);
	LEGACY_FIXUP(map_event_output);
	LEGACY_FIXUP(map_reuseport_array);
	LEGACY_FIXUP(map_ringbuf);
	LEGACY_FIXUP(map_timer);
	LEGACY_FIXUP(map_kptr);
	printf("},\"insns\":[");
	for (int i = 0; i < len; i++) {
		/* the instruction's 8 bytes, little-endian, as one number */
		unsigned long long w;
		memcpy(&w, &prog[i], sizeof(w));
		printf("%s\"%016llx\"", i ? "," : "", w);
	}
	printf("]}\n");
}

int main(void)
{
	srand(0);
#define LEGACY_FILE(name) \
	for (unsigned i = 0; i < sizeof(legacy_##name) / sizeof(legacy_##name[0]); i++) \
		legacy_dump(#name, (int)i, &legacy_##name[i]);
	LEGACY_FILES
	return 0;
}
