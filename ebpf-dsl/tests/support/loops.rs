//! Loop-heavy XDP parsers in the text syntax, written the way clang compiles such C (bounded
//! `for` loops with a counter, a packet bounds check per round, accumulators the exit code
//! barely uses), and tiny loops that never make progress. Shared by
//! `ebpf-dsl/tests/verifier_loops.rs` (static verifier only) and, through `#[path]`, by
//! `tests/tests/verifier_loops.rs` (against the running kernel's processed-instruction count).
#![allow(dead_code)] // each test file uses a part

/// (name, program text): parsers every verifier must accept.
pub const PARSERS: &[(&str, &str)] = &[
    ("ipv6_ext_walk", IPV6_EXT_WALK),
    ("tcp_options", TCP_OPTIONS),
    ("vlan_dscp", VLAN_DSCP),
    ("sum_bytes", SUM_BYTES),
    ("nested_loops", NESTED_LOOPS),
    ("spilled_counter", SPILLED_COUNTER),
];

/// (name, program text): loops that make no progress ("infinite loop detected").
pub const NO_PROGRESS: &[(&str, &str)] = &[
    ("goto_self", "r0 = 0\nl:\nr0 = 0\ngoto l"),
    ("const_below_bound", "r1 = 0\nl:\nif r1 < 10 goto l\nr0 = 0\nexit"),
    (
        "unknown_above_bound",
        "r2 = *(u32 *)(r1 + 12)\nl:\nif r2 > 10 goto l\nr0 = 2\nexit",
    ),
    (
        "body_without_step",
        "r0 = 2\nr1 = 0\nr2 = 0\nl:\nr2 = r1\nr2 += 1\nif r1 < 10 goto l\nexit",
    ),
    (
        "stack_counter_never_stored",
        "r0 = 2\n*(u64 *)(r10 - 8) = 0\nl:\nr1 = *(u64 *)(r10 - 8)\nr1 += 1\nr2 = *(u64 *)(r10 - 8)\nif r2 < 4 goto l\nexit",
    ),
];

/// An IPv6 extension-header walk: up to 8 headers (hop-by-hop, routing, destination options,
/// fragment), the offset a growing variable bounded by 512, a bounds check per header; a
/// bitmask of the headers seen, their count and the fragment field are written back.
pub const IPV6_EXT_WALK: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = 2
r4 = r2
r4 += 54
if r4 > r3 goto out
r5 = *(u16 *)(r2 + 12)
if r5 != 0xdd86 goto out
r6 = *(u8 *)(r2 + 20)
r7 = 54
r8 = 0
r9 = 0
*(u64 *)(r10 - 8) = 0
walk:
if r7 > 512 goto done
r4 = r2
r4 += r7
r5 = r4
r5 += 8
if r5 > r3 goto done
if r6 == 44 goto frag
if r6 == 0 goto hop
if r6 == 43 goto routing
if r6 == 60 goto dstopts
goto done
hop:
r9 |= 1
goto ext
routing:
r9 |= 2
goto ext
dstopts:
r9 |= 4
ext:
r1 = *(u8 *)(r4 + 1)
r1 += 1
r1 <<= 3
goto next
frag:
r9 |= 8
r1 = *(u16 *)(r4 + 2)
*(u64 *)(r10 - 8) = r1
r1 = 8
next:
r6 = *(u8 *)(r4 + 0)
r7 += r1
r8 += 1
if r8 < 8 goto walk
done:
r4 = r2
r4 += 14
if r4 > r3 goto out
*(u8 *)(r2 + 0) = r9
*(u8 *)(r2 + 1) = r8
r1 = *(u64 *)(r10 - 8)
*(u16 *)(r2 + 2) = r1
if r6 != 6 goto out
r0 = 1
out:
exit
";

/// TCP options (after a 20-byte IPv4 header): up to 40 option bytes and 40 rounds, NOP and
/// EOL handled, MSS and window scale recorded, other options skipped by their length.
pub const TCP_OPTIONS: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = 2
r4 = r2
r4 += 54
if r4 > r3 goto out
r5 = *(u8 *)(r2 + 23)
if r5 != 6 goto out
r6 = 0
r7 = 0
r8 = 0
r9 = 0
opt:
if r6 > 39 goto done
r4 = r2
r4 += 54
r4 += r6
r5 = r4
r5 += 1
if r5 > r3 goto done
r5 = *(u8 *)(r4 + 0)
if r5 == 0 goto done
if r5 != 1 goto not_nop
r6 += 1
goto next
not_nop:
r1 = r4
r1 += 2
if r1 > r3 goto done
r1 = *(u8 *)(r4 + 1)
if r1 < 2 goto done
if r5 != 2 goto not_mss
r5 = r4
r5 += 4
if r5 > r3 goto done
r7 = *(u16 *)(r4 + 2)
goto adv
not_mss:
if r5 != 3 goto adv
r5 = r4
r5 += 3
if r5 > r3 goto done
r8 = *(u8 *)(r4 + 2)
adv:
r6 += r1
next:
r9 += 1
if r9 < 40 goto opt
done:
r0 = 2
r4 = r2
r4 += 14
if r4 > r3 goto out
*(u16 *)(r2 + 0) = r7
*(u8 *)(r2 + 2) = r8
*(u8 *)(r2 + 3) = r9
out:
exit
";

/// Up to 6 stacked VLAN tags (802.1Q or 802.1ad) skipped in a loop, then the IPv4 DSCP set to
/// EF with the ECN bits kept and the header checksum updated incrementally.
pub const VLAN_DSCP: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r0 = 2
r4 = r2
r4 += 14
if r4 > r3 goto out
r5 = *(u16 *)(r2 + 12)
r6 = 14
r7 = 0
r9 = 0
vlan:
if r5 == 0x0081 goto tag
if r5 == 0xa888 goto tag
goto l3
tag:
r4 = r2
r4 += r6
r8 = r4
r8 += 4
if r8 > r3 goto out
r9 = *(u16 *)(r4 + 0)
r9 &= 0xff0f
r5 = *(u16 *)(r4 + 2)
r6 += 4
r7 += 1
if r7 < 6 goto vlan
l3:
if r5 != 0x0008 goto out
r4 = r2
r4 += r6
r8 = r4
r8 += 20
if r8 > r3 goto out
r8 = *(u8 *)(r4 + 1)
r1 = r8
r1 &= 3
r1 |= 0xb8
if r1 == r8 goto out
*(u8 *)(r4 + 1) = r1
r5 = *(u16 *)(r4 + 10)
r5 ^= 0xffff
r8 ^= 0xffff
r5 += r8
r5 += r1
r8 = r5
r8 >>= 16
r5 &= 0xffff
r5 += r8
r5 ^= 0xffff
*(u16 *)(r4 + 10) = r5
*(u16 *)(r4 + 4) = r9
out:
exit
";

/// A plain `for` loop summing the first 64 bytes of the packet, stopping at its end, and
/// folding the non-ASCII ones; both results are written back into the packet.
pub const SUM_BYTES: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = 0
r7 = 0
r8 = 0
sum:
r4 = r2
r4 += r7
r5 = r4
r5 += 1
if r5 > r3 goto done
r5 = *(u8 *)(r4 + 0)
r6 += r5
if r5 < 0x80 goto ascii
r8 ^= r5
ascii:
r7 += 1
if r7 < 64 goto sum
done:
r0 = 2
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u16 *)(r2 + 0) = r6
*(u8 *)(r2 + 2) = r8
out:
exit
";

/// Two nested loops (8 rows of 8 bytes) counting 0xff bytes, the row counter kept on the
/// stack as clang does under register pressure.
pub const NESTED_LOOPS: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r6 = 0
*(u64 *)(r10 - 8) = 0
outer:
r8 = 0
inner:
r7 = *(u64 *)(r10 - 8)
r4 = r7
r4 <<= 3
r4 += r8
r5 = r2
r5 += r4
r4 = r5
r4 += 1
if r4 > r3 goto done
r4 = *(u8 *)(r5 + 0)
if r4 != 0xff goto skip
r6 += 1
skip:
r8 += 1
if r8 < 8 goto inner
r7 = *(u64 *)(r10 - 8)
r7 += 1
*(u64 *)(r10 - 8) = r7
if r7 < 8 goto outer
done:
r0 = 2
r4 = r2
r4 += 4
if r4 > r3 goto out
*(u16 *)(r2 + 0) = r6
out:
exit
";

/// A loop whose counter and accumulators live on the stack (an unoptimised build): 32 rounds,
/// each reading a byte behind a bounds check and updating two spilled accumulators.
pub const SPILLED_COUNTER: &str = "
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
*(u64 *)(r10 - 8) = 0
*(u64 *)(r10 - 16) = 0
*(u64 *)(r10 - 24) = 0
loop:
r1 = *(u64 *)(r10 - 8)
r4 = r2
r4 += r1
r5 = r4
r5 += 1
if r5 > r3 goto done
r5 = *(u8 *)(r4 + 0)
r6 = *(u64 *)(r10 - 16)
r6 ^= r5
*(u64 *)(r10 - 16) = r6
if r5 < 0x80 goto ascii
r6 = *(u64 *)(r10 - 24)
r6 += 1
*(u64 *)(r10 - 24) = r6
ascii:
r1 = *(u64 *)(r10 - 8)
r1 += 1
*(u64 *)(r10 - 8) = r1
if r1 < 32 goto loop
done:
r0 = 2
r4 = r2
r4 += 4
if r4 > r3 goto out
r6 = *(u64 *)(r10 - 24)
*(u16 *)(r2 + 0) = r6
r6 = *(u64 *)(r10 - 16)
*(u8 *)(r2 + 2) = r6
out:
exit
";
