//! Snippets: named, parameterised instruction sequences (the XDP module's redirect-to-XSK and
//! bounds-checked header parsing, ...) that the assembler text and `defprogram!` can invoke as a
//! statement, `name!(arg, arg, ...)`, and that the builder API calls as plain functions.
//!
//! A snippet expands to [`Item`]s (data, not text), so the assembler, the macros and the builder
//! share one implementation: each snippet is a thin argument-checking wrapper around a function
//! of [`crate::xdp`].
//!
//! # The snippets
//!
//! Arguments are registers (`r2`), integers or named constants (`34`, `XDP_PASS`), and names
//! (a map such as `xsks`, a label such as `drop`). `[...]` marks optional trailing arguments.
//!
//! | snippet | expands to |
//! |---|---|
//! | `bounds_check!(ptr, data_end, len, fail[, tmp])` | [`xdp::bounds_check`]: `tmp = ptr; tmp += len; if tmp > data_end goto fail` (`tmp` defaults to `r0`) |
//! | `bounds_check_reg!(ptr, data_end, len_reg, fail[, tmp])` | [`xdp::bounds_check_reg`]: the same with the length in a register |
//! | `load_ctx_field!(dst, ctx, field)` | [`xdp::load_ctx_field`]: `dst = *(u32 *)(ctx + off)`; `field` is `data`, `data_end`, `data_meta`, `ingress_ifindex`, `rx_queue_index` or `egress_ifindex` |
//! | `load_data_pointers!(ctx, data, data_end)` | [`xdp::load_data_pointers`]: `data = ctx->data; data_end = ctx->data_end` |
//! | `return_action!(action)` | [`xdp::return_action`]: `r0 = action; exit` (`XDP_PASS`, `2`, `pass`) |
//! | `redirect_map!(map, key, flags)` | [`xdp::redirect_map`]: `r2 = key; r1 = map ll; r3 = flags; call bpf_redirect_map` (no exit) |
//! | `redirect_to_xsk!(map, key[, flags])` | [`xdp::redirect_to_xsk`]: the same, then `exit`; `flags` defaults to `XDP_PASS` |
//! | `redirect_to_xsk_by_queue!(map)`, `(map, flags)`, `(map, tmp)`, `(map, tmp, flags)`, `(ctx, map, tmp, flags)` | [`xdp::redirect_to_xsk_by_queue`]: `tmp = ctx->rx_queue_index`, redirect, `exit`; defaults `ctx = r1`, `tmp = r2`, `flags = XDP_PASS` |
//! | `redirect_to_xsk_lookup_first!(map)`, `(map, flags)`, `(ctx, map, flags)` | [`xdp::redirect_to_xsk_lookup_first`]: look up, redirect if present, else `XDP_PASS`; defaults `ctx = r1`, `flags = 0` |
//! | `redirect!(ifindex, flags)` | [`xdp::redirect`]: `r1 = ifindex; r2 = flags; call bpf_redirect; exit` |
//! | `adjust_head!(ctx, delta)`, `adjust_tail!(ctx, delta)`, `adjust_meta!(ctx, delta)` | [`xdp::adjust_head`] and friends: `r1 = ctx; r2 = delta; call bpf_xdp_adjust_*` (result in r0) |
//! | `write_rx_metadata!()` | [`xdp::metadata::write_rx_metadata`]: RX timestamp and hash (metadata kfuncs) into 24 bytes of metadata in front of the packet; needs the context in r1, leaves it in r6; the program must be loaded device-bound |
//! | `parse_eth!(data, data_end, out_proto, fail)` | [`xdp::parse_eth`]: EtherType (host order) in `out_proto` |
//! | `parse_eth_be!(data, data_end, out_proto, fail)` | [`xdp::parse_eth_be`]: EtherType in network order (compare with `ETH_P_IP_BE`) |
//! | `parse_eth_vlan!(data, data_end, out_proto, out_l3, fail)` | [`xdp::parse_eth_vlan`]: skips up to two VLAN tags; L3 header pointer in `out_l3` |
//! | `parse_eth_vlan_be!(data, data_end, out_proto, out_l3, fail)` | [`xdp::parse_eth_vlan_be`]: the same, EtherType in network order |
//! | `parse_ipv4!(l3, data_end, out_proto, fail[, out_l4])` | [`xdp::parse_ipv4`]: protocol byte in `out_proto`; L4 header pointer in `out_l4` |
//! | `parse_ipv6!(l3, data_end, out_next, fail[, out_l4])` | [`xdp::parse_ipv6`]: next-header byte in `out_next`; `out_l4 = l3 + 40` |
//! | `parse_udp!(l4, data_end, out_dst_port, fail)` | [`xdp::parse_udp`]: UDP destination port (host order) |
//! | `parse_udp_be!(l4, data_end, out_dst_port, fail)` | [`xdp::parse_udp_be`]: UDP destination port in network order (`htons(port)`) |
//! | `parse_tcp!(l4, data_end, out_dst_port, fail)` | [`xdp::parse_tcp`]: TCP destination port (host order) |
//! | `parse_tcp_be!(l4, data_end, out_dst_port, fail)` | [`xdp::parse_tcp_be`]: TCP destination port in network order |
//!
//! The register contract of the parsers (output register doubles as the bounds-check scratch,
//! multi-byte fields in host byte order, or network order for the `_be` variants) is described
//! in [`crate::xdp`]. Output registers may
//! not be `r10`, and must differ from the pointer and `data_end` arguments. For the XSK
//! redirects, `flags` may only hold a fallback action 0-3 (`XDP_ABORTED`, `XDP_DROP`,
//! `XDP_PASS`, `XDP_TX`): the kernel makes `bpf_redirect_map` on an XSKMAP return
//! `XDP_ABORTED` for any other bit.
//!
//! ```
//! use ebpf_dsl::snippet::{expand, SnippetArg};
//! use ebpf_dsl::Reg;
//!
//! let items = expand(
//!     "redirect_to_xsk_by_queue",
//!     &[SnippetArg::Ident("xsks".into()), SnippetArg::Reg(Reg::R2), SnippetArg::Int(2)],
//!     0,
//! )
//! .unwrap();
//! assert_eq!(items, ebpf_dsl::seeds::redirect_all("xsks"));
//!
//! // Arguments convert from registers, integers and names.
//! let items = expand("parse_udp", &[Reg::R6.into(), Reg::R3.into(), Reg::R4.into(), "drop".into()], 1)
//!     .unwrap();
//! assert_eq!(items, ebpf_dsl::xdp::parse_udp(Reg::R6, Reg::R3, Reg::R4, "drop"));
//!
//! let err = expand("parse_udp", &[SnippetArg::Reg(Reg::R2)], 0).unwrap_err();
//! assert_eq!(err.snippet, "parse_udp");
//! assert!(err.message.contains("expects 4 arguments"), "{err}");
//! ```

use std::borrow::Cow;

use crate::ir::Item;
use crate::isa::insn::Reg;
use crate::xdp::{self, XdpAction, XdpMdField};

/// One argument of a snippet invocation, as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SnippetArg {
    /// A register (`r2`).
    Reg(Reg),
    /// An integer, or a named constant the assembler already resolved (`XDP_PASS` -> 2).
    Int(i64),
    /// Any other identifier: a map name, a label, or a name the snippet gives meaning to.
    Ident(Cow<'static, str>),
}

impl From<Reg> for SnippetArg {
    fn from(r: Reg) -> SnippetArg {
        SnippetArg::Reg(r)
    }
}

impl From<i64> for SnippetArg {
    fn from(v: i64) -> SnippetArg {
        SnippetArg::Int(v)
    }
}

impl From<i32> for SnippetArg {
    fn from(v: i32) -> SnippetArg {
        SnippetArg::Int(i64::from(v))
    }
}

/// A name: a map, a label, a field or an action name.
impl From<&'static str> for SnippetArg {
    fn from(s: &'static str) -> SnippetArg {
        SnippetArg::Ident(Cow::Borrowed(s))
    }
}

impl From<String> for SnippetArg {
    fn from(s: String) -> SnippetArg {
        SnippetArg::Ident(Cow::Owned(s))
    }
}

impl SnippetArg {
    fn describe(&self) -> String {
        match self {
            SnippetArg::Reg(r) => format!("register {r}"),
            SnippetArg::Int(i) => format!("integer {i}"),
            SnippetArg::Ident(s) => format!("name `{s}`"),
        }
    }
}

/// One snippet: its name and the syntax of its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SnippetInfo {
    /// The name, without the `!`.
    pub name: &'static str,
    /// The accepted argument lists, e.g. `bounds_check!(ptr, data_end, len, fail[, tmp])`.
    pub syntax: &'static str,
    /// One line on what it does.
    pub doc: &'static str,
}

/// Every snippet [`expand`] knows, in the order of the module documentation.
pub const SNIPPETS: &[SnippetInfo] = &[
    SnippetInfo {
        name: "bounds_check",
        syntax: "bounds_check!(ptr, data_end, len, fail[, tmp])",
        doc: "jump to `fail` unless `len` bytes from `ptr` are in the packet (tmp defaults to r0)",
    },
    SnippetInfo {
        name: "bounds_check_reg",
        syntax: "bounds_check_reg!(ptr, data_end, len_reg, fail[, tmp])",
        doc: "bounds_check! with the length in a register",
    },
    SnippetInfo {
        name: "load_ctx_field",
        syntax: "load_ctx_field!(dst, ctx, field)",
        doc: "load a struct xdp_md field (data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex)",
    },
    SnippetInfo {
        name: "load_data_pointers",
        syntax: "load_data_pointers!(ctx, data, data_end)",
        doc: "load ctx->data and ctx->data_end",
    },
    SnippetInfo {
        name: "return_action",
        syntax: "return_action!(action)",
        doc: "r0 = action; exit",
    },
    SnippetInfo {
        name: "redirect_map",
        syntax: "redirect_map!(map, key, flags)",
        doc: "call bpf_redirect_map(map, key, flags), result in r0",
    },
    SnippetInfo {
        name: "redirect_to_xsk",
        syntax: "redirect_to_xsk!(map, key[, flags])",
        doc: "return bpf_redirect_map(map, key, flags); flags defaults to XDP_PASS",
    },
    SnippetInfo {
        name: "redirect_to_xsk_by_queue",
        syntax: "redirect_to_xsk_by_queue!([ctx,] map[, tmp][, flags])",
        doc: "return bpf_redirect_map(map, ctx->rx_queue_index, flags); ctx r1, tmp r2, flags XDP_PASS by default",
    },
    SnippetInfo {
        name: "redirect_to_xsk_lookup_first",
        syntax: "redirect_to_xsk_lookup_first!([ctx,] map[, flags])",
        doc: "look the queue up in the XSKMAP, redirect if present, else XDP_PASS",
    },
    SnippetInfo {
        name: "redirect",
        syntax: "redirect!(ifindex, flags)",
        doc: "return bpf_redirect(ifindex, flags); ifindex is a register or an integer",
    },
    SnippetInfo {
        name: "adjust_head",
        syntax: "adjust_head!(ctx, delta)",
        doc: "r0 = bpf_xdp_adjust_head(ctx, delta); packet pointers must be reloaded",
    },
    SnippetInfo {
        name: "adjust_tail",
        syntax: "adjust_tail!(ctx, delta)",
        doc: "r0 = bpf_xdp_adjust_tail(ctx, delta); packet pointers must be reloaded",
    },
    SnippetInfo {
        name: "adjust_meta",
        syntax: "adjust_meta!(ctx, delta)",
        doc: "r0 = bpf_xdp_adjust_meta(ctx, delta); packet pointers must be reloaded",
    },
    SnippetInfo {
        name: "write_rx_metadata",
        syntax: "write_rx_metadata!()",
        doc: "RX timestamp and hash (metadata kfuncs) into the metadata in front of the packet; ctx in r1, kept in r6; load device-bound",
    },
    SnippetInfo {
        name: "parse_eth",
        syntax: "parse_eth!(data, data_end, out_proto, fail)",
        doc: "bounds-checked Ethernet header; EtherType in host order",
    },
    SnippetInfo {
        name: "parse_eth_be",
        syntax: "parse_eth_be!(data, data_end, out_proto, fail)",
        doc: "parse_eth! with the EtherType in network order (compare with ETH_P_IP_BE)",
    },
    SnippetInfo {
        name: "parse_eth_vlan",
        syntax: "parse_eth_vlan!(data, data_end, out_proto, out_l3, fail)",
        doc: "parse_eth! skipping up to two VLAN tags; L3 header pointer in out_l3",
    },
    SnippetInfo {
        name: "parse_eth_vlan_be",
        syntax: "parse_eth_vlan_be!(data, data_end, out_proto, out_l3, fail)",
        doc: "parse_eth_vlan! with the EtherType in network order (compare with ETH_P_IP_BE)",
    },
    SnippetInfo {
        name: "parse_ipv4",
        syntax: "parse_ipv4!(l3, data_end, out_proto, fail[, out_l4])",
        doc: "bounds-checked IPv4 header; protocol byte, optional L4 pointer",
    },
    SnippetInfo {
        name: "parse_ipv6",
        syntax: "parse_ipv6!(l3, data_end, out_next, fail[, out_l4])",
        doc: "bounds-checked IPv6 header; next-header byte, optional L4 pointer",
    },
    SnippetInfo {
        name: "parse_udp",
        syntax: "parse_udp!(l4, data_end, out_dst_port, fail)",
        doc: "bounds-checked UDP header; destination port in host order",
    },
    SnippetInfo {
        name: "parse_udp_be",
        syntax: "parse_udp_be!(l4, data_end, out_dst_port, fail)",
        doc: "bounds-checked UDP header; destination port in network order",
    },
    SnippetInfo {
        name: "parse_tcp",
        syntax: "parse_tcp!(l4, data_end, out_dst_port, fail)",
        doc: "bounds-checked TCP header; destination port in host order",
    },
    SnippetInfo {
        name: "parse_tcp_be",
        syntax: "parse_tcp_be!(l4, data_end, out_dst_port, fail)",
        doc: "bounds-checked TCP header; destination port in network order",
    },
];

/// The snippet called `name` (without `!`), if there is one.
pub fn snippet_info(name: &str) -> Option<&'static SnippetInfo> {
    SNIPPETS.iter().find(|s| s.name == name)
}

/// A snippet invocation that cannot be expanded: an unknown name, or arguments that do not fit
/// (wrong count, a register where a map is expected, a value out of range, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetError {
    /// The snippet's name as invoked, without the `!`.
    pub snippet: String,
    /// What is wrong, for a person, ending with the snippet's syntax where it is known.
    pub message: String,
}

impl core::fmt::Display for SnippetError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "snippet `{}!`: {}", self.snippet, self.message)
    }
}

impl std::error::Error for SnippetError {}

/// Expands the snippet `name` with `args`.
///
/// `unique` is a number distinct for each invocation within one program; snippets use it to
/// make their internal labels unique (e.g. `__xsk_lookup_3_pass`).
///
/// Fails with a message a person understands when the name is unknown or the arguments do not
/// fit (wrong count, a register where a map is expected, ...).
pub fn expand(name: &str, args: &[SnippetArg], unique: usize) -> Result<Vec<Item>, SnippetError> {
    let name = name.strip_suffix('!').unwrap_or(name);
    expand_checked(name, args, unique).map_err(|message| SnippetError {
        snippet: name.to_string(),
        message,
    })
}

fn expand_checked(name: &str, args: &[SnippetArg], unique: usize) -> Result<Vec<Item>, String> {
    let Some(info) = snippet_info(name) else {
        let known: Vec<String> = SNIPPETS.iter().map(|s| format!("{}!", s.name)).collect();
        return Err(format!(
            "no snippet of this name; the snippets are {}",
            known.join(", ")
        ));
    };
    let a = Args { info, args };
    match name {
        "bounds_check" | "bounds_check_reg" => {
            a.count(&[4, 5])?;
            let ptr = a.reg(0, "ptr")?;
            let end = a.reg(1, "data_end")?;
            let fail = a.label(3, "fail")?;
            let tmp = if args.len() == 5 {
                a.out_reg(4, "tmp")?
            } else {
                Reg::R0
            };
            a.distinct(tmp, "tmp", &[(ptr, "ptr"), (end, "data_end")])?;
            if name == "bounds_check" {
                let len = a.int_in(2, "len", 0, i64::from(i32::MAX))?;
                Ok(xdp::bounds_check(ptr, end, len as i32, fail, tmp))
            } else {
                let len = a.reg(2, "len_reg")?;
                a.distinct(tmp, "tmp", &[(len, "len_reg")])?;
                Ok(xdp::bounds_check_reg(ptr, end, len, fail, tmp))
            }
        }
        "load_ctx_field" => {
            a.count(&[3])?;
            let dst = a.out_reg(0, "dst")?;
            let ctx = a.reg(1, "ctx")?;
            let field = a.ctx_field(2)?;
            Ok(vec![xdp::load_ctx_field(dst, ctx, field).into()])
        }
        "load_data_pointers" => {
            a.count(&[3])?;
            let ctx = a.reg(0, "ctx")?;
            let data = a.out_reg(1, "data")?;
            let end = a.out_reg(2, "data_end")?;
            a.distinct(end, "data_end", &[(data, "data")])?;
            if data == ctx {
                return Err(a.err(
                    "the `data` register must differ from `ctx`: `ctx` is read again for `data_end`",
                ));
            }
            Ok(xdp::load_data_pointers(ctx, data, end))
        }
        "return_action" => {
            a.count(&[1])?;
            let action = a.action(0)?;
            Ok(xdp::return_action(action))
        }
        "redirect_map" => {
            a.count(&[3])?;
            let map = a.map(0)?;
            let key = a.key(1)?;
            let flags = a.int_in(2, "flags", 0, i64::from(i32::MAX))? as i32;
            Ok(xdp::redirect_map(map, key, flags))
        }
        "redirect_to_xsk" => {
            a.count(&[2, 3])?;
            let map = a.map(0)?;
            let key = a.key(1)?;
            let flags = if args.len() == 3 {
                a.xsk_flags(2)?
            } else {
                xdp::DEFAULT_XSK_FLAGS
            };
            Ok(xdp::redirect_to_xsk(map, key, flags))
        }
        "redirect_to_xsk_by_queue" => {
            a.count(&[1, 2, 3, 4])?;
            let (ctx, map, tmp, flags) = match args.len() {
                1 => (Reg::R1, a.map(0)?, Reg::R2, xdp::DEFAULT_XSK_FLAGS),
                2 => match &args[1] {
                    SnippetArg::Reg(_) => (
                        Reg::R1,
                        a.map(0)?,
                        a.out_reg(1, "tmp")?,
                        xdp::DEFAULT_XSK_FLAGS,
                    ),
                    _ => (Reg::R1, a.map(0)?, Reg::R2, a.xsk_flags(1)?),
                },
                3 => (Reg::R1, a.map(0)?, a.out_reg(1, "tmp")?, a.xsk_flags(2)?),
                _ => (
                    a.reg(0, "ctx")?,
                    a.map(1)?,
                    a.out_reg(2, "tmp")?,
                    a.xsk_flags(3)?,
                ),
            };
            Ok(xdp::redirect_to_xsk_by_queue(ctx, map, tmp, flags))
        }
        "redirect_to_xsk_lookup_first" => {
            a.count(&[1, 2, 3])?;
            let (ctx, map, flags) = match args.len() {
                1 => (Reg::R1, a.map(0)?, 0),
                2 => (Reg::R1, a.map(0)?, a.xsk_flags(1)?),
                _ => (a.reg(0, "ctx")?, a.map(1)?, a.xsk_flags(2)?),
            };
            Ok(xdp::redirect_to_xsk_lookup_first(ctx, map, flags, unique))
        }
        "redirect" => {
            a.count(&[2])?;
            let ifindex = a.key(0)?;
            let flags = a.int_in(1, "flags", 0, i64::from(i32::MAX))? as i32;
            Ok(xdp::redirect(ifindex, flags))
        }
        "write_rx_metadata" => {
            a.count(&[0])?;
            Ok(xdp::metadata::write_rx_metadata(&format!(
                "__rx_meta_{unique}_done"
            )))
        }
        "adjust_head" | "adjust_tail" | "adjust_meta" => {
            a.count(&[2])?;
            let ctx = a.reg(0, "ctx")?;
            let delta = a.int_in(1, "delta", i64::from(i32::MIN), i64::from(i32::MAX))? as i32;
            Ok(match name {
                "adjust_head" => xdp::adjust_head(ctx, delta),
                "adjust_tail" => xdp::adjust_tail(ctx, delta),
                _ => xdp::adjust_meta(ctx, delta),
            })
        }
        "parse_eth" | "parse_udp" | "parse_tcp" | "parse_eth_be" | "parse_udp_be"
        | "parse_tcp_be" => {
            a.count(&[4])?;
            let is_eth = name.starts_with("parse_eth");
            let ptr = a.reg(0, if is_eth { "data" } else { "l4" })?;
            let end = a.reg(1, "data_end")?;
            let out_name = if is_eth { "out_proto" } else { "out_dst_port" };
            let out = a.out_reg(2, out_name)?;
            let fail = a.label(3, "fail")?;
            a.distinct(out, out_name, &[(ptr, a.param_name(0)), (end, "data_end")])?;
            Ok(match name {
                "parse_eth" => xdp::parse_eth(ptr, end, out, fail),
                "parse_eth_be" => xdp::parse_eth_be(ptr, end, out, fail),
                "parse_udp" => xdp::parse_udp(ptr, end, out, fail),
                "parse_udp_be" => xdp::parse_udp_be(ptr, end, out, fail),
                "parse_tcp_be" => xdp::parse_tcp_be(ptr, end, out, fail),
                _ => xdp::parse_tcp(ptr, end, out, fail),
            })
        }
        "parse_eth_vlan" | "parse_eth_vlan_be" => {
            a.count(&[5])?;
            let data = a.reg(0, "data")?;
            let end = a.reg(1, "data_end")?;
            let proto = a.out_reg(2, "out_proto")?;
            let l3 = a.out_reg(3, "out_l3")?;
            let fail = a.label(4, "fail")?;
            a.distinct(proto, "out_proto", &[(data, "data"), (end, "data_end")])?;
            a.distinct(
                l3,
                "out_l3",
                &[(data, "data"), (end, "data_end"), (proto, "out_proto")],
            )?;
            Ok(if name == "parse_eth_vlan" {
                xdp::parse_eth_vlan(data, end, proto, l3, fail, unique)
            } else {
                xdp::parse_eth_vlan_be(data, end, proto, l3, fail, unique)
            })
        }
        _ => {
            // parse_ipv4 / parse_ipv6
            a.count(&[4, 5])?;
            let v4 = name == "parse_ipv4";
            let out_name = if v4 { "out_proto" } else { "out_next" };
            let l3 = a.reg(0, "l3")?;
            let end = a.reg(1, "data_end")?;
            let out = a.out_reg(2, out_name)?;
            let fail = a.label(3, "fail")?;
            a.distinct(out, out_name, &[(l3, "l3"), (end, "data_end")])?;
            let l4 = if args.len() == 5 {
                let l4 = a.out_reg(4, "out_l4")?;
                a.distinct(
                    l4,
                    "out_l4",
                    &[(l3, "l3"), (end, "data_end"), (out, out_name)],
                )?;
                Some(l4)
            } else {
                None
            };
            Ok(if v4 {
                xdp::parse_ipv4(l3, end, out, fail, l4)
            } else {
                xdp::parse_ipv6(l3, end, out, fail, l4)
            })
        }
    }
}

/// Argument checking for one invocation.
struct Args<'a> {
    info: &'static SnippetInfo,
    args: &'a [SnippetArg],
}

impl Args<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("{msg} (syntax: {})", self.info.syntax)
    }

    fn param_name(&self, i: usize) -> &'static str {
        // The i-th parameter name in the syntax line, for messages.
        let inner = self
            .info
            .syntax
            .split_once('(')
            .map(|(_, r)| r.trim_end_matches(')'))
            .unwrap_or("");
        inner
            .split(',')
            .map(|p| p.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace()))
            .nth(i)
            .unwrap_or("argument")
    }

    fn count(&self, allowed: &[usize]) -> Result<(), String> {
        if allowed.contains(&self.args.len()) {
            return Ok(());
        }
        let want = match allowed {
            [n] => format!("{n}"),
            [rest @ .., last] => format!(
                "{} or {last}",
                rest.iter()
                    .map(|n| n.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [] => "no".to_string(),
        };
        let plural = if allowed == [1] {
            "argument"
        } else {
            "arguments"
        };
        Err(self.err(format!("expects {want} {plural}, got {}", self.args.len())))
    }

    fn get(&self, i: usize) -> Result<&SnippetArg, String> {
        self.args
            .get(i)
            .ok_or_else(|| self.err(format!("missing argument {}", i + 1)))
    }

    fn wrong(&self, i: usize, what: &str, want: &str, got: &SnippetArg) -> String {
        self.err(format!(
            "argument {} (`{what}`) must be {want}, found {}",
            i + 1,
            got.describe()
        ))
    }

    fn reg(&self, i: usize, what: &str) -> Result<Reg, String> {
        match self.get(i)? {
            SnippetArg::Reg(r) => Ok(*r),
            other => Err(self.wrong(i, what, "a register (r0-r10)", other)),
        }
    }

    /// A register the snippet writes: not r10.
    fn out_reg(&self, i: usize, what: &str) -> Result<Reg, String> {
        let r = self.reg(i, what)?;
        if r == Reg::R10 {
            return Err(self.err(format!(
                "argument {} (`{what}`) is written by the snippet, but r10 is the read-only frame pointer; use one of r0-r9",
                i + 1
            )));
        }
        Ok(r)
    }

    fn distinct(&self, out: Reg, what: &str, others: &[(Reg, &str)]) -> Result<(), String> {
        for &(o, oname) in others {
            if o == out {
                return Err(self.err(format!(
                    "`{what}` and `{oname}` are both {out}; `{what}` is overwritten while `{oname}` is still needed, use another register"
                )));
            }
        }
        Ok(())
    }

    fn int_in(&self, i: usize, what: &str, min: i64, max: i64) -> Result<i64, String> {
        match self.get(i)? {
            SnippetArg::Int(v) if (min..=max).contains(v) => Ok(*v),
            SnippetArg::Int(v) => Err(self.err(format!(
                "argument {} (`{what}`) is {v}, out of range {min}..={max}",
                i + 1
            ))),
            other => Err(self.wrong(i, what, "an integer or a named constant", other)),
        }
    }

    fn name(&self, i: usize, what: &str, want: &str) -> Result<Cow<'static, str>, String> {
        match self.get(i)? {
            SnippetArg::Ident(s) => Ok(s.clone()),
            other => Err(self.wrong(i, what, want, other)),
        }
    }

    fn label(&self, i: usize, what: &str) -> Result<Cow<'static, str>, String> {
        self.name(i, what, "a label name")
    }

    fn map(&self, i: usize) -> Result<Cow<'static, str>, String> {
        self.name(i, "map", "a map name (such as `xsks`)")
    }

    fn key(&self, i: usize) -> Result<xdp::Key, String> {
        match self.get(i)? {
            SnippetArg::Reg(r) => Ok(xdp::Key::Reg(*r)),
            SnippetArg::Int(v) => i32::try_from(*v).map(xdp::Key::Imm).map_err(|_| {
                self.err(format!(
                    "argument {} (`key`) is {v}, which does not fit a 32-bit immediate",
                    i + 1
                ))
            }),
            other => Err(self.wrong(i, "key", "a register or an integer", other)),
        }
    }

    fn xsk_flags(&self, i: usize) -> Result<i32, String> {
        match self.get(i)? {
            SnippetArg::Int(v) if (0..=i64::from(xdp::REDIRECT_ACTION_MASK)).contains(v) => {
                Ok(*v as i32)
            }
            SnippetArg::Int(v) => Err(self.err(format!(
                "argument {} (`flags`) is {v}: for an XSKMAP only the fallback action 0-3 (XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX) may be set; the kernel returns XDP_ABORTED for any other bit",
                i + 1
            ))),
            SnippetArg::Ident(s) => match XdpAction::from_name(s) {
                Some(a) if a.value() <= xdp::REDIRECT_ACTION_MASK => Ok(a.value()),
                _ => Err(self.wrong(i, "flags", "a fallback action (XDP_PASS, XDP_DROP, ...)", self.get(i)?)),
            },
            other => Err(self.wrong(i, "flags", "an integer or a fallback action", other)),
        }
    }

    fn action(&self, i: usize) -> Result<XdpAction, String> {
        let got = self.get(i)?;
        let found = match got {
            SnippetArg::Int(v) => XdpAction::from_value(*v),
            SnippetArg::Ident(s) => XdpAction::from_name(s),
            SnippetArg::Reg(_) => None,
        };
        found.ok_or_else(|| {
            self.wrong(
                i,
                "action",
                "an XDP action (XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX, XDP_REDIRECT or 0-4)",
                got,
            )
        })
    }

    fn ctx_field(&self, i: usize) -> Result<XdpMdField, String> {
        let got = self.get(i)?;
        let found = match got {
            SnippetArg::Ident(s) => XdpMdField::from_name(s),
            _ => None,
        };
        found.ok_or_else(|| {
            self.wrong(
                i,
                "field",
                "a struct xdp_md field (data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex)",
                got,
            )
        })
    }
}
