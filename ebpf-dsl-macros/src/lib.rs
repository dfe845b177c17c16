//! `defmap!` and `defprogram!`: eBPF maps and programs written inline in Rust source, in the
//! assembly syntax the kernel verifier, bpftool and llvm-objdump print, assembled, checked and
//! verified while the crate compiles, and expanded to `const` data: no parsing and no
//! allocation at run time.
//!
//! Add both crates to `Cargo.toml` (the expansion names `::ebpf_dsl`):
//!
//! ```toml
//! [dependencies]
//! ebpf-dsl = "0.1"
//! ebpf-dsl-macros = "0.1"
//! ```
//!
//! The seed program of the AF_XDP guides (every packet to the AF_XDP socket of its receive
//! queue, `XDP_PASS` where there is none):
//!
//! ```
//! use ebpf_dsl::{MapType, ProgramType, RelocKind};
//! use ebpf_dsl_macros::{defmap, defprogram};
//!
//! defmap! {
//!     /// AF_XDP sockets by RX queue index.
//!     pub XSKS: xskmap(key = u32, value = u32, max_entries = 64);
//! }
//!
//! defprogram! {
//!     /// Redirects every packet to the socket bound to its receive queue.
//!     pub REDIRECT: xdp(license = "GPL", name = "redirect") {
//!         r2 = *(u32 *)(r1 + 16);   // ctx->rx_queue_index
//!         r1 = XSKS ll;             // the map, by its Rust item
//!         r3 = XDP_PASS;            // the action when no socket is at the key
//!         call bpf_redirect_map;
//!         exit;
//!     }
//! }
//!
//! fn main() {
//!     assert_eq!(XSKS.map_type, MapType::Xskmap);
//!     assert_eq!(XSKS.name_str(), "xsks");
//!     assert_eq!(REDIRECT.prog_type, ProgramType::Xdp);
//!     assert_eq!(REDIRECT.insns.len(), 6); // ld_imm64 takes two slots
//!     // The loader creates the maps and writes their fds into the ld_imm64 at slot 1.
//!     assert_eq!(REDIRECT.relocations[0].insn_index, 1);
//!     assert_eq!(REDIRECT.relocations[0].symbol, "xsks");
//!     assert_eq!(REDIRECT.relocations[0].kind, RelocKind::MapFd);
//!     assert_eq!(REDIRECT.maps.as_ref(), &[XSKS]);
//! }
//! ```
//!
//! # `defmap!`
//!
//! Each declaration is `[attributes] [visibility] NAME: map_type(option = value, ...);` and
//! becomes `[visibility] const NAME: ebpf_dsl::MapSpec`. Doc comments and attributes are kept.
//! Several declarations may share one `defmap!`.
//!
//! | option | value | meaning |
//! |---|---|---|
//! | `key` | a Rust type | `key_size = size_of::<T>()` |
//! | `value` | a Rust type | `value_size = size_of::<T>()` |
//! | `key_size`, `value_size` | an integer expression | the raw sizes in bytes |
//! | `max_entries` | an integer expression | capacity (for ring buffers: the size in bytes) |
//! | `flags` | `BPF_F_*` names joined by `\|`, or any `u32` expression | `map_flags` |
//! | `name` | a string literal | the kernel-visible name; default: `NAME` in lower case |
//!
//! `key = T` and `key_size = N` may be given together (likewise `value`): `N` is used, and a
//! `const` assertion checks that `T` is `N` bytes. With a literal size `defprogram!`'s verifier
//! knows the map's layout even for a struct key (see below).
//!
//! Map types are the short names of `enum bpf_map_type` (`ebpf_dsl::MapType::from_name`):
//! `xskmap`, `array`, `hash`, `percpu_array`, `percpu_hash`, `lru_hash`, `lru_percpu_hash`,
//! `devmap`, `devmap_hash`, `cpumap`, `prog_array`, `ringbuf`, and every other type the kernel
//! has. XSKMAP, DEVMAP, DEVMAP_HASH, CPUMAP and PROG_ARRAY default to 4-byte keys and values,
//! the array types to a 4-byte key, ring buffers and arenas (`arena`: `max_entries` pages, at
//! most 4 GiB; `BPF_F_MMAPABLE`, `BPF_F_SEGV_ON_FAULT`, `BPF_F_NO_USER_CONV`) to no key and no
//! value; the others need `key` and `value`.
//!
//! A map the kernel refuses to create is a compile error on the offending token, with the
//! static verifier's own rules (`ebpf_dsl::MapSpec::creation_check` for the 6.18 reference
//! kernel: the whole `BPF_MAP_CREATE` validation of every map type, naming the kernel
//! function and the errno): an XSKMAP key or value that is not 4 bytes (`u32` queue index,
//! `u32` socket fd), a DEVMAP / DEVMAP_HASH value other than 4 or 8 bytes (`struct
//! bpf_devmap_val`: ifindex, plus a program fd since Linux 5.8), a CPUMAP value other than 4 or
//! 8 bytes, a non-4-byte key of those maps and of the arrays, zero `max_entries`, a ring buffer
//! size that is not a power of two multiple of 4096, flags a map type does not accept
//! (`BPF_F_NO_PREALLOC` on an XSKMAP) or not together (`BPF_F_NUMA_NODE` on a per-CPU hash), a
//! flag it requires (`BPF_F_NO_PREALLOC` on an LPM trie: the error is then on the type), size
//! limits (a hash's key and value under 4 MiB, at most 2^27 entries), an inner map the kernel
//! refuses (on the inner option at fault) or cannot compare (`prog_array`); and a kernel name
//! longer than 15 characters or with characters other than `[A-Za-z0-9_.]`, an unknown map
//! type or option (with a "did you mean"), a duplicate option. Sizes and counts only rustc can
//! compute (`key = MyKey`, `max_entries = QUEUES`) are checked by `const` assertions in the
//! expansion, reported by rustc on the same token, for a subset of those rules (the
//! sizes each type requires, non-zero counts, the flags it takes); `defprogram!`'s verifier
//! then checks the rest.
//!
//! ```
//! use ebpf_dsl_macros::defmap;
//!
//! const QUEUES: u32 = 8;
//!
//! #[repr(C)]
//! pub struct FlowKey {
//!     pub saddr: u32,
//!     pub daddr: u32,
//!     pub ports: u32,
//! }
//!
//! defmap! {
//!     /// Packet counts per flow.
//!     pub FLOWS: lru_hash(key = FlowKey, value = u64, max_entries = 1 << 16,
//!                         flags = BPF_F_NO_COMMON_LRU);
//!     /// Events for user space: 256 KiB.
//!     pub EVENTS: ringbuf(max_entries = 256 * 1024);
//!     /// Sockets, with an explicit kernel name.
//!     pub(crate) SOCKETS: xskmap(max_entries = QUEUES, name = "xsks_map");
//!     /// Redirect targets with a program per entry (`struct bpf_devmap_val`, 8 bytes).
//!     DEVICES: devmap(value_size = 8, max_entries = 16);
//! }
//!
//! fn main() {
//!     assert_eq!(FLOWS.key_size, 12);
//!     assert_eq!(FLOWS.flags, 2);
//!     assert_eq!((EVENTS.key_size, EVENTS.value_size, EVENTS.max_entries), (0, 0, 262_144));
//!     assert_eq!(SOCKETS.name_str(), "xsks_map");
//!     assert_eq!(DEVICES.value_size, 8);
//! }
//! ```
//!
//! ```compile_fail
//! use ebpf_dsl_macros::defmap;
//! defmap! {
//!     // error: an XSKMAP value is an AF_XDP socket fd: the kernel requires a 4-byte value
//!     XSKS: xskmap(key = u32, value = u64, max_entries = 64);
//! }
//! # fn main() {}
//! ```
//!
//! ## BTF: field names in `bpftool map dump`
//!
//! When `key` and `value` are both types, the map carries their BTF description
//! (`MapSpec::btf`) and `xsk-runtime` creates it with `btf_key_type_id` / `btf_value_type_id`,
//! so `bpftool map dump` prints values field by field. Integers, `bool`, `f32`/`f64` and arrays
//! are described already; a `#[repr(C)]` struct gets its description from `#[derive(Btf)]`
//! (a type without one leaves the map without BTF, as before).
//!
//! ```
//! use ebpf_dsl_macros::{defmap, Btf};
//!
//! #[derive(Btf, Clone, Copy)]
//! #[repr(C)]
//! pub struct FlowStats {
//!     pub packets: u64,
//!     pub bytes: u64,
//!     pub mac: [u8; 6],
//! }
//!
//! defmap! {
//!     pub STATS: hash(key = u32, value = FlowStats, max_entries = 1024);
//! }
//!
//! fn main() {
//!     let (btf, _key, value) = STATS.btf.unwrap().build().unwrap();
//!     assert!(btf.dump_one(value).starts_with("[6] STRUCT 'FlowStats' size=24 vlen=3"));
//! }
//! ```
//!
//! Beside the `const`, `defmap!` emits a hidden `macro_rules!` imported under the map's name
//! in the macro namespace (so it travels with every `use` of the `const`); `defprogram!` calls
//! it to learn the map's type and sizes for its verifier. It is visible within the crate only.
//!
//! # `defprogram!`
//!
//! Each declaration is `[attributes] [visibility] NAME: program_type[(options)] { body }` and
//! becomes `[visibility] const NAME: ebpf_dsl::ProgramSpec`. Program types are the short names
//! of `enum bpf_prog_type` (`xdp`, `socket_filter`, `sched_cls`, `sched_act`, `kprobe`, ...).
//!
//! | option | value | default |
//! |---|---|---|
//! | `license` | a string literal | `"GPL"` (GPL-only helpers need a GPL-compatible license) |
//! | `name` | a string literal (at most 15 of `[A-Za-z0-9_.]`) | `NAME` in lower case |
//! | `verify` | `full` or `structural` | `full` |
//! | `kernel` | the oldest kernel it must load on, e.g. `"6.12"`: the static verifier assumes what that version's verifier proves (`ebpf_dsl::verifier::target`); `"6.1"` at the oldest (an older one is a compile error: its verifier lacks rules the static verifier would assume) | `"6.6"` |
//! | `alignment` | `strict`: verify as a load with `BPF_F_STRICT_ALIGNMENT` (every load and store aligned to its size, packet pointers counting the kernel's `NET_IP_ALIGN` of 2; `ebpf_dsl::verifier::VerifyInput::strict_alignment`); only stricter, so such a program loads with or without the flag | `default` (x86-64/arm64: only stack accesses and atomics aligned) |
//!
//! The body is the assembler syntax of [`ebpf_dsl::asm`](../ebpf_dsl/asm/index.html) (LLVM's
//! BPF syntax plus labels, helper names, named constants and map names), with these rules
//! inside the macro:
//!
//! - statements end with `;`; a label `name:` needs none; comments are Rust comments;
//! - a map is named by its Rust item (`r1 = XSKS ll`, `r1 = map_value(CONFIG, 8) ll`): rustc
//!   resolves it (rustc reports an unknown name on that token), the
//!   relocation carries the map's kernel name and `ProgramSpec::maps` lists the maps so the
//!   loader can create them;
//! - `{ rust_expr }` interpolates a Rust constant expression where an immediate, a memory
//!   offset or a 64-bit constant goes (`r0 = { VERDICT }`, `*(u32 *)(r1 + { OFF })`,
//!   `r2 = { COOKIE } ll`); an offset's sign goes inside the braces (`r10 + { -8 }`), and a
//!   compare with an interpolated value jumps by a number (`if r1 == { N } goto +2`). rustc
//!   evaluates it, and a `const` assertion checks that it fits its field (32-bit immediate:
//!   -2^31..=2^32-1; offset: i16; 64-bit constant: i64::MIN..=u64::MAX), and that a divisor
//!   is not 0 and a shift amount is below the operand width, as the assembler checks literals;
//! - snippet statements `name!(args)` expand the XDP module's sequences at compile time
//!   (`redirect_to_xsk_by_queue!(XSKS)`, `parse_ipv4!(r5, r3, r4, pass, r6)`, ...; see
//!   `ebpf_dsl::snippet`).
//!
//! Every assembler check runs, and every error is reported at once, each on the offending
//! token: unknown instructions and malformed operands, registers beyond `r10` or of the wrong
//! width, immediates and offsets out of range, shifts by a constant at or beyond the operand
//! width, division or modulo by the constant 0, undefined and duplicate labels, jumps out of
//! the program or into the middle of an `ld_imm64`, writes to `r10`, paths that fall off the
//! end, unknown helpers, two referenced maps with the same kernel name.
//!
//! With `verify = full` (the default) the static verifier of `ebpf_dsl::verifier` then runs on
//! the instructions, with the referenced maps' types and sizes, and reports what the kernel
//! would refuse at load time (packet accesses not proven against `data_end`, lookups used
//! before their NULL check, map value bounds, uninitialised registers, context writes, helper
//! arguments, pointer leaks, ...) on the instruction. It cannot run on a program with
//! interpolated values known only to rustc (`{ QUEUE }`; literal arithmetic such as
//! `{ 14 + 20 }` the macro evaluates itself) or one that references a map
//! whose sizes only rustc knows (`key = MyStruct`): `defprogram!` then emits a warning on the
//! value or the map's name (a `deprecated` lint, the only warning a macro can raise on stable
//! Rust), and the kernel's verifier still judges the program at load time. Give such map sizes
//! as literals (`key_size = 12`) to have the program verified. `verify = structural` skips the
//! verifier explicitly (and silences that warning), for a program the kernel accepts but
//! the static verifier cannot prove (or does not model, e.g. kprobes) — and for maps that were
//! not declared with `defmap!` in this crate (a hand-written `MapSpec` or one from another
//! crate), whose facts `defprogram!` cannot learn ("cannot find macro" on the map's name).
//!
//! ```
//! use ebpf_dsl_macros::{defmap, defprogram};
//!
//! defmap! {
//!     XSKS: xskmap(max_entries = 64);
//! }
//!
//! defprogram! {
//!     /// IPv4 UDP to port 4242 goes to the socket of its queue; the rest passes.
//!     pub UDP_4242: xdp {
//!         load_data_pointers!(r1, r2, r3);
//!         parse_eth!(r2, r3, r4, pass);
//!         if r4 != ETH_P_IP goto pass;
//!         r5 = r2;
//!         r5 += 14;
//!         parse_ipv4!(r5, r3, r4, pass, r6);
//!         if r4 != IPPROTO_UDP goto pass;
//!         parse_udp!(r6, r3, r4, pass);
//!         if r4 != 4242 goto pass;
//!         redirect_to_xsk_by_queue!(XSKS);
//!     pass:
//!         r0 = XDP_PASS;
//!         exit;
//!     }
//! }
//!
//! fn main() {
//!     assert_eq!(UDP_4242.relocations.len(), 1);
//! }
//! ```
//!
//! Rust constants in a program (here `verify = structural`: the static verifier cannot judge
//! values rustc computes after the macro has run):
//!
//! ```
//! use ebpf_dsl::Insn;
//! use ebpf_dsl_macros::defprogram;
//!
//! const QUEUE: u32 = 3;
//! const SLOT: i16 = 8;
//!
//! defprogram! {
//!     /// Drops the packets of one receive queue.
//!     DROP_QUEUE: xdp(verify = structural) {
//!         r2 = *(u32 *)(r1 + 16);
//!         *(u64 *)(r10 + { -SLOT }) = r2;
//!         r0 = XDP_PASS;
//!         if r2 != { QUEUE } goto +1;
//!         r0 = XDP_DROP;
//!         exit;
//!     }
//! }
//!
//! fn main() {
//!     assert_eq!(DROP_QUEUE.insns[1], Insn::new(0x7b, 10, 2, -8, 0));
//!     assert_eq!(DROP_QUEUE.insns[3], Insn::new(0x55, 2, 0, 1, 3));
//! }
//! ```
//!
//! A packet read before its bounds check is a compile error on the load:
//!
//! ```compile_fail
//! use ebpf_dsl_macros::defprogram;
//! defprogram! {
//!     PROTO: xdp {
//!         r2 = *(u32 *)(r1 + 0);
//!         r3 = *(u8 *)(r2 + 23);   // error: r2 is a packet pointer proven safe up to data + 0 ...
//!         r0 = XDP_PASS;
//!         exit;
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! Every instruction records the Rust file and line it was written on
//! (`ProgramSpec::lines`); `xsk-runtime` loads them as BTF `line_info`, so the kernel's verifier
//! log and `bpftool prog dump xlated id N linum` show the `defprogram!` source.
//!
//! # Compile time
//!
//! The verifier runs inside the proc macro, which Cargo builds without optimisation in the
//! `dev` profile. A 10,000-instruction program expands in about 0.5 s (0.2 s of it in the
//! verifier); a program whose paths come near the kernel's limit of 1,000,000 processed
//! instructions (a long bounded loop) takes about 1.5 s to verify, 0.2 s when optimised. To
//! build proc macros and their dependencies optimised in your own workspace:
//!
//! ```toml
//! [profile.dev.build-override]
//! opt-level = 3
//! ```
//!
//! # The expansion
//!
//! ```text
//! pub const REDIRECT: ebpf_dsl::ProgramSpec = {
//!     const INSNS: &[ebpf_dsl::Insn] = &[ebpf_dsl::Insn { code: 97, regs: 33, off: 16, imm: 0 }, ...];
//!     const RELOCATIONS: &[ebpf_dsl::Relocation] = &[ebpf_dsl::Relocation {
//!         insn_index: 1, symbol: Cow::Borrowed(MAPS[0].name_str()), kind: RelocKind::MapFd }];
//!     const MAPS: &[ebpf_dsl::MapSpec] = &[XSKS];
//!     const LINES: &[ebpf_dsl::btf::SourceLine] = &[ebpf_dsl::btf::SourceLine {
//!         insn: 0, file: Cow::Borrowed(file!()), line: 12, col: 9, text: ... }, ...];
//!     ebpf_dsl::ProgramSpec { name: Cow::Borrowed("redirect"), prog_type: ProgramType::Xdp,
//!         license: Cow::Borrowed("GPL"), insns: Cow::Borrowed(INSNS), ... }
//! };
//! ```
//!
//! When a declaration has errors, the `const` is still emitted (empty) so that code using it
//! does not add follow-on errors to the real ones.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod btf;
mod consteval;
mod errors;
mod map;
mod names;
mod program;
mod text;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Declares eBPF maps as `const` [`MapSpec`](../ebpf_dsl/spec/struct.MapSpec.html) items;
/// see the [crate documentation](crate#defmap) for the syntax and the checks.
#[proc_macro]
pub fn defmap(input: TokenStream) -> TokenStream {
    let decls = syn::parse_macro_input!(input as map::MapDecls);
    map::expand(decls).into()
}

/// Declares eBPF programs as `const` [`ProgramSpec`](../ebpf_dsl/spec/struct.ProgramSpec.html)
/// items, assembled, checked and verified at compile time; see the
/// [crate documentation](crate#defprogram) for the syntax and the checks.
#[proc_macro]
pub fn defprogram(input: TokenStream) -> TokenStream {
    program::expand(input.into(), program::Facts::default()).into()
}

/// `#[derive(Btf)]` on a `#[repr(C)]` struct: implements `ebpf_dsl::btf::BtfType`, describing
/// each field (name, type, offset) in BTF, so a `defmap!` map with this key or value type is
/// created with BTF and `bpftool map dump` prints its fields by name. Every field's type must
/// implement `BtfType` too (integers, `bool`, `f32`/`f64`, arrays, other derived structs).
#[proc_macro_derive(Btf)]
pub fn derive_btf(input: TokenStream) -> TokenStream {
    btf::derive(syn::parse_macro_input!(input as syn::DeriveInput)).into()
}

/// Internal: `defprogram!` again, with the facts of the maps gathered so far
/// (`{ (NAME type key value max flags "name") ... } input`). Called by the hidden macros
/// `defmap!` emits.
#[doc(hidden)]
#[proc_macro]
pub fn __defprogram_with_facts(input: TokenStream) -> TokenStream {
    program::expand_with_facts(input.into()).into()
}

/// The crate README's examples, run as doctests so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
#[allow(dead_code)]
struct ReadmeDoctests;
