/* BTF-defined maps as libbpf reads them, for tests/btf_clang.rs. */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
struct {
	__uint(type, 1);
	__type(key, unsigned int);
	__type(value, unsigned long long);
	__uint(max_entries, 16);
} counts __attribute__((section(".maps")));
struct {
	__uint(type, 2);
	__uint(key_size, 4);
	__uint(value_size, 8);
	__uint(max_entries, 4);
	__uint(map_flags, 1024);
} arr __attribute__((section(".maps")));
