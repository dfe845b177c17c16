/* Every BTF kind clang emits, for tests/btf_clang.rs (built with clang-19 -target bpf -g). */
typedef unsigned int u32;
typedef unsigned long long u64;

struct inner {
	unsigned char mac[6];
	short vlan;
};

struct fwd_only;

struct flow {
	u32 src;
	u32 dst;
	struct inner in;
	u64 count;
	int small : 3;
	unsigned flags : 5;
	const volatile char *name;
	union {
		int as_int;
		float as_float;
	};
	struct fwd_only *opaque;
	int __attribute__((btf_type_tag("user"))) *tagged;
	char *restrict r;
};

union number {
	int i;
	float f;
	double d;
};

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { HUGE = 0x100000000ULL };
enum ubig { UHUGE = 0xffffffffffffffffULL };
enum sbig { SNEG = -0x100000000LL, SPOS = 1 };
enum sbig gsbig;

_Bool flag;
struct flow gflow __attribute__((section(".data")));
enum big gbig;
enum ubig gubig;
union number gnum;
enum color gcolor;
int tagged_var __attribute__((btf_decl_tag("var_tag")));
static const int answer = 42;

struct xdp_md;

static __attribute__((noinline)) int helper(struct flow *f)
{
	return f->src + answer;
}

int __attribute__((section("xdp"), btf_decl_tag("entry"))) prog(struct flow *f)
{
	int x = f->src;

	if (x > 3)
		return gcolor + helper(f);
	return gnum.i + f->small + tagged_var;
}
